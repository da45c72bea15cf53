using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Cli.Tests.ProgRun;
using SharpBpf.Diff;
using SharpBpf.Loading;
using SharpBpf.Runtime;

namespace SharpBpf.Cli.Tests.Diff;

/// <summary>
/// The backend-neutral comparer behind <c>prog diff</c> and the differential suite, on hand-made snapshots (every
/// kind of difference with its location) and on real captures of two userspace backends.
/// </summary>
public sealed class ProgramRunComparisonTests
{
    private const int Cpus = 2;

    private static MapSnapshot Map(string name, MapType type, uint valueSize, params ElementSnapshot[] elements) =>
        new(name, new MapInfo(type, 0, 4, valueSize, (uint)elements.Length, 0, name, 0, 0), Cpus, elements);

    private static ElementSnapshot Element(uint key, params byte[] value) => new(BitConverter.GetBytes(key), Errno.None, value, null);

    private static RunSnapshot Snapshot(string backend, uint retval, params MapSnapshot[] maps) =>
        new() { Backend = backend, Retval = retval, DataOut = [1, 2, 3], Maps = maps };

    private static byte[] PerCpu(params ulong[] values) => [.. values.SelectMany(BitConverter.GetBytes)];

    [Fact]
    public void Compare_SameRuns_AgreeWithoutDifferences()
    {
        var map = Map("counts", MapType.Array, 8, Element(0, 1, 0, 0, 0, 0, 0, 0, 0));

        var comparison = ProgramRunComparison.Compare(Snapshot("userspace", 2, map), Snapshot("kernel", 2, map));

        Assert.True(comparison.Agree);
        Assert.Empty(comparison.Differences);
        Assert.Equal(6, comparison.Compared); // outcome, retval, data_out, ctx_out, the map, its element
    }

    [Fact]
    public void Compare_Retval_OneRetvalDifference()
    {
        var comparison = ProgramRunComparison.Compare(Snapshot("userspace", 2, []), Snapshot("kernel", 1, []));

        var d = Assert.Single(comparison.Differences);
        Assert.False(comparison.Agree);
        Assert.Equal(DifferenceKind.Retval, d.Kind);
        Assert.Equal("2 (0x2)", d.Left);
        Assert.Equal("1 (0x1)", d.Right);
        Assert.Equal("retval", d.Where);
    }

    [Fact]
    public void Compare_ValueBytes_NamesMapKeyAndFirstOffsetOfEachRange()
    {
        var left = Map("m", MapType.Array, 16, Element(3, [.. new byte[16]]));
        var changed = new byte[16];
        changed[2] = 9;
        changed[12] = 7;
        var right = Map("m", MapType.Array, 16, Element(3, changed));

        var comparison = ProgramRunComparison.Compare(Snapshot("userspace", 0, left), Snapshot("kernel", 0, right));

        Assert.Equal([2, 12], comparison.Differences.Select(d => d.Offset!.Value));
        var first = comparison.Differences[0];
        Assert.Equal(DifferenceKind.MapValue, first.Kind);
        Assert.Equal("map 'm' key 03 00 00 00 offset 2", first.Where);
        Assert.Equal("00", first.Left);
        Assert.Equal("09", first.Right);
    }

