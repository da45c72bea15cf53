using System.Text.Json;
using static SharpBpf.Cli.Tests.CliRunner;

namespace SharpBpf.Cli.Tests;

public sealed class RunCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpbpf-run-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Run_Hex_PrintsR0()
    {
        var (exit, output, _) = Run("run", "--hex", "b70000002a000000 9500000000000000");

        Assert.Equal(0, exit);
        Assert.Equal("r0 = 0x2a (42)", output.Trim());
    }

    [Fact]
    public void Run_AsmFile_AssemblesAndRuns()
    {
        var path = Path.Combine(_dir, "sum.asm");
        File.WriteAllText(path, "mov %r0, 0\nmov %r1, 1\nloop:\nadd %r0, %r1\nadd %r1, 1\njle %r1, 100, loop\nexit\n");

        var (exit, output, _) = Run("run", "--asm", path);

        Assert.Equal(0, exit);
        Assert.Equal("r0 = 0x13ba (5050)", output.Trim());
    }

    [Fact]
    public void Run_Memory_IsPassedInR1AndR2()
    {
        // ldxh r0, [r1+1]; exit
        var (exit, output, _) = Run("run", "--hex", "6910010000000000 9500000000000000", "--mem", "00 34 12");

        Assert.Equal(0, exit);
        Assert.Contains("0x1234", output);
    }

    [Fact]
    public void Run_Json_WritesR0()
    {
        var (exit, output, _) = Run("run", "--hex", "b700000007000000 9500000000000000", "--json");

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(7UL, doc.RootElement.GetProperty("r0").GetUInt64());
    }

    [Fact]
    public void Run_NeitherAsmNorHex_Exits2()
    {
        var (exit, _, error) = Run("run");

        Assert.Equal(2, exit);
        Assert.Contains("--asm", error);
    }

    [Fact]
    public void Run_BadHex_Exits2WithoutStackTrace()
    {
        var (exit, _, error) = Run("run", "--hex", "b7000");

        Assert.Equal(2, exit);
        Assert.StartsWith("error:", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Run_MissingAsmFile_Exits2()
    {
        Assert.Equal(2, Run("run", "--asm", Path.Combine(_dir, "missing.asm")).Exit);
    }

    [Fact]
    public void Run_AsmSyntaxError_Exits2NamingTheLine()
    {
        var path = Path.Combine(_dir, "bad.asm");
        File.WriteAllText(path, "mov %r0, 0\nfrob %r1\nexit\n");

        var (exit, _, error) = Run("run", "--asm", path);

        Assert.Equal(2, exit);
        Assert.Contains("2", error);
    }

    [Fact]
    public void Run_FaultingProgram_Exits1WithMessage()
    {
        // ldxdw r0, [r1]; exit -- no memory, r1 = 0
        var (exit, _, error) = Run("run", "--hex", "7910000000000000 9500000000000000");

        Assert.Equal(1, exit);
        Assert.Contains("out-of-bounds load", error);
    }

    [Fact]
    public void Run_InfiniteLoopWithBudget_Exits1()
    {
        var (exit, _, error) = Run("run", "--hex", "05 00 ff ff 00 00 00 00 95 00 00 00 00 00 00 00", "--budget", "1000");

        Assert.Equal(1, exit);
        Assert.Contains("budget", error);
    }
}
