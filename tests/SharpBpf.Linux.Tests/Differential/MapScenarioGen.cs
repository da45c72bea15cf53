using CsCheck;
using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Linux.Tests.Differential;

/// <summary>The kinds of map operation the differential scenario issues.</summary>
public enum MapOpKind
{
    Update,
    Lookup,
    Delete,
    GetNextKey,
    LookupAndDelete,
    LookupBatch,
    UpdateBatch,
    Freeze,
    Info,
}

/// <summary>What an fd-array update stores: this backend's program, its own map, or a number that is no object.</summary>
public enum FdValueKind
{
    Program,
    OwnMap,
    Bogus,
    Raw,
}

/// <summary>One generated operation; <see cref="Seed"/> fills value bytes, <see cref="ShortBy"/> shortens a span.</summary>
public sealed record MapOp(MapOpKind Kind, uint Key, bool NullKey, ulong Flags, ulong ElemFlags, uint Count,
    int Seed, int ShortBy, FdValueKind FdValue);

/// <summary>A map creation and the operations on the map it made.</summary>
public sealed record MapScenario(MapCreateAttr Attr, MapOp[] Ops)
{
    public override string ToString() =>
        $"{Attr with { }} ops=[{string.Join(", ", Ops.Select(o => o.ToString()))}]";
}

/// <summary>CsCheck generators for creation attributes (valid and invalid) and operation sequences.</summary>
public static class MapScenarioGen
{
    private const uint F = 0;

    // The flags of spec A.2 that arrays accept or refuse with their own errno.
    private static readonly uint[] MatrixFlags =
    [
        F, (uint)MapFlags.BPF_F_NO_PREALLOC, (uint)MapFlags.BPF_F_NUMA_NODE, (uint)MapFlags.BPF_F_RDONLY,
        (uint)MapFlags.BPF_F_WRONLY, (uint)MapFlags.BPF_F_RDONLY_PROG, (uint)MapFlags.BPF_F_WRONLY_PROG,
        (uint)MapFlags.BPF_F_MMAPABLE, (uint)MapFlags.BPF_F_PRESERVE_ELEMS, (uint)MapFlags.BPF_F_INNER_MAP,
        (uint)(MapFlags.BPF_F_RDONLY | MapFlags.BPF_F_WRONLY),
        (uint)(MapFlags.BPF_F_RDONLY_PROG | MapFlags.BPF_F_WRONLY_PROG),
        (uint)(MapFlags.BPF_F_MMAPABLE | MapFlags.BPF_F_RDONLY_PROG),
        (uint)MapFlags.BPF_F_ZERO_SEED, (uint)MapFlags.BPF_F_CLONE, (uint)MapFlags.BPF_F_TOKEN_FD,
    ];

    private static readonly Gen<MapType> Type = Gen.Frequency(
        (6, Gen.Const(MapType.Array)), (4, Gen.Const(MapType.PerCpuArray)), (3, Gen.Const(MapType.ProgArray)),
        (1, Gen.Const(MapType.PerfEventArray)), (1, Gen.Const(MapType.CgroupArray)));

    private static readonly Gen<uint> KeySize = Gen.Frequency(
        (12, Gen.Const(4u)), (1, Gen.OneOfConst(0u, 1u, 3u, 8u, uint.MaxValue)));

    // Small values, edges of the per-CPU unit (32 KiB) and sizes that fail fast (E2BIG) without allocating.
    private static readonly Gen<uint> ValueSize = Gen.Frequency(
        (10, Gen.UInt[1, 24]), (4, Gen.OneOfConst(4u, 8u)), (1, Gen.OneOfConst(0u, 32u, 64u, 4095u)),
        (1, Gen.OneOfConst(32768u, 32769u, 1u << 31, uint.MaxValue, (uint)int.MaxValue + 1)));

    private static readonly Gen<uint> MaxEntries = Gen.Frequency(
        (10, Gen.UInt[1, 16]), (1, Gen.OneOfConst(0u, 64u, uint.MaxValue)));

    private static readonly Gen<uint> Flags = Gen.Frequency(
        (10, Gen.OneOfConst(MatrixFlags)), (1, Gen.Int[0, 31].Select(bit => 1u << bit)));

    private static readonly Gen<string?> Name = Gen.OneOfConst<string?>(
        null, "", "counts", "a_b.C9", "fifteen_chars_x", "sixteen_chars_xx", "bad-name", "sp ace");

    private static readonly Gen<uint> Numa = Gen.OneOfConst(0u, 1u, 7u, NumaNode.NoNode);

    /// <summary>Creation attributes; the value size is capped where it could allocate more than a few MiB.</summary>
    public static readonly Gen<MapCreateAttr> Attr =
        Gen.Select(Type, KeySize, ValueSize, MaxEntries, Flags, Name, Numa, Gen.Int[0, 9])
            .Select((type, key, value, max, flags, name, numa, fdShape) =>
            {
                // fd arrays are mostly made with their required 4-byte values so their slot updates get exercised.
                if (type is MapType.ProgArray or MapType.PerfEventArray or MapType.CgroupArray && fdShape < 8)
                    value = 4;
                ulong bytes = (ulong)((value + 7) & ~7u) * max * (type == MapType.PerCpuArray ? 2u : 1u);
                if (max != uint.MaxValue && value <= int.MaxValue && bytes > 4u << 20)
                    max = 1;
                return new MapCreateAttr
                {
                    Type = type, KeySize = key, ValueSize = value, MaxEntries = max, MapFlags = flags, Name = name,
                    NumaNode = numa,
                };
            });

    private static readonly Gen<ulong> ElemFlags = Gen.Frequency(
        (10, Gen.OneOfConst(0UL, 1UL, 2UL)), (1, Gen.OneOfConst(4UL, 3UL, 8UL, 1UL << 32)));

    private static readonly Gen<MapOp> Op =
        Gen.Select(Gen.Enum<MapOpKind>(), Gen.Frequency((8, Gen.UInt[0, 17]), (1, Gen.OneOfConst(uint.MaxValue, 1u << 31))),
                Gen.Int[0, 15], ElemFlags, Gen.Frequency((12, Gen.Const(0UL)), (1, Gen.OneOfConst(1UL, 4UL))),
                Gen.UInt[0, 20], Gen.Int, Gen.Frequency((30, Gen.Const(0)), (1, Gen.Int[1, 3])))
            .Select(Gen.Enum<FdValueKind>(),
                (t, fd) => new MapOp(t.Item1, t.Item2, t.Item3 == 0, t.Item4, t.Item5, t.Item6, t.Item7, t.Item8, fd));

    /// <summary>A creation followed by 10 to 40 operations.</summary>
    public static readonly Gen<MapScenario> Scenario =
        Gen.Select(Attr, Op.Array[10, 40], (attr, ops) => new MapScenario(attr, ops));
}
