using System.Text.Json;
using static SharpBpf.Cli.Tests.CliRunner;

namespace SharpBpf.Cli.Tests;

/// <summary>
/// <c>--backend kernel</c> on <c>conformance</c> and <c>run</c>: programs wrapped by the VERIFY.md harness
/// (SharpBpf.Diff.ConformanceHarness) and run by this machine's kernel; skipped with the reason where bpf(2) is not usable.
/// </summary>
public sealed class KernelBackendCommandTests
{
    private static void RequireKernel() =>
        Skip.IfNot(Linux.LinuxBackend.IsSupported(out var reason), $"bpf(2) is not usable here: {reason}");

    [SkippableFact]
    public void Conformance_Kernel_300PassAnd13DocumentedRefusals()
    {
        RequireKernel();

        var (exit, output, error) = Run("conformance", ConformanceRoot, "--backend", "kernel", "--json");

        Assert.True(exit == 0, output + error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal(300, root.GetProperty("passed").GetInt32());
        Assert.Equal(0, root.GetProperty("failed").GetInt32());
        Assert.Equal(13, root.GetProperty("skipped").GetInt32());
        var skipped = root.GetProperty("files").EnumerateArray().Where(f => f.GetProperty("verdict").GetString() == "skipped").ToList();
        Assert.All(skipped, f => Assert.StartsWith("known divergence (EINVAL: ", f.GetProperty("message").GetString(), StringComparison.Ordinal));
        Assert.Contains(skipped, f => f.GetProperty("message").GetString()!.Contains("unknown opcode 8d", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Run_Kernel_SameR0AsTheInterpreter()
    {
        RequireKernel();
        const string program = "b700000007000000 0700000003000000 2700000006000000 9500000000000000"; // r0 = 7; r0 += 3; r0 *= 6

        var kernel = Run("run", "--hex", program, "--backend", "kernel");
        var user = Run("run", "--hex", program);

        Assert.Equal(0, kernel.Exit);
        Assert.Equal("r0 = 0x3c (60)", kernel.Out.Trim());
        Assert.Equal(user.Out, kernel.Out);
    }

    [SkippableFact]
    public void Run_KernelWithMemory_ReadsThePacketBytes()
    {
        RequireKernel();
        const string program = "7110010000000000 9500000000000000"; // r0 = *(u8 *)(r1 + 1)

        var (exit, output, error) = Run("run", "--hex", program, "--mem", "11 22 33", "--backend", "kernel");

        Assert.True(exit == 0, error);
        Assert.Equal("r0 = 0x22 (34)", output.Trim());
    }

    [SkippableFact]
    public void Run_KernelRefuses_Exit1WithTheVerifiersReason()
    {
        RequireKernel();

        var (exit, _, error) = Run("run", "--hex", "8d00000000000000 9500000000000000", "--backend", "kernel");

        Assert.Equal(1, exit);
        Assert.Equal("error: the kernel refused or failed the program (EINVAL): unknown opcode 8d", error.Trim());
    }

    [Theory]
    [InlineData(new[] { "run", "--hex", "9500000000000000", "--backend", "kernel", "--test-helpers" }, "--test-helpers")]
    [InlineData(new[] { "run", "--hex", "9500000000000000", "--backend", "kernel", "--budget", "10" }, "--budget")]
    [InlineData(new[] { "run", "--hex", "9500000000000000", "--backend", "bogus" }, "--backend 'bogus': use userspace or kernel")]
    [InlineData(new[] { "conformance", "/no/such/dir", "--backend", "bogus" }, "--backend 'bogus': use userspace or kernel")]
    public void Command_BadBackendArgument_Exit2(string[] args, string message)
    {
        var (exit, _, error) = Run(args);

        Assert.True(exit == 2, error);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }
}
