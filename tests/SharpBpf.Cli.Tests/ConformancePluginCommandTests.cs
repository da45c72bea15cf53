using static SharpBpf.Cli.Tests.CliRunner;

namespace SharpBpf.Cli.Tests;

/// <summary>The bpf_conformance runner's plugin protocol: program hex on stdin, memory hex as the first argument.</summary>
public class ConformancePluginCommandTests
{
    // mov %r0, 42; exit  (as the runner writes it: two-digit tokens separated by spaces)
    private const string Mov42 = "b7  00  00  00  2a  00  00  00  95  00  00  00  00  00  00  00  ";

    [Fact]
    public void Plugin_ProgramOnStdin_PrintsR0InHex()
    {
        var (exit, output, _) = RunWithInput(Mov42 + "\n", "conformance-plugin");

        Assert.Equal(0, exit);
        Assert.Equal("2a\n", output.Replace("\r", ""));
    }

    [Fact]
    public void Plugin_ProgramOption_IsUsedInsteadOfStdin()
    {
        var (exit, output, _) = RunWithInput("", "conformance-plugin", "--program", "b7000000ff000000 9500000000000000");

        Assert.Equal(0, exit);
        Assert.Equal("ff", output.Trim());
    }

    [Fact]
    public void Plugin_MemoryArgument_R1PointsToItR2IsItsLength()
    {
        // ldxb r0, [r1+2]; add r0, r2; exit
        const string program = "71 10 02 00 00 00 00 00 0f 20 00 00 00 00 00 00 95 00 00 00 00 00 00 00";

        var (exit, output, _) = RunWithInput(program, "conformance-plugin", "01 02 30 04");

        Assert.Equal(0, exit);
        Assert.Equal("34", output.Trim());
    }

    [Fact]
    public void Plugin_RefusedProgram_PrintsErrorOnStdoutAndFails()
    {
        // call 63 (not a test helper); exit
        var (exit, output, _) = RunWithInput("85 00 00 00 3f 00 00 00 95 00 00 00 00 00 00 00", "conformance-plugin");

        Assert.Equal(1, exit);
        Assert.StartsWith("Failed to load code:", output);
        Assert.Contains("unknown helper 63", output);
    }

    [Fact]
    public void Plugin_FaultingProgram_Fails()
    {
        // stb [r10], 0; exit
        var (exit, output, _) = RunWithInput("72 0a 00 00 00 00 00 00 95 00 00 00 00 00 00 00", "conformance-plugin");

        Assert.Equal(1, exit);
        Assert.Contains("out-of-bounds store", output);
    }

    [Fact]
    public void Plugin_BadHex_Exits2()
    {
        var (exit, _, error) = RunWithInput("zz 00", "conformance-plugin");

        Assert.Equal(2, exit);
        Assert.Contains("not a hex byte", error);
    }

    [Fact]
    public void Plugin_Elf_IsRefused()
    {
        var (exit, output, _) = RunWithInput(Mov42, "conformance-plugin", "--elf");

        Assert.Equal(1, exit);
        Assert.Contains("ELF", output);
    }

    [Fact]
    public void Plugin_EmptyMemoryAndOptionsArguments_AreIgnored()
    {
        // What the runner passes for a test without memory and without --plugin_options.
        var (exit, output, _) = RunWithInput(Mov42, "conformance-plugin", "", "");

        Assert.Equal(0, exit);
        Assert.Equal("2a", output.Trim());
    }

    [Fact]
    public void Plugin_MemoryThenInterpretOption_Accepted()
    {
        // mov r0, r2; exit
        var (exit, output, _) = RunWithInput("bf 20 00 00 00 00 00 00 95 00 00 00 00 00 00 00", "conformance-plugin", "01  02  03  ", "--interpret");

        Assert.Equal(0, exit);
        Assert.Equal("3", output.Trim());
    }

    [Fact]
    public void Plugin_TwoPositionalValues_Exits2()
    {
        Assert.Equal(2, RunWithInput(Mov42, "conformance-plugin", "01", "02").Exit);
    }
}
