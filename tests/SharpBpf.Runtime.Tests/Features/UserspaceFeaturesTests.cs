using SharpBpf.Abi;
using SharpBpf.Features;
using SharpBpf.Runtime;

namespace SharpBpf.Runtime.Tests.Features;

/// <summary>The userspace runtime's feature set answers from its own map factory, loader and helper table.</summary>
public sealed class UserspaceFeaturesTests
{
    private static readonly FeatureSet s_features = new UserspaceFeatures().Probe();

    [Theory]
    [InlineData(MapType.Array)]
    [InlineData(MapType.PerCpuArray)]
    [InlineData(MapType.ProgArray)]
    [InlineData(MapType.PerfEventArray)]
    [InlineData(MapType.CgroupArray)]
    public void Probe_ImplementedMapType_Available(MapType type) => Assert.True(s_features.Supports(type));

    [Theory]
    [InlineData(MapType.Hash)]
    [InlineData(MapType.RingBuf)]
    [InlineData(MapType.LpmTrie)]
    [InlineData(MapType.SkStorage)]
    [InlineData(MapType.StructOps)]
    public void Probe_MapTypeTheFactoryRefuses_NotAvailable(MapType type)
    {
        Assert.True(s_features.MapTypes.ContainsKey(type));
        Assert.False(s_features.Supports(type));
    }

    [Fact]
    public void Probe_EveryMapType_AnsweredOnce()
    {
        Assert.Equal(Enum.GetValues<MapType>().Where(t => t != MapType.Unspec).Order(), s_features.MapTypes.Keys.Order());
    }

    [Theory]
    [InlineData(1)] // bpf_map_lookup_elem
    [InlineData(2)] // bpf_map_update_elem
    [InlineData(3)] // bpf_map_delete_elem
    [InlineData(8)] // bpf_get_smp_processor_id
    [InlineData(12)] // bpf_tail_call
    [InlineData(25)] // bpf_perf_event_output
    [InlineData(44)] // bpf_xdp_adjust_head
    [InlineData(181)] // bpf_loop
    public void Probe_HelperOfTheTable_AvailableForEveryProbedType(int helper)
    {
        Assert.All(BackendProbe.HelperProgramTypes, type => Assert.True(s_features.SupportsHelper(type, helper), $"{type} {helper}"));
    }

    [Fact]
    public void Probe_Helpers_AreExactlyTheBackendsTable()
    {
        using var backend = new UserspaceBackend();

        Assert.Equal(backend.Helpers.Ids.Where(id => id != 0), s_features.Helpers[ProgramType.Xdp]);
        Assert.DoesNotContain(4, s_features.Helpers[ProgramType.Xdp]); // bpf_probe_read is not implemented
    }

    [Fact]
    public void Probe_TestRunTypes_XdpSkbAndRawTracepointOnly()
    {
        Assert.NotNull(s_features.TestRunProgramTypes);
        Assert.Contains(ProgramType.Xdp, s_features.TestRunProgramTypes);
        Assert.Contains(ProgramType.SocketFilter, s_features.TestRunProgramTypes);
        Assert.Contains(ProgramType.RawTracepoint, s_features.TestRunProgramTypes);
        Assert.DoesNotContain(ProgramType.Kprobe, s_features.TestRunProgramTypes);
        Assert.True(s_features.Supports(ProgramType.Kprobe)); // loads, but has no test run
    }

    [Fact]
    public void ToJson_FromJson_RoundTrips()
    {
        var text = s_features.ToJson();
        var back = FeatureSet.FromJson(text);

        Assert.Equal(text, back.ToJson());
        Assert.Equal(s_features.MapTypes, back.MapTypes);
        Assert.Equal("userspace", back.Backend);
        Assert.Null(back.KernelRelease);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("{\"format\": 999}")]
    [InlineData("[1, 2]")]
    public void FromJson_NotAFeatureSet_FormatException(string text)
    {
        Assert.Throws<FormatException>(() => FeatureSet.FromJson(text));
    }
}
