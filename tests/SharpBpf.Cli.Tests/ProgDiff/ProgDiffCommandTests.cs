using System.Globalization;
using System.Text.Json;
using SharpBpf.Cli.Tests.ProgRun;
using static SharpBpf.Cli.Tests.CliRunner;

namespace SharpBpf.Cli.Tests.ProgDiff;

/// <summary>
/// <c>sharpbpf prog diff</c> in-process on this machine's kernel and the userspace runtime: every bench object agrees
/// (exit 0), programs whose results cannot agree (bpf_get_prandom_u32, objects/diff.c) exit 1 naming the difference,
/// bad arguments exit 2. Skipped with the kernel's reason where bpf(2) is not usable.
/// </summary>
public sealed class ProgDiffCommandTests
{
    private static string Bench(string name) => ProgRunJson.Path("testdata", "bench", name);

    private static string DiffObject => ProgRunJson.Path("tests", "SharpBpf.Cli.Tests", "ProgDiff", "objects", "diff.o");

    private static void RequireKernel() =>
        Skip.IfNot(Linux.LinuxBackend.IsSupported(out var reason), $"bpf(2) is not usable here: {reason}");

    /// <summary>Every object in testdata/bench, with the arguments it needs to run (tail_chain: its entry and the filled prog array).</summary>
    public static TheoryData<string, string> BenchObjects()
    {
        var data = new TheoryData<string, string>();
        foreach (var path in Directory.EnumerateFiles(System.IO.Path.GetDirectoryName(Bench("nop.o"))!, "*.o").Order(StringComparer.Ordinal))
        {
            foreach (var mode in new[] { "jit", "interpreter" })
                data.Add(System.IO.Path.GetFileName(path), mode);
        }

        return data;
    }

    private static string[] ArgsFor(string obj)
    {
        if (obj != "tail_chain.o")
            return [];
        // xdp/tail_i are not libbpf section names; the slots must hold tail_i for the chain to run (testdata/bench/README.md).
        var args = new List<string> { "--type", "xdp", "--program", "tail_entry" };
        for (var i = 0; i < 8; i++)
            args.AddRange(["--map-update", "chain_progs", i.ToString(CultureInfo.InvariantCulture), $"prog tail_{i}"]);
        return [.. args];
    }

    [SkippableTheory]
    [MemberData(nameof(BenchObjects))]
    public void ProgDiff_BenchObject_AgreesAfterOneAndThousandRuns(string obj, string mode)
    {
        RequireKernel();
        foreach (var repeat in new[] { "1", "1000" })
        {
            var (exit, output, error) = Run(["prog", "diff", Bench(obj), "--repeat", repeat, "--mode", mode, "--json", .. ArgsFor(obj)]);

            Assert.True(exit == 0, $"{obj} --repeat {repeat} --mode {mode}: exit {exit}\n{output}{error}");
            var root = JsonDocument.Parse(output).RootElement;
            Assert.True(root.GetProperty("agree").GetBoolean());
            Assert.Equal(mode, root.GetProperty("mode").GetString());
            var retvals = root.GetProperty("outcome").EnumerateObject().Select(p => p.Value.GetProperty("retval").GetUInt32()).ToList();
            Assert.Equal(2, retvals.Count);
            Assert.Equal(retvals[0], retvals[1]);
            // Every difference listed on an agreeing run is a documented divergence.
            Assert.All(root.GetProperty("differences").EnumerateArray(), d => Assert.NotNull(d.GetProperty("known_divergence").GetString()));
        }
    }

