using SharpBpf.Abi;
using SharpBpf.Features;
using SharpBpf.Linux.Tests.Support;
using SharpBpf.Runtime;

namespace SharpBpf.Linux.Tests.Features;

/// <summary>
/// The kernel feature probe on this machine's kernel: what it must find, agreement with the userspace runtime's
/// claims, helper verdicts the verifier decides per program type, and the cache file.
/// </summary>
public sealed class KernelFeaturesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpbpf-features-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private FeatureSet ProbeFresh(out KernelFeatures probe)
    {
        KernelTestBase.RequireKernel();
        probe = new KernelFeatures(_dir, useCache: false);
        return probe.Probe();
    }

    [SkippableFact]
    public void Probe_ThisKernel_ArrayFamilyAndXdpLookup()
    {
        var features = ProbeFresh(out _);

        foreach (var type in new[] { MapType.Hash, MapType.Array, MapType.ProgArray, MapType.PerfEventArray, MapType.PerCpuHash, MapType.PerCpuArray, MapType.StackTrace, MapType.CgroupArray })
            Assert.True(features.Supports(type), type.ToString());
        Assert.True(features.Supports(ProgramType.Xdp));
        Assert.True(features.SupportsHelper(ProgramType.Xdp, 1));
        Assert.Equal(KernelFeatures.KernelRelease, features.KernelRelease);
        Assert.Equal("kernel", features.Backend);
    }

    [SkippableFact]
    public void Probe_EveryMapTypeTheRuntimeClaims_TheKernelCreatesToo()
    {
        var kernel = ProbeFresh(out _);
        var user = new UserspaceFeatures().Probe();

        var claimed = user.MapTypes.Where(p => p.Value).Select(p => p.Key).ToList();
        Assert.NotEmpty(claimed);
        Assert.All(claimed, type => Assert.True(kernel.Supports(type), $"userspace claims {type}, the kernel does not create it"));
    }

    [SkippableTheory]
    [InlineData(ProgramType.Xdp, 44, true)] // bpf_xdp_adjust_head
    [InlineData(ProgramType.SocketFilter, 44, false)]
    [InlineData(ProgramType.Kprobe, 44, false)]
    [InlineData(ProgramType.Kprobe, 113, true)] // bpf_probe_read_kernel
    [InlineData(ProgramType.Xdp, 12, true)] // bpf_tail_call
    [InlineData(ProgramType.Tracepoint, 1, true)]
    public void Probe_Helper_AsTheVerifierDecidesPerProgramType(ProgramType type, int helper, bool expected)
    {
        var features = ProbeFresh(out _);

        Assert.Equal(expected, features.SupportsHelper(type, helper));
    }

    [SkippableFact]
    public void Probe_UnknownProgramTypeNumber_NotAvailable()
    {
        KernelTestBase.RequireKernel();
        using var backend = new LinuxBackend();

        Assert.False(BackendProbe.SupportsProgramType(backend, (ProgramType)4000));
        Assert.False(BackendProbe.SupportsMapType(backend, (MapType)4000));
        Assert.True(BackendProbe.SupportsProgramType(backend, ProgramType.SocketFilter));
    }

    [SkippableFact]
    public void Probe_CacheFile_RoundTripsAndIsReadBack()
    {
        var probed = ProbeFresh(out var first);
        Assert.Equal("probe", first.Source);
        Assert.Equal(Path.Combine(_dir, $"features-{KernelFeatures.KernelRelease}.json"), first.CacheFile);
        Assert.Equal(probed.ToJson(), FeatureSet.FromJson(File.ReadAllText(first.CacheFile)).ToJson());

        var again = new KernelFeatures(_dir);
        Assert.Equal(probed.ToJson(), again.Probe().ToJson());
        Assert.Equal("memory", again.Source);

        var other = Directory.CreateDirectory(Path.Combine(_dir, "copy")).FullName;
        File.Copy(first.CacheFile, Path.Combine(other, Path.GetFileName(first.CacheFile)));
        var fromFile = new KernelFeatures(other);
        Assert.Equal(probed.ToJson(), fromFile.Probe().ToJson());
        Assert.Equal("file", fromFile.Source);
    }

    [SkippableFact]
    public void Probe_DamagedCacheFile_ProbedAgainAndRewritten()
    {
        KernelTestBase.RequireKernel();
        var dir = Directory.CreateDirectory(Path.Combine(_dir, "damaged")).FullName;
        var probe = new KernelFeatures(dir);
        File.WriteAllText(probe.CacheFile, "{\"format\": 2, \"backend\": ");

        var features = probe.Probe();

        Assert.Equal("probe", probe.Source);
        Assert.Equal(features.ToJson(), FeatureSet.FromJson(File.ReadAllText(probe.CacheFile)).ToJson());
    }
}
