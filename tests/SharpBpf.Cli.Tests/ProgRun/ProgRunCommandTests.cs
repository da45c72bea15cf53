using System.Text.Json;
using static SharpBpf.Cli.Tests.CliRunner;

namespace SharpBpf.Cli.Tests.ProgRun;

public sealed class ProgRunCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpbpf-prog-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Bench(string name) => ProgRunJson.Path("testdata", "bench", name);

    [Fact]
    public void ProgRunJson_Shape_IsTheIssuesInterface()
    {
        var (exit, output, _) = Run("prog", "run", Bench("array_hist.o"), "--json");

        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal(["program", "retval", "repeat", "duration_ns", "data_out", "trace", "maps"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("array_hist", root.GetProperty("program").GetString());
        Assert.Equal(128, root.GetProperty("data_out").GetString()!.Length);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("trace").ValueKind);
        var slots = root.GetProperty("maps").GetProperty("hist_slots");
        Assert.Equal(["type", "key_size", "value_size", "max_entries", "entries"], slots.EnumerateObject().Select(p => p.Name));
        Assert.Equal("percpu_array", slots.GetProperty("type").GetString());
        Assert.Equal(64u, slots.GetProperty("max_entries").GetUInt32());
        var entry = slots.GetProperty("entries")[0];
        Assert.Equal(["key", "values"], entry.EnumerateObject().Select(p => p.Name));
        Assert.Equal("0x18", entry.GetProperty("key")[0].GetString());
        Assert.Equal(["cpu", "value"], entry.GetProperty("values")[0].EnumerateObject().Select(p => p.Name));
        var counter = root.GetProperty("maps").GetProperty("hist_counter").GetProperty("entries")[0];
        Assert.Equal(["key", "value"], counter.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["0x01", "0x00", "0x00", "0x00", "0x00", "0x00", "0x00", "0x00"], counter.GetProperty("value").EnumerateArray().Select(b => b.GetString()));
    }

    [Fact]
    public void ProgRun_Text_PrintsRetvalDataOutAndMapsLikeBpftool()
    {
        var (exit, output, _) = Run("prog", "run", Bench("array_hist.o"));

        Assert.Equal(0, exit);
        Assert.Contains("retval: 24 (0x18)", output, StringComparison.Ordinal);
        Assert.Contains("data_out: 64 bytes", output, StringComparison.Ordinal);
        Assert.Contains("key: 00 00 00 00  value: 01 00 00 00 00 00 00 00", output, StringComparison.Ordinal);
        Assert.Contains("key:\n18 00 00 00\nvalue (CPU 00): ", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void ProgRun_DataInAndOutFiles_RoundTripThePacket()
    {
        var input = Path.Combine(_dir, "in.bin");
        var output = Path.Combine(_dir, "out.bin");
        var packet = Enumerable.Range(0, 60).Select(i => (byte)i).ToArray();
        File.WriteAllBytes(input, packet);

        var (exit, _, error) = Run("prog", "run", Bench("nop.o"), "--data-in", input, "--data-out", output);

        Assert.True(exit == 0, error);
        Assert.Equal(packet, File.ReadAllBytes(output));
    }

    [Fact]
    public void ProgRun_Sample_DrawsAHistogramOfEveryRun()
    {
        var (exit, output, error) = Run("prog", "run", ProgRunJson.Path("samples", "latency-histogram", "histogram.o"),
            "--repeat", "10000", "--histogram", "latency_ns");

        Assert.True(exit == 0, error);
        Assert.Contains("total: 10000", output, StringComparison.Ordinal);
        var bars = output.Split('\n').Where(l => l.Contains(" -> ", StringComparison.Ordinal) && l.Contains('|', StringComparison.Ordinal)).ToList();
        Assert.True(bars.Count >= 5, output);
        Assert.Equal(10000, bars.Sum(l => int.Parse(l.Split(':')[1].Split('|')[0].Trim(), System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains(bars, l => l.Contains(new string('*', 40), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("missing object", new[] { "prog", "run", "no-such.o" }, "no such object file")]
    [InlineData("unknown type", new[] { "prog", "run", "@nop.o", "--type", "bogus" }, "is not a program type")]
    [InlineData("unknown program", new[] { "prog", "run", "@nop.o", "--program", "nope" }, "has no program 'nope'")]
    [InlineData("program and section", new[] { "prog", "run", "@nop.o", "--program", "nop", "--section", "xdp" }, "not both")]
    [InlineData("unknown map", new[] { "prog", "run", "@nop.o", "--map-update", "nope", "0", "0" }, "has no map 'nope'")]
    [InlineData("bad key", new[] { "prog", "run", "@array_sum.o", "--map-update", "sum_vals", "x", "0" }, "is not an integer")]
    [InlineData("key too large", new[] { "prog", "run", "@array_sum.o", "--map-update", "sum_vals", "4294967296", "0" }, "does not fit 4 bytes")]
    [InlineData("value byte count", new[] { "prog", "run", "@array_sum.o", "--map-update", "sum_vals", "0", "hex 01 02" }, "has 2 bytes")]
    [InlineData("map-update arity", new[] { "prog", "run", "@array_sum.o", "--map-update", "sum_vals", "0" }, "map-update")]
    [InlineData("unknown section needs type", new[] { "prog", "run", "@tail_chain.o", "--section", "xdp" }, "--type")]
    [InlineData("several programs", new[] { "prog", "run", "@tail_chain.o", "--type", "xdp" }, "choose one")]
    [InlineData("cpu on xdp", new[] { "prog", "run", "@nop.o", "--cpu", "1" }, "raw_tracepoint")]
    [InlineData("repeat 0", new[] { "prog", "run", "@nop.o", "--repeat", "0" }, "--repeat")]
    [InlineData("missing data-in", new[] { "prog", "run", "@nop.o", "--data-in", "/no/such/file" }, "no such file")]
    [InlineData("bad backend", new[] { "prog", "run", "@nop.o", "--backend", "gpu" }, "userspace or kernel")]
    [InlineData("histogram of a non-counter map", new[] { "prog", "run", "@tail_chain.o", "--type", "xdp", "--section", "xdp", "--histogram", "chain_progs" }, "u64 values")]
    public void ProgRun_BadArgument_Exit2WithOneMessage(string row, string[] args, string message)
    {
        var resolved = args.Select(a => a.StartsWith('@') ? Bench(a[1..]) : a).ToArray();

        var (exit, _, error) = Run(resolved);

        Assert.True(exit == 2, $"{row}: exit {exit}, {error}");
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ProgRun_MalformedObject_Exit2NamingTheSection()
    {
        var path = Path.Combine(_dir, "bad.o");
        var bytes = File.ReadAllBytes(Bench("nop.o"));
        bytes[5] = 2; // big-endian
        File.WriteAllBytes(path, bytes);

        var (exit, _, error) = Run("prog", "run", path);

        Assert.Equal(2, exit);
        Assert.Contains("malformed BPF object", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ProgShow_ListsProgramsAndMaps()
    {
        var (exit, output, _) = Run("prog", "show", Bench("tail_chain.o"));

        Assert.Equal(0, exit);
        Assert.Contains("prog tail_entry  section xdp  type xdp", output, StringComparison.Ordinal);
        Assert.Contains("prog tail_3  section xdp/tail_3  type unknown section: needs --type", output, StringComparison.Ordinal);
        Assert.Contains("map chain_progs  prog_array  key 4B  value 4B  max_entries 8", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ProgDump_KernelSyntaxWithSourceLinesAndMapNames()
    {
        var (exit, output, _) = Run("prog", "dump", Bench("array_hist.o"));

        Assert.Equal(0, exit);
        Assert.Contains("array_hist:", output, StringComparison.Ordinal);
        Assert.Contains("; ", output, StringComparison.Ordinal);
        Assert.Contains("[array_hist.c:", output, StringComparison.Ordinal);
        Assert.Contains("(18) r1 = map[hist_counter]", output, StringComparison.Ordinal);
        Assert.Contains("(85) call bpf_map_lookup_elem#1", output, StringComparison.Ordinal);
    }

    [Fact]
    public void MapDump_GlobalData_ShowsTheInitialValue()
    {
        var (exit, output, _) = Run("map", "dump", Bench("global_data.o"), "global_d.rodata", "--json");

        Assert.Equal(0, exit);
        var entries = JsonDocument.Parse(output).RootElement;
        Assert.Equal(6364136223846793005UL, BitConverter.ToUInt64(ProgRunJson.Bytes(entries[0].GetProperty("value"))));
    }

    [SkippableFact]
    public void ProgRun_KernelBackend_SameResultsAsTheRuntime()
    {
        Skip.IfNot(Linux.LinuxBackend.IsSupported(out var reason), reason);

        var kernel = ProgRunJson.Parse(Run("prog", "run", Bench("global_data.o"), "--repeat", "1000", "--json", "--backend", "kernel").Out);
        var runtime = ProgRunJson.Parse(Run("prog", "run", Bench("global_data.o"), "--repeat", "1000", "--json").Out);

        Assert.Equal(kernel.Retval, runtime.Retval);
        Assert.Equal(kernel.Root.GetProperty("data_out").GetString(), runtime.Root.GetProperty("data_out").GetString());
        Assert.Equal(kernel.Root.GetProperty("maps").ToString(), runtime.Root.GetProperty("maps").ToString());
    }
}
