using SharpBpf.Abi;

namespace SharpBpf.Object;

/// <summary>
/// The blueprint of one map of an object, as libbpf would create it. Immutable.
/// </summary>
public sealed class MapSpec
{
    /// <summary>Map name: the C variable for <c>.maps</c> / <c>maps</c> definitions, libbpf's
    /// internal name for global data (see <see cref="BpfObjectReader"/>), <c>&lt;outer&gt;.inner</c> for inner maps.</summary>
    public required string Name { get; init; }

    public required MapType Type { get; init; }

    public uint KeySize { get; init; }

    public uint ValueSize { get; init; }

    public uint MaxEntries { get; init; }

    /// <summary>Raw <c>map_flags</c> (see <see cref="MapFlags"/>).</summary>
    public uint Flags { get; init; }

    /// <summary>NUMA node (meaningful when <see cref="MapFlags.BPF_F_NUMA_NODE"/> is set).</summary>
    public uint NumaNode { get; init; }

    /// <summary><c>map_extra</c> (e.g. the number of hash functions of a bloom filter).</summary>
    public ulong MapExtra { get; init; }

    public PinningType Pinning { get; init; }

    /// <summary>The template of the maps stored in a map-in-map, null otherwise.</summary>
    public MapSpec? InnerMap { get; init; }

    /// <summary>The initial value of a global data map (all zeroes for <c>.bss</c>); null for ordinary maps.</summary>
    public byte[]? InitialData { get; init; }

    /// <summary>Freeze (<c>BPF_MAP_FREEZE</c>) after storing <see cref="InitialData"/>: true for <c>.rodata*</c>.</summary>
    public bool FreezeAfterLoad { get; init; }

    /// <summary>Static initialisers (<c>.values = { ... }</c>) to apply after loading.</summary>
    public IReadOnlyList<MapSpecEntry> Contents { get; init; } = [];

    /// <summary>The ELF section the definition came from (<c>.maps</c>, <c>maps</c>, <c>.data</c>, ...).</summary>
    public string SectionName { get; init; } = "";

    /// <summary>True for the ARRAY maps libbpf makes of <c>.data*</c>, <c>.rodata*</c> and <c>.bss*</c>.</summary>
    public bool IsGlobalData { get; init; }

    /// <summary>BTF type id of the key (0 when the definition has none).</summary>
    public uint BtfKeyTypeId { get; init; }

    /// <summary>BTF type id of the value (0 when none; the DATASEC for global data).</summary>
    public uint BtfValueTypeId { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name}: {Type} key {KeySize} value {ValueSize} max {MaxEntries} flags 0x{Flags:x}";
}
