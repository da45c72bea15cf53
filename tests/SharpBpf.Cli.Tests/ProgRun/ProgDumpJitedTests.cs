using System.Text.Json;
using static SharpBpf.Cli.Tests.CliRunner;

namespace SharpBpf.Cli.Tests.ProgRun;

/// <summary><c>sharpbpf prog dump OBJ --program NAME --jited</c>: the IL the userspace runtime's JIT generates.</summary>
public sealed class ProgDumpJitedTests
{
    private static string Bench(string name) => ProgRunJson.Path("testdata", "bench", name);

    [SkippableFact]
    public void ProgDumpJited_ArrayHist_EachInstructionAboveItsIl()
    {
        Skip.IfNot(Runtime.Jit.JitProgram.IsSupported, "this runtime cannot generate code");

        var (exit, output, error) = Run("prog", "dump", Bench("array_hist.o"), "--jited");

        Assert.True(exit == 0, error);
        Assert.StartsWith("program array_hist: 88 BPF instruction slots -> ", output, StringComparison.Ordinal);
        Assert.Contains(" bytes of IL (checked), generated in ", output, StringComparison.Ordinal);
        var text = output.ReplaceLineEndings("\n");
        var pc0 = text.IndexOf("// pc 0: r6 = 0\n", StringComparison.Ordinal);
        Assert.True(pc0 > 0, output);
        Assert.Contains("stloc r6", text[pc0..], StringComparison.Ordinal);
        Assert.Contains("// pc 1: *(u32 *)(r10 -4) = r6", text, StringComparison.Ordinal);
        Assert.Contains("ret", text, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ProgDumpJited_TrustedTailProgram_SaysTrusted()
    {
        Skip.IfNot(Runtime.Jit.JitProgram.IsSupported, "this runtime cannot generate code");

        var (exit, output, error) = Run("prog", "dump", Bench("tail_chain.o"), "--program", "tail_3", "--type", "xdp", "--jited", "--trusted");

        Assert.True(exit == 0, error);
        Assert.Contains("program tail_3: ", output, StringComparison.Ordinal);
        Assert.Contains("(trusted: unchecked memory accesses)", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ProgDumpJited_Json_SizeAndListing()
    {
        Skip.IfNot(Runtime.Jit.JitProgram.IsSupported, "this runtime cannot generate code");

        var (exit, output, _) = Run("prog", "dump", Bench("nop.o"), "--jited", "--json");

        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal("nop", root.GetProperty("program").GetString());
        Assert.Equal(2, root.GetProperty("insns").GetInt32());
        Assert.True(root.GetProperty("il_size").GetInt32() > 0);
        Assert.False(root.GetProperty("trusted").GetBoolean());
        Assert.Contains("// pc 1: exit", root.GetProperty("listing").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "prog", "dump", "@nop.o", "--trusted" }, "--trusted and --type apply to --jited")]
    [InlineData(new[] { "prog", "dump", "@tail_chain.o", "--program", "tail_3", "--jited" }, "--type")]
    [InlineData(new[] { "prog", "dump", "@tail_chain.o", "--jited", "--type", "xdp" }, "choose one")]
    public void ProgDumpJited_BadArgument_Exit2(string[] args, string message)
    {
        var (exit, _, error) = Run(args.Select(a => a.StartsWith('@') ? Bench(a[1..]) : a).ToArray());

        Assert.True(exit == 2, error);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }
}
