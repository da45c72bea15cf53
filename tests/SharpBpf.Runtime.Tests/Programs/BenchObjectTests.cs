using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Runtime.Tests.Programs;

/// <summary>
/// The bench objects (testdata/bench/*.o, clang-14) that need no prog array, loaded through BPF_PROG_LOAD and run
/// through BPF_PROG_TEST_RUN with the 64-byte packet: return values and map contents must be exactly those of
/// shared/bench/EXPECTED.md (the kernel's), after 1 and after 1000 runs, both as one test run with repeat and as
/// separate test runs.
/// </summary>
public class BenchObjectTests
{
    /// <summary>EXPECTED.md, array_hist after 1000 runs: <c>hist_slots</c> as slot:count (slots 58-63 zero).</summary>
    private const string HistAfter1000 =
        "0:16 1:15 2:16 3:16 4:15 5:16 6:15 7:15 8:16 9:16 10:16 11:15 12:17 13:15 14:16 15:15 16:16 17:15 18:16 " +
        "19:16 20:15 21:16 22:15 23:15 24:17 25:15 26:15 27:16 28:16 29:16 30:15 31:31 32:17 33:15 34:15 35:16 " +
        "36:16 37:16 38:15 39:16 40:15 41:16 42:16 43:15 44:16 45:15 46:32 47:15 48:16 49:15 50:17 51:15 52:15 " +
        "53:32 54:17 55:18 56:35 57:39";

    /// <summary>Runs <paramref name="prog"/> <paramref name="runs"/> times, in one test run or in separate ones.</summary>
    private static uint RunTimes(ProgramTestKit kit, int prog, uint runs, bool oneTestRun)
    {
        if (oneTestRun)
            return kit.Run(prog, runs).Retval;
        uint retval = 0;
        for (var i = 0; i < runs; i++)
            retval = kit.Run(prog).Retval;
        return retval;
    }

    [Theory]
    [InlineData("nop.o", "nop", 2u)]
    [InlineData("alu_loop.o", "alu_loop", 190592439u)]
    [InlineData("alu_ilp.o", "alu_ilp", 1827812792u)]
    public void StatelessProgram_EveryRun_KernelResult(string file, string name, uint expected)
    {
        using var kit = new ProgramTestKit();
        var prog = BenchObjects.Open(kit, file).Load(name);

        Assert.Equal(expected, kit.Run(prog).Retval);
        Assert.Equal(expected, kit.Run(prog, repeat: 1000).Retval);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ArrayHist_1And1000Runs_KernelHistogram(bool oneTestRun)
    {
        using var kit = new ProgramTestKit();
        var bench = BenchObjects.Open(kit, "array_hist.o");
        var prog = bench.Load("array_hist");
        var counter = bench.MapFd("hist_counter");
        var slots = bench.MapFd("hist_slots");

        Assert.Equal(24u, RunTimes(kit, prog, 1, oneTestRun));
        Assert.Equal(1ul, kit.LookupU64(counter, 0));
        Assert.Equal(1ul, kit.LookupPerCpu(slots, 24).Aggregate((a, b) => a + b));

        Assert.Equal(57u, RunTimes(kit, prog, 999, oneTestRun));

        Assert.Equal(1000ul, kit.LookupU64(counter, 0));
        var expected = new ulong[64];
        foreach (var pair in HistAfter1000.Split(' '))
        {
            var parts = pair.Split(':');
            expected[int.Parse(parts[0])] = ulong.Parse(parts[1]);
        }

        var actual = Enumerable.Range(0, 64).Select(s => kit.LookupPerCpu(slots, (uint)s).Aggregate((a, b) => a + b)).ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void ArraySum_FilledWithSquares_KernelSumAndMapUnchanged()
    {
        using var kit = new ProgramTestKit();
        var bench = BenchObjects.Open(kit, "array_sum.o");
        var prog = bench.Load("array_sum");
        var map = bench.MapFd("sum_vals");
        for (var k = 0u; k < 256; k++)
            Assert.Equal(Errno.None, kit.Backend.MapUpdateElem(map, ProgramTestKit.Key(k), ProgramTestKit.U64((k + 1) * (k + 1)), 0));

        Assert.Equal(5625216u, kit.Run(prog).Retval);
        Assert.Equal(5625216u, kit.Run(prog, repeat: 1000).Retval);

        for (var k = 0u; k < 256; k++)
            Assert.Equal((k + 1UL) * (k + 1), kit.LookupU64(map, k));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GlobalData_1And1000Runs_KernelStateThroughDirectValueAccess(bool oneTestRun)
    {
        using var kit = new ProgramTestKit();
        var bench = BenchObjects.Open(kit, "global_data.o");
        var prog = bench.Load("global_data");
        var bss = bench.MapFd("global_d.bss");
        var data = bench.MapFd("global_d.data");
        var rodata = bench.MapFd("global_d.rodata");

        Assert.Equal(50444617u, RunTimes(kit, prog, 1, oneTestRun));
        Assert.Equal(1ul, kit.LookupU64(bss, 0));
        Assert.Equal(433315962919513060ul, kit.LookupU64(data, 0));

        Assert.Equal(919464610u, RunTimes(kit, prog, 999, oneTestRun));
        Assert.Equal(1000ul, kit.LookupU64(bss, 0));
        Assert.Equal(7898140859989670483ul, kit.LookupU64(data, 0));
        Assert.Equal(6364136223846793005ul, kit.LookupU64(rodata, 0));
        Assert.Equal(Errno.None, kit.Backend.ProgGetInfo(prog, out var info));
        Assert.Equal(3, info.MapIds.Count);
    }

    [Fact]
    public void GlobalData_RodataIsReadOnlyForPrograms()
    {
        using var kit = new ProgramTestKit();
        var bench = BenchObjects.Open(kit, "global_data.o");
        var rodata = bench.MapFd("global_d.rodata");
        // A program that tries to store into .rodata: the value region is read-only, the run faults.
        var prog = kit.LoadXdp([.. ProgramAsm.LdMapValue(ProgramAsm.R1, rodata, 0), ProgramAsm.StDw(ProgramAsm.R1, 0, 1),
            .. ProgramAsm.ReturnConstant(2)]);

        Assert.Equal(Errno.EFAULT, kit.Backend.ProgTestRun(prog, new TestRunAttr { DataIn = ProgramTestKit.Packet }, out _));
        Assert.Equal(6364136223846793005ul, kit.LookupU64(rodata, 0));
    }
}
