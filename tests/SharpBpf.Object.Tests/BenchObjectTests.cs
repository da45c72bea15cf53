using SharpBpf.Abi;

namespace SharpBpf.Object.Tests;

/// <summary>The benchmark objects (testdata/bench, from ../shared/bench/progs): the shapes their C sources declare.</summary>
public class BenchObjectTests
{
    [Theory]
    [InlineData("nop")]
    [InlineData("alu_loop")]
    [InlineData("alu_ilp")]
    public void Read_MapFreeBench_OneXdpProgramAndNoMaps(string name)
    {
        var spec = TestData.Read($"bench/{name}.o");

        var p = Assert.Single(spec.Programs);
        Assert.Equal(name, p.Name);
        Assert.Equal("xdp", p.SectionName);
        Assert.Equal(ProgramType.Xdp, p.Type);
        Assert.Equal(AttachType.Xdp, p.ExpectedAttachType);
        Assert.Empty(spec.Maps);
        Assert.Empty(p.MapRelocations);
        Assert.Equal("GPL", spec.License);
        Assert.Equal("GPL", p.License);
        Assert.Equal(0u, spec.KernelVersion);
    }

    [Fact]
    public void Read_ArrayHist_ArrayCounterAndPerCpuSlots()
    {
        var spec = TestData.Read("bench/array_hist.o");

        AssertMap(spec.FindMap("hist_counter"), MapType.Array, 4, 8, 1);
        AssertMap(spec.FindMap("hist_slots"), MapType.PerCpuArray, 4, 8, 64);
        Assert.Equal(["hist_counter", "hist_slots"], spec.Maps.Select(m => m.Name));
        var p = Assert.Single(spec.Programs);
        Assert.Equal(["hist_counter", "hist_slots"], p.MapRelocations.Select(r => r.MapName));
        Assert.All(p.MapRelocations, r => Assert.Equal(MapRelocationKind.Map, r.Kind));
    }

    [Fact]
    public void Read_ArraySum_OneArrayOf256U64()
    {
        var spec = TestData.Read("bench/array_sum.o");

        var map = Assert.Single(spec.Maps);
        AssertMap(map, MapType.Array, 4, 8, 256);
        Assert.Equal("sum_vals", map.Name);
        Assert.Equal(".maps", map.SectionName);
        Assert.False(map.IsGlobalData);
        Assert.Null(map.InitialData);
    }

    [Fact]
    public void Read_TailChain_NinePrograms_SlotSectionsAreUnspec()
    {
        var spec = TestData.Read("bench/tail_chain.o");

        Assert.Equal(
            ["tail_entry", "tail_0", "tail_1", "tail_2", "tail_3", "tail_4", "tail_5", "tail_6", "tail_7"],
            spec.Programs.Select(p => p.Name));
        Assert.Equal(ProgramType.Xdp, spec.FindProgram("tail_entry")!.Type);
        for (int i = 0; i < 8; i++)
        {
            var p = spec.FindProgram($"tail_{i}")!;
            Assert.Equal($"xdp/tail_{i}", p.SectionName);
            Assert.Equal(ProgramType.Unspec, p.Type); // libbpf 1.x does not know "xdp/tail_N": the caller chooses
            Assert.Null(p.ExpectedAttachType);
            Assert.Contains(p.MapRelocations, r => r.MapName == "chain_hits");
            Assert.Equal(i < 7, p.MapRelocations.Any(r => r.MapName == "chain_progs"));
        }

        AssertMap(spec.FindMap("chain_progs"), MapType.ProgArray, 4, 4, 8);
        AssertMap(spec.FindMap("chain_hits"), MapType.Array, 4, 8, 8);
        Assert.Empty(spec.FindMap("chain_progs")!.Contents); // filled by the caller, not by an initialiser
    }

    [Fact]
    public void Read_GlobalData_ThreeSingleEntryArraysWithInitialBytes()
    {
        var spec = TestData.Read("bench/global_data.o");

        Assert.Equal(["global_d.rodata", "global_d.bss", "global_d.data"], spec.Maps.Select(m => m.Name));
        var rodata = spec.FindMap("global_d.rodata")!;
        var bss = spec.FindMap("global_d.bss")!;
        var data = spec.FindMap("global_d.data")!;
        foreach (var m in spec.Maps)
        {
            AssertMap(m, MapType.Array, 4, 8, 1);
            Assert.True(m.IsGlobalData);
        }

        Assert.Equal(BitConverter.GetBytes(6364136223846793005UL), rodata.InitialData);
        Assert.Equal(BitConverter.GetBytes(1442695040888963407UL), data.InitialData);
        Assert.Equal(new byte[8], bss.InitialData);
        Assert.True(rodata.FreezeAfterLoad);
        Assert.False(data.FreezeAfterLoad);
        Assert.False(bss.FreezeAfterLoad);
        Assert.Equal((uint)(MapFlags.BPF_F_RDONLY_PROG | MapFlags.BPF_F_MMAPABLE), rodata.Flags);
        Assert.Equal((uint)MapFlags.BPF_F_MMAPABLE, data.Flags);
        Assert.Equal((uint)MapFlags.BPF_F_MMAPABLE, bss.Flags);
        var p = Assert.Single(spec.Programs);
        Assert.Equal(
            [("global_d.bss", 0u), ("global_d.rodata", 0u), ("global_d.data", 0u)],
            p.MapRelocations.Select(r => (r.MapName, r.Offset)));
        Assert.All(p.MapRelocations, r => Assert.Equal(MapRelocationKind.MapValue, r.Kind));
    }

    [Fact]
    public void Read_SpanWithoutObjectName_GlobalDataMapsHaveNoPrefix()
    {
        var spec = BpfObjectReader.Read(TestData.Bytes("bench/global_data.o"));

        Assert.Equal([".rodata", ".bss", ".data"], spec.Maps.Select(m => m.Name));
    }

    [Fact]
    public void Read_SameBytesTwice_SameSpec()
    {
        byte[] bytes = TestData.Bytes("bench/tail_chain.o");

        var a = BpfObjectReader.Read(bytes, "tail_chain");
        var b = BpfObjectReader.Read(bytes, "tail_chain");

        Assert.Equal(a.Programs.Select(p => p.Instructions), b.Programs.Select(p => p.Instructions));
        Assert.Equal(a.Maps.Select(m => m.ToString()), b.Maps.Select(m => m.ToString()));
    }

    private static void AssertMap(MapSpec? map, MapType type, uint key, uint value, uint max)
    {
        Assert.NotNull(map);
        Assert.Equal(type, map.Type);
        Assert.Equal(key, map.KeySize);
        Assert.Equal(value, map.ValueSize);
        Assert.Equal(max, map.MaxEntries);
    }
}
