namespace SharpBpf.Object;

/// <summary>
/// The parsed <c>.BTF</c> section of an object: every type, with DATASEC sizes and variable offsets
/// fixed up from the ELF symbols the way libbpf does before it uses them (clang leaves them zero).
/// Immutable; lookups never follow more than <see cref="MaxResolveDepth"/> links, so a malformed
/// cycle cannot hang a caller.
/// </summary>
public sealed class BtfSpec
{
    /// <summary>Longest typedef / modifier / array chain followed when resolving (libbpf uses 32).</summary>
    public const int MaxResolveDepth = 32;

    private readonly BtfType[] types;
    private readonly Dictionary<(BtfKind, string), BtfType> byName = [];

    private readonly byte[] rawBytes;
    private readonly byte[] kernelBytes;

    internal BtfSpec(BtfType[] types, byte[] rawBytes, byte[] kernelBytes)
    {
        this.types = types;
        this.rawBytes = rawBytes;
        this.kernelBytes = kernelBytes;
        foreach (var t in types)
        {
            if (t.Name.Length > 0)
                byName.TryAdd((t.Kind, t.Name), t);
        }
    }

    /// <summary>The <c>.BTF</c> section exactly as the object holds it.</summary>
    public ReadOnlyMemory<byte> RawBytes => rawBytes;

    /// <summary>
    /// The BTF as <c>BPF_BTF_LOAD</c> accepts it: <see cref="RawBytes"/> with libbpf's fix-ups written in (DATASEC
    /// sizes from their ELF sections, global variable offsets from their symbols, variables sorted by offset, hidden
    /// globals static) and a DATASEC that could not be fixed (no such ELF section) written as an empty STRUCT of the
    /// same name, so every type id and string offset is the object's own. Programs' <see cref="ProgramSpec.FuncInfos"/>
    /// and <see cref="ProgramSpec.LineInfos"/> refer to this BTF.
    /// </summary>
    public ReadOnlyMemory<byte> KernelBytes => kernelBytes;

    /// <summary>All types; index = type id; entry 0 is <see cref="BtfKind.Void"/>.</summary>
    public IReadOnlyList<BtfType> Types => types;

    /// <summary>The type with id <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such type.</exception>
    public BtfType TypeById(uint id)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, (uint)types.Length);
        return types[id];
    }

    /// <summary>The first type of kind <paramref name="kind"/> named <paramref name="name"/>, or null.</summary>
    public BtfType? FindByName(string name, BtfKind kind) => byName.GetValueOrDefault((kind, name));

    /// <summary>Follows typedefs and CV / type-tag modifiers from <paramref name="id"/>.</summary>
    /// <returns>False if the id is unknown or the chain is longer than <see cref="MaxResolveDepth"/>.</returns>
    public bool TrySkipQualifiers(uint id, out BtfType type)
    {
        for (int depth = 0; depth <= MaxResolveDepth; depth++)
        {
            if (id >= types.Length)
                break;
            var t = types[id];
            if (t.Kind is not (BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag))
            {
                type = t;
                return true;
            }

            id = t.Type;
        }

        type = types[0];
        return false;
    }

    /// <summary>The size in bytes of type <paramref name="id"/> as <c>btf__resolve_size</c> computes it.</summary>
    /// <returns>False for types without a size (void, FUNC, FWD, ...), unknown ids, chains deeper
    /// than <see cref="MaxResolveDepth"/> and sizes above 4 GiB.</returns>
    public bool TryGetSize(uint id, out ulong size)
    {
        ulong multiplier = 1;
        size = 0;
        for (int depth = 0; depth <= MaxResolveDepth; depth++)
        {
            if (id >= types.Length)
                return false;
            var t = types[id];
            switch (t.Kind)
            {
                case BtfKind.Int or BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Enum64
                    or BtfKind.DataSec or BtfKind.Float:
                    size = multiplier * t.Size;
                    return size <= uint.MaxValue;
                case BtfKind.Pointer:
                    size = multiplier * 8;
                    return size <= uint.MaxValue;
                case BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag
                    or BtfKind.Var:
                    id = t.Type;
                    break;
                case BtfKind.Array:
                    // multiplier stays below 2^32 after each step, so the product fits in 64 bits.
                    multiplier *= t.ArrayLength;
                    if (multiplier > uint.MaxValue)
                        return false;
                    id = t.ArrayElementType;
                    break;
                default:
                    return false;
            }
        }

        return false;
    }
}
