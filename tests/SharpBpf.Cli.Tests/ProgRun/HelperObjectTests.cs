using System.Text.Json;
using static SharpBpf.Cli.Tests.CliRunner;

namespace SharpBpf.Cli.Tests.ProgRun;

/// <summary>
/// objects/helpers.o (clang-14, source and build.sh beside it) through prog run: bpf_loop callbacks as bpf-to-bpf
/// calls (full, stopped early, and its -E2BIG / -EINVAL limits), bpf_trace_printk lines in the output, the clocks,
/// prandom and pid_tgid helpers, and direct packet writes through ctx->data.
/// </summary>
/// <remarks>
/// The kernel refuses this object as the loader passes it (callbacks need BTF func_info, which BPF_PROG_LOAD does not
/// carry yet), so these run on the userspace runtime only; the expected values follow the kernel's helper contracts.
/// </remarks>
public sealed class HelperObjectTests
{
    private static JsonElement RunJson(string program)
    {
        var (exit, output, error) = Run("prog", "run", ProgRunJson.Path("tests", "SharpBpf.Cli.Tests", "ProgRun", "objects", "helpers.o"),
            "--program", program, "--json");
        Assert.True(exit == 0, $"{program}: {error}");
        return JsonDocument.Parse(output).RootElement;
    }

    [Theory]
    [InlineData("loop_sum", 45 * 100 + 10)]
    [InlineData("loop_break", 6 * 100 + 4)]
    [InlineData("loop_limits", (-7 * 1000) - 22)]
    [InlineData("clocks", 7)]
    [InlineData("swap_macs", 3)]
    public void ProgRun_HelperPrograms_ReturnTheHelpersContract(string program, int expected)
    {
        Assert.Equal(expected, (int)RunJson(program).GetProperty("retval").GetUInt32());
    }

    [Fact]
    public void ProgRun_TracePrintk_LinesInTheOutput()
    {
        var json = RunJson("trace");

        Assert.Equal(["packet of 64 bytes, proto 0x800"], json.GetProperty("trace").EnumerateArray().Select(l => l.GetString()));
    }

    [Fact]
    public void ProgRun_DirectPacketWrites_ShowInDataOut()
    {
        var dataOut = RunJson("swap_macs").GetProperty("data_out").GetString()!;

        Assert.StartsWith("000000000001000000000002", dataOut, StringComparison.Ordinal);
    }
}
