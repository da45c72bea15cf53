using SharpBpf.Backend;
using SharpBpf.Cli.Commands;
using static SharpBpf.Cli.Tests.CliRunner;

namespace SharpBpf.Cli.Tests.ProgRun;

/// <summary>
/// <c>--mode interpreter|jit</c> and <c>--trusted</c> on <c>prog run</c>, and the shared <c>--backend</c> option on
/// every command that loads something.
/// </summary>
public sealed class ProgRunModeTests
{
    private static string Bench(string name) => ProgRunJson.Path("testdata", "bench", name);

    private static string Sample => ProgRunJson.Path("samples", "latency-histogram", "histogram.o");

    [Theory]
    [InlineData(null, false, ExecutionMode.Jit)]
    [InlineData("jit", false, ExecutionMode.Jit)]
    [InlineData("jit", true, ExecutionMode.JitTrusted)]
    [InlineData(null, true, ExecutionMode.JitTrusted)]
    [InlineData("interpreter", false, ExecutionMode.Interpreter)]
    public void Resolve_ModeAndTrusted_ExecutionMode(string? mode, bool trusted, ExecutionMode expected)
    {
        // This runtime generates code, so the default is the JIT (elsewhere it is the interpreter).
        Assert.True(Runtime.Jit.JitProgram.IsSupported);

        Assert.Equal(expected, ModeOption.Resolve(mode, trusted));
    }

    [Theory]
    [InlineData("interpreter", "on userspace, interpreter")]
    [InlineData("jit", "on userspace, jit")]
    public void ProgRun_Mode_NamedInTheOutput(string mode, string expected)
    {
        var (exit, output, error) = Run("prog", "run", Bench("nop.o"), "--mode", mode);

        Assert.True(exit == 0, error);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Fact]
    public void ProgRun_NoMode_DefaultsToTheJit()
    {
        var (exit, output, _) = Run("prog", "run", Bench("nop.o"));

        Assert.Equal(0, exit);
        Assert.Contains("program: nop (xdp, section xdp) on userspace, jit", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ProgRun_Trusted_RunsTheTrustedJit()
    {
        var (exit, output, error) = Run("prog", "run", Bench("array_sum.o"), "--mode", "jit", "--trusted", "--json");

        Assert.True(exit == 0, error);
        Assert.Equal(ProgRunJson.Parse(Run("prog", "run", Bench("array_sum.o"), "--mode", "interpreter", "--json").Out).Retval, ProgRunJson.Parse(output).Retval);
    }

    [Theory]
    [InlineData("array_hist.o")]
    [InlineData("array_sum.o")]
    [InlineData("global_data.o")]
    [InlineData("alu_loop.o")]
    public void ProgRun_InterpreterAndJit_SameRetvalDataOutAndMaps(string obj)
    {
        var interpreter = ProgRunJson.Parse(Run("prog", "run", Bench(obj), "--repeat", "1000", "--mode", "interpreter", "--json").Out);
        var jit = ProgRunJson.Parse(Run("prog", "run", Bench(obj), "--repeat", "1000", "--mode", "jit", "--json").Out);

        Assert.Equal(interpreter.Retval, jit.Retval);
        Assert.Equal(interpreter.Root.GetProperty("data_out").GetString(), jit.Root.GetProperty("data_out").GetString());
        Assert.Equal(interpreter.Root.GetProperty("maps").ToString(), jit.Root.GetProperty("maps").ToString());
    }

    [Fact]
    public void ProgRun_ReadmeFirstCommand_SameHistogramInBothModes()
    {
        // README's first command (JIT by default now) draws the same bars as the interpreter: the sample's latencies
        // are derived from the run count, not from time.
        var (exitJit, jit, _) = Run("prog", "run", Sample, "--repeat", "10000", "--histogram", "latency_ns");
        var (exitInterpreter, interpreter, _) = Run("prog", "run", Sample, "--repeat", "10000", "--histogram", "latency_ns", "--mode", "interpreter");

        Assert.Equal(0, exitJit);
        Assert.Equal(0, exitInterpreter);
        static string Bars(string text) => text[text.IndexOf("histogram of map", StringComparison.Ordinal)..];
        Assert.Equal(Bars(interpreter), Bars(jit));
        Assert.Contains("10000", jit, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad mode", new[] { "prog", "run", "@nop.o", "--mode", "turbo" }, "--mode 'turbo': use interpreter or jit")]
    [InlineData("trusted interpreter", new[] { "prog", "run", "@nop.o", "--mode", "interpreter", "--trusted" }, "--trusted applies to the JIT")]
    [InlineData("bad backend on map dump", new[] { "map", "dump", "@array_sum.o", "sum_vals", "--backend", "gpu" }, "--backend 'gpu': use userspace or kernel")]
    [InlineData("bad backend on prog run", new[] { "prog", "run", "@nop.o", "--backend", "gpu" }, "--backend 'gpu': use userspace or kernel")]
    [InlineData("bad backend on feature probe", new[] { "feature", "probe", "--backend", "gpu" }, "--backend 'gpu': use userspace or kernel")]
    public void Command_BadModeOrBackend_Exit2WithOneMessage(string row, string[] args, string message)
    {
        var resolved = args.Select(a => a.StartsWith('@') ? Bench(a[1..]) : a).ToArray();

        var (exit, _, error) = Run(resolved);

        Assert.True(exit == 2, $"{row}: exit {exit}, {error}");
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void MapDump_KernelBackend_SameAsUserspace()
    {
        Skip.IfNot(Linux.LinuxBackend.IsSupported(out var reason), $"bpf(2) is not usable here: {reason}");

        var kernel = Run("map", "dump", Bench("global_data.o"), "global_d.rodata", "--backend", "kernel", "--json");
        var user = Run("map", "dump", Bench("global_data.o"), "global_d.rodata", "--json");

        Assert.Equal(0, kernel.Exit);
        Assert.Equal(user.Out, kernel.Out);
    }

    [SkippableFact]
    public void ProgRun_KernelBackend_ModeIgnoredAndNotPrinted()
    {
        Skip.IfNot(Linux.LinuxBackend.IsSupported(out var reason), $"bpf(2) is not usable here: {reason}");

        var (exit, output, error) = Run("prog", "run", Bench("nop.o"), "--backend", "kernel", "--mode", "interpreter");

        Assert.True(exit == 0, error);
        Assert.Contains("program: nop (xdp, section xdp) on kernel\n", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }
}