    [SkippableFact]
    public void ProgDiff_TailChain_ComparesSlotsAndHitsOfTheWholeChain()
    {
        RequireKernel();

        var (exit, output, error) = Run(["prog", "diff", Bench("tail_chain.o"), "--repeat", "10", .. ArgsFor("tail_chain.o")]);

        Assert.True(exit == 0, output + error);
        Assert.StartsWith("program: tail_entry (xdp), repeat 10: userspace (", output, StringComparison.Ordinal);
        // outcome, retval, data_out, ctx_out, 2 maps and their 8 + 8 elements.
        Assert.Contains("agree: 22 items compared, no difference", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ProgDiff_MapUpdates_AppliedOnBothSides()
    {
        RequireKernel();

        var (exit, output, error) = Run("prog", "diff", DiffObject, "--program", "count", "--repeat", "9", "--map-update", "counts", "0", "41", "--json");

        Assert.True(exit == 0, output + error);
        var outcome = JsonDocument.Parse(output).RootElement.GetProperty("outcome");
        Assert.Equal(50u, outcome.GetProperty("userspace").GetProperty("retval").GetUInt32());
        Assert.Equal(50u, outcome.GetProperty("kernel").GetProperty("retval").GetUInt32());
    }

    [SkippableFact]
    public void ProgDiff_FdArrayMaps_SlotsComparedByLookupErrno()
    {
        RequireKernel();

        var (exit, output, error) = Run("prog", "diff", DiffObject, "--program", "fd_arrays", "--json");

        Assert.True(exit == 0, output + error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal(13u, root.GetProperty("outcome").GetProperty("kernel").GetProperty("retval").GetUInt32()); // ENOENT + EAGAIN
        Assert.Equal(13u, root.GetProperty("outcome").GetProperty("userspace").GetProperty("retval").GetUInt32());
        // outcome, retval, data_out, ctx_out; 5 maps; 4 + 2 + 1 + 2 + 2 elements.
        Assert.Equal(20, root.GetProperty("compared").GetInt32());
    }

    [SkippableFact]
    public void ProgDiff_RandomRetval_Exit1WithTheRetvalDifference()
    {
        RequireKernel();

        var (exit, output, _) = Run("prog", "diff", DiffObject, "--program", "random_retval");

        // bpf_get_prandom_u32 on two backends: equal only with probability 2^-32.
        Assert.Equal(1, exit);
        Assert.Contains("DIFF  retval: userspace ", output, StringComparison.Ordinal);
        Assert.Contains("differ: ", output, StringComparison.Ordinal);
        Assert.Contains("1 difference", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ProgDiff_RandomMapValue_Exit1NamingMapKeyAndOffset()
    {
        RequireKernel();

        var (exit, output, _) = Run("prog", "diff", DiffObject, "--program", "random_map", "--json");

        Assert.Equal(1, exit);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.False(root.GetProperty("agree").GetBoolean());
        var difference = Assert.Single(root.GetProperty("differences").EnumerateArray());
        Assert.Equal("map_value", difference.GetProperty("kind").GetString());
        Assert.Equal("drawn", difference.GetProperty("map").GetString());
        Assert.Equal("00 00 00 00", difference.GetProperty("key").GetString());
        Assert.Equal(0, difference.GetProperty("offset").GetInt32());
        Assert.Equal(JsonValueKind.Null, difference.GetProperty("known_divergence").ValueKind);
        Assert.NotEqual(difference.GetProperty("left").GetString(), difference.GetProperty("right").GetString());
    }

    [SkippableFact]
    public void ProgDiff_BothSidesRefuseTheSame_Exit1WithTheError()
    {
        RequireKernel();

        // Index 7 of a 4-entry array: E2BIG from BPF_MAP_UPDATE_ELEM on both backends; nothing ran, so exit 1.
        var (exit, output, error) = Run("prog", "diff", DiffObject, "--program", "count", "--map-update", "counts", "7", "1");

        Assert.Equal(1, exit);
        Assert.Contains("agree: ", output, StringComparison.Ordinal);
        Assert.Contains("both backends failed the same way", error, StringComparison.Ordinal);
        Assert.Contains("E2BIG", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing object", new[] { "prog", "diff", "/no/such.o" }, "no such object file")]
    [InlineData("bad mode", new[] { "prog", "diff", "@nop.o", "--mode", "turbo" }, "use interpreter or jit")]
    [InlineData("trusted interpreter", new[] { "prog", "diff", "@nop.o", "--mode", "interpreter", "--trusted" }, "--trusted")]
    [InlineData("repeat 0", new[] { "prog", "diff", "@nop.o", "--repeat", "0" }, "--repeat")]
    [InlineData("several programs", new[] { "prog", "diff", "@tail_chain.o", "--type", "xdp" }, "choose one")]
    [InlineData("unknown section needs type", new[] { "prog", "diff", "@tail_chain.o", "--program", "tail_entry" }, "--type")]
    [InlineData("unknown map", new[] { "prog", "diff", "@nop.o", "--map-update", "nope", "0", "0" }, "has no map 'nope'")]
    [InlineData("no backend option", new[] { "prog", "diff", "@nop.o", "--backend", "kernel" }, "--backend")]
    public void ProgDiff_BadArgument_Exit2WithOneMessage(string row, string[] args, string message)
    {
        var resolved = args.Select(a => a.StartsWith('@') ? Bench(a[1..]) : a).ToArray();

        var (exit, _, error) = Run(resolved);

        Assert.True(exit == 2, $"{row}: exit {exit}, {error}");
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }
}
