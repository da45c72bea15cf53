using System.Globalization;
using static SharpBpf.Cli.Tests.CliRunner;

namespace SharpBpf.Cli.Tests.ProgRun;

/// <summary>
/// Every bench program (testdata/bench, clang-14 objects) through <c>sharpbpf prog run --json</c> in-process, after
/// 1 and after 1000 runs, against the kernel's results recorded in ../shared/bench/EXPECTED.md: the return value
/// and every map. The input is EXPECTED.md's packet, prog run's default.
/// </summary>
public sealed class BenchProgRunTests
{
    private static ProgRunJson RunBench(string obj, uint repeat, params string[] extra)
    {
        var (exit, output, error) = Run(["prog", "run", ProgRunJson.Path("testdata", "bench", obj), "--repeat",
            repeat.ToString(CultureInfo.InvariantCulture), "--json", .. extra]);
        Assert.True(exit == 0, $"{obj}: exit {exit}: {error}");
        return ProgRunJson.Parse(output);
    }

    [Theory]
    [InlineData("nop.o", 1u, 2u)]
    [InlineData("nop.o", 1000u, 2u)]
    [InlineData("alu_loop.o", 1u, 190592439u)]
    [InlineData("alu_loop.o", 1000u, 190592439u)]
    [InlineData("alu_ilp.o", 1u, 1827812792u)]
    [InlineData("alu_ilp.o", 1000u, 1827812792u)]
    public void ProgRun_StatelessBench_ReturnsTheKernelsValueOnEveryRun(string obj, uint repeat, uint expected)
    {
        var result = RunBench(obj, repeat);

        Assert.Equal(expected, result.Retval);
        Assert.Equal(repeat, result.Root.GetProperty("repeat").GetUInt32());
        Assert.Empty(result.Root.GetProperty("maps").EnumerateObject());
    }

    /// <summary>EXPECTED.md's model of array_hist: run n bumps slot s(n) and returns it.</summary>
    private static uint Slot(ulong n)
    {
        var h = unchecked(n * 0x9E3779B97F4A7C15UL);
        var lat = h >> (int)(h >> 58);
        return lat == 0 ? 0 : (uint)(63 - ulong.LeadingZeroCount(lat));
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(1000u)]
    public void ProgRun_ArrayHist_CounterAndSlotsAsTheKernel(uint runs)
    {
        var result = RunBench("array_hist.o", runs);

        var expectedSlots = new Dictionary<uint, ulong>();
        for (var n = 1UL; n <= runs; n++)
            expectedSlots[Slot(n)] = expectedSlots.GetValueOrDefault(Slot(n)) + 1;
        Assert.Equal(Slot(runs), result.Retval);
        Assert.Equal(new Dictionary<uint, ulong> { [0] = runs }, result.U64s("hist_counter"));
        Assert.Equal(expectedSlots.OrderBy(p => p.Key), result.U64s("hist_slots").OrderBy(p => p.Key));
        // The literal figures of EXPECTED.md, so the model above cannot drift from them.
        if (runs == 1)
        {
            Assert.Equal(24u, result.Retval);
            Assert.Equal(1UL, result.U64s("hist_slots")[24]);
        }
        else
        {
            Assert.Equal(57u, result.Retval);
            Assert.Equal(39UL, result.U64s("hist_slots")[57]);
            Assert.Equal(31UL, result.U64s("hist_slots")[31]);
            Assert.DoesNotContain(result.U64s("hist_slots").Keys, k => k >= 58);
        }

        // Per-CPU values land on the one CPU that ran the program.
        Assert.Single(result.PerCpu("hist_slots", Slot(runs)), v => v != 0);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(1000u)]
    public void ProgRun_ArraySum_SumsTheFilledMapAndLeavesItUnchanged(uint runs)
    {
        var updates = new List<string>();
        var filled = new Dictionary<uint, ulong>();
        for (var k = 0u; k < 256; k++)
        {
            updates.AddRange(["--map-update", "sum_vals", k.ToString(CultureInfo.InvariantCulture), ((k + 1) * (k + 1)).ToString(CultureInfo.InvariantCulture)]);
            filled[k] = (ulong)(k + 1) * (k + 1);
        }

        var result = RunBench("array_sum.o", runs, [.. updates]);

        Assert.Equal(5625216u, result.Retval);
        Assert.Equal(filled, result.U64s("sum_vals"));
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(1000u)]
    public void ProgRun_TailChain_PassesAndCountsEverySlot(uint runs)
    {
        var updates = new List<string> { "--type", "xdp", "--section", "xdp" };
        for (var i = 0; i < 8; i++)
            updates.AddRange(["--map-update", "chain_progs", i.ToString(CultureInfo.InvariantCulture), $"prog tail_{i}"]);

        var result = RunBench("tail_chain.o", runs, [.. updates]);

        Assert.Equal(2u, result.Retval);
        Assert.Equal(Enumerable.Range(0, 8).ToDictionary(i => (uint)i, _ => (ulong)runs), result.U64s("chain_hits"));
        Assert.Equal(8, result.U64s("chain_progs").Count);
    }

    [Theory]
    [InlineData(1u, 50444617u, 433315962919513060UL)]
    [InlineData(1000u, 919464610u, 7898140859989670483UL)]
    public void ProgRun_GlobalData_StateRunsAndMultiplierAsTheKernel(uint runs, uint retval, ulong state)
    {
        var result = RunBench("global_data.o", runs);

        Assert.Equal(retval, result.Retval);
        Assert.Equal(state, result.U64s("global_d.data")[0]);
        Assert.Equal(runs, result.U64s("global_d.bss")[0]);
        Assert.Equal(6364136223846793005UL, result.U64s("global_d.rodata")[0]);
        // The model: gd_state = gd_state * gd_mult + n from 1442695040888963407.
        var model = 1442695040888963407UL;
        for (var n = 1UL; n <= runs; n++)
            model = unchecked((model * 6364136223846793005UL) + n);
        Assert.Equal(model, state);
        Assert.Equal((uint)(model >> 33), retval);
    }
}
