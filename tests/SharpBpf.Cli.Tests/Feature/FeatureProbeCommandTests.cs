using System.Text.Json;
using static SharpBpf.Cli.Tests.CliRunner;

namespace SharpBpf.Cli.Tests.Feature;

/// <summary><c>sharpbpf feature probe</c> on the userspace runtime and (where bpf(2) works) the kernel.</summary>
public sealed class FeatureProbeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpbpf-feature-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void FeatureProbe_Userspace_GroupedLikeBpftool()
    {
        var (exit, output, _) = Run("feature", "probe");

        Assert.Equal(0, exit);
        var text = output.ReplaceLineEndings("\n");
        Assert.StartsWith("backend: userspace\n", text, StringComparison.Ordinal);
        var programs = text.IndexOf("Scanning eBPF program types...", StringComparison.Ordinal);
        var maps = text.IndexOf("Scanning eBPF map types...", StringComparison.Ordinal);
        var helpers = text.IndexOf("Scanning eBPF helper functions...", StringComparison.Ordinal);
        Assert.True(programs > 0 && maps > programs && helpers > maps);
        Assert.Contains("eBPF program_type xdp is available (test run)\n", text, StringComparison.Ordinal);
        Assert.Contains("eBPF program_type kprobe is available (load only, no test run)\n", text, StringComparison.Ordinal);
        Assert.Contains("eBPF map_type percpu_array is available\n", text, StringComparison.Ordinal);
        Assert.Contains("eBPF map_type hash is NOT available\n", text, StringComparison.Ordinal);
        Assert.Contains("eBPF helpers supported for program type xdp:\n\t- bpf_map_lookup_elem\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void FeatureProbe_UserspaceJson_BpftoolKeys()
    {
        var (exit, output, _) = Run("feature", "probe", "--json");

        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.Equal("userspace", root.GetProperty("backend").GetString());
        Assert.True(root.GetProperty("map_types").GetProperty("have_cgroup_array_map_type").GetBoolean());
        Assert.False(root.GetProperty("map_types").GetProperty("have_hash_map_type").GetBoolean());
        Assert.True(root.GetProperty("program_types").GetProperty("have_xdp_prog_type").GetBoolean());
        Assert.Contains("bpf_tail_call", root.GetProperty("helpers").GetProperty("xdp_available_helpers").EnumerateArray().Select(h => h.GetString()));
    }

    [SkippableFact]
    public void FeatureProbe_Kernel_ProbesThenAnswersFromTheCacheFile()
    {
        Skip.IfNot(Linux.LinuxBackend.IsSupported(out var reason), $"bpf(2) is not usable here: {reason}");

        var first = Run("feature", "probe", "--backend", "kernel", "--cache-dir", _dir, "--no-cache");
        var second = Run("feature", "probe", "--backend", "kernel", "--cache-dir", _dir);
        var json = Run("feature", "probe", "--backend", "kernel", "--cache-dir", _dir, "--json");

        Assert.Equal(0, first.Exit);
        Assert.Contains(", probed, cached in ", first.Out, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(_dir, "features-*.json"));
        Assert.Contains("cache (", second.Out, StringComparison.Ordinal);
        var body = (string text) => text[text.IndexOf("Scanning", StringComparison.Ordinal)..];
        Assert.Equal(body(first.Out), body(second.Out));
        Assert.Contains("eBPF map_type cgroup_array is available", first.Out, StringComparison.Ordinal);
        Assert.Contains("eBPF program_type tracing is not probed: ", first.Out, StringComparison.Ordinal);
        var root = JsonDocument.Parse(json.Out).RootElement;
        Assert.Contains("bpf_xdp_adjust_head", root.GetProperty("helpers").GetProperty("xdp_available_helpers").EnumerateArray().Select(h => h.GetString()));
        Assert.DoesNotContain("bpf_xdp_adjust_head", root.GetProperty("helpers").GetProperty("kprobe_available_helpers").EnumerateArray().Select(h => h.GetString()));
    }
}