    [Fact]
    public void Compare_DataOutLength_OneDifferenceWithBothLengths()
    {
        var left = Snapshot("userspace", 0) with { DataOut = [1, 2, 3, 4] };
        var right = Snapshot("kernel", 0) with { DataOut = [1, 2] };

        var d = Assert.Single(ProgramRunComparison.Compare(left, right).Differences);

        Assert.Equal(DifferenceKind.DataOut, d.Kind);
        Assert.StartsWith("4 bytes", d.Left, StringComparison.Ordinal);
        Assert.StartsWith("2 bytes", d.Right, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_PerCpuCopiesOnOtherCpus_KnownDivergenceThatAgrees()
    {
        var left = Map("hist", MapType.PerCpuArray, 8, Element(0, PerCpu(5, 0)));
        var right = Map("hist", MapType.PerCpuArray, 8, Element(0, PerCpu(0, 5)));

        var comparison = ProgramRunComparison.Compare(Snapshot("userspace", 0, left), Snapshot("kernel", 0, right));

        var d = Assert.Single(comparison.Differences);
        Assert.True(comparison.Agree);
        Assert.Equal(KnownDivergences.PerCpuPlacement, d.KnownDivergence);
        Assert.Equal("CPU 0: 05 00 00 00 00 00 00 00", d.Left);
    }

    [Fact]
    public void Compare_PerCpuSameSumsSpreadDifferently_KnownDivergence()
    {
        var left = Map("hist", MapType.PerCpuArray, 8, Element(0, PerCpu(1000, 0)));
        var right = Map("hist", MapType.PerCpuArray, 8, Element(0, PerCpu(400, 600)));

        var comparison = ProgramRunComparison.Compare(Snapshot("userspace", 0, left), Snapshot("kernel", 0, right));

        Assert.True(comparison.Agree);
        Assert.Equal(KnownDivergences.PerCpuPlacement, Assert.Single(comparison.Differences).KnownDivergence);
    }

    [Fact]
    public void Compare_PerCpuDifferentSums_DifferenceAtTheWordWithPerCpuValues()
    {
        var left = Map("hist", MapType.PerCpuArray, 16, Element(1, PerCpu(7, 1000, 0, 0)));
        var right = Map("hist", MapType.PerCpuArray, 16, Element(1, PerCpu(7, 999, 0, 0)));

        var comparison = ProgramRunComparison.Compare(Snapshot("userspace", 0, left), Snapshot("kernel", 0, right));

        var d = Assert.Single(comparison.Differences);
        Assert.False(comparison.Agree);
        Assert.Equal(8, d.Offset);
        Assert.Null(d.Cpu);
        Assert.Equal("sum over CPUs 1000 (CPU 0: 1000)", d.Left);
        Assert.Equal("sum over CPUs 999 (CPU 0: 999)", d.Right);
    }

    [Fact]
    public void Compare_ExactPerCpu_CopiesOnOtherCpusDifferPerCpu()
    {
        var left = Map("hist", MapType.PerCpuArray, 8, Element(0, PerCpu(5, 0)));
        var right = Map("hist", MapType.PerCpuArray, 8, Element(0, PerCpu(0, 5)));

        var comparison = ProgramRunComparison.Compare(Snapshot("userspace", 0, left), Snapshot("kernel", 0, right), exactPerCpu: true);

        Assert.False(comparison.Agree);
        Assert.Equal([0, 1], comparison.Differences.Select(d => d.Cpu!.Value));
        Assert.All(comparison.Differences, d => Assert.Equal(0, d.Offset));
    }

    [Fact]
    public void Compare_ProgArraySlots_ByProgramName()
    {
        static MapSnapshot Slots(string? slot1) => new("progs", new MapInfo(MapType.ProgArray, 0, 4, 4, 2, 0, "progs", 0, 0), Cpus,
        [
            new ElementSnapshot(BitConverter.GetBytes(0u), Errno.None, [], "tail_0"),
            slot1 is null ? new ElementSnapshot(BitConverter.GetBytes(1u), Errno.ENOENT, [], null) : new ElementSnapshot(BitConverter.GetBytes(1u), Errno.None, [], slot1),
        ]);

        var same = ProgramRunComparison.Compare(Snapshot("userspace", 0, Slots("tail_1")), Snapshot("kernel", 0, Slots("tail_1")));
        var other = ProgramRunComparison.Compare(Snapshot("userspace", 0, Slots("tail_1")), Snapshot("kernel", 0, Slots("tail_2")));
        var empty = ProgramRunComparison.Compare(Snapshot("userspace", 0, Slots("tail_1")), Snapshot("kernel", 0, Slots(null)));

        Assert.True(same.Agree);
        var d = Assert.Single(other.Differences);
        Assert.Equal(DifferenceKind.ProgArraySlot, d.Kind);
        Assert.Equal("map 'progs' slot 01 00 00 00", d.Where);
        Assert.Equal(("tail_1", "tail_2"), (d.Left, d.Right));
        var e = Assert.Single(empty.Differences);
        Assert.Equal(DifferenceKind.MapElementPresence, e.Kind);
        Assert.Equal(("present", "lookup ENOENT"), (e.Left, e.Right));
    }

    [Fact]
    public void Compare_MapAttributesOrMissingMap_Differences()
    {
        var array = Map("m", MapType.Array, 8, Element(0, new byte[8]));
        var wider = Map("m", MapType.Array, 16, Element(0, new byte[16]));

        var attributes = ProgramRunComparison.Compare(Snapshot("userspace", 0, array), Snapshot("kernel", 0, wider));
        var missing = ProgramRunComparison.Compare(Snapshot("userspace", 0, array), Snapshot("kernel", 0));

        var d = Assert.Single(attributes.Differences);
        Assert.Equal(DifferenceKind.MapAttributes, d.Kind);
        Assert.Contains("value 8B", d.Left, StringComparison.Ordinal);
        Assert.Contains("value 16B", d.Right, StringComparison.Ordinal);
        Assert.Equal("(no such map)", Assert.Single(missing.Differences).Right);
    }

    [Fact]
    public void Compare_OneSideFailed_OutcomeDifference_SameFailureAgrees()
    {
        var ran = Snapshot("userspace", 2);
        var refused = RunSnapshot.Failed("kernel", "load", new BpfException(Errno.EINVAL, "BPF_PROG_LOAD of 'x': EINVAL"));
        var refusedToo = RunSnapshot.Failed("userspace", "load", new BpfException(Errno.EINVAL, "refused"));

        var comparison = ProgramRunComparison.Compare(ran, refused);
        var both = ProgramRunComparison.Compare(refusedToo, refused);

        var d = Assert.Single(comparison.Differences);
        Assert.Equal(DifferenceKind.Outcome, d.Kind);
        Assert.Equal("ran, retval 2 (0x2)", d.Left);
        Assert.Equal("load: BPF_PROG_LOAD of 'x': EINVAL", d.Right);
        Assert.True(both.Agree);
    }

    [Fact]
    public void Capture_TwoRuntimesWithDifferentMapUpdates_DifferInRetvalAndBothCounters()
    {
        var path = ProgRunJson.Path("tests", "SharpBpf.Cli.Tests", "ProgDiff", "objects", "diff.o");
        using var a = new UserspaceBackend();
        using var b = new UserspaceBackend();
        using var left = CollectionLoader.LoadFile(a, path);
        using var right = CollectionLoader.LoadFile(b, path);
        right.Map("counts").Update(BitConverter.GetBytes(0u), BitConverter.GetBytes(41UL));

        var comparison = ProgramRunComparison.Compare(
            RunSnapshot.Capture(left, left.Program("count").TestRun(new byte[64])),
            RunSnapshot.Capture(right, right.Program("count").TestRun(new byte[64])));

        Assert.Equal(["retval", "map 'counts' key 00 00 00 00 offset 0", "map 'counts' key 01 00 00 00 offset 0"],
            comparison.Differences.Select(d => d.Where));
        Assert.Equal("01", comparison.Differences[1].Left);
        Assert.Equal("2a", comparison.Differences[1].Right);
        Assert.Equal("userspace", comparison.Left.Backend);
    }
}
