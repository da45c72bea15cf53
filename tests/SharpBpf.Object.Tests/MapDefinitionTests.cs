using SharpBpf.Abi;

namespace SharpBpf.Object.Tests;

/// <summary>Map definitions of this project's C objects (testdata/objects/*.c).</summary>
public class MapDefinitionTests
{
    [Fact]
    public void Read_LegacyMaps_StrideComesFromEachSymbol()
    {
        var spec = TestData.Read("objects/legacy_maps.o");

        Assert.Equal(["counters", "flows"], spec.Maps.Select(m => m.Name));
        var counters = spec.FindMap("counters")!;
        Assert.Equal((MapType.Array, 4u, 8u, 16u, 0u), (counters.Type, counters.KeySize, counters.ValueSize, counters.MaxEntries, counters.Flags));
        var flows = spec.FindMap("flows")!; // a 28-byte iproute2-style definition: extra fields ignored
        Assert.Equal((MapType.Hash, 8u, 4u, 1024u, (uint)MapFlags.BPF_F_NO_PREALLOC), (flows.Type, flows.KeySize, flows.ValueSize, flows.MaxEntries, flows.Flags));
        Assert.All(spec.Maps, m => Assert.Equal("maps", m.SectionName));
        Assert.All(spec.Maps, m => Assert.Equal(PinningType.None, m.Pinning));
    }

    [Fact]
    public void Read_LegacyMaps_LicenseAndVersionSections()
    {
        var spec = TestData.Read("objects/legacy_maps.o");

        Assert.Equal("Dual MIT/GPL", spec.License);
        Assert.Equal(0x050a00u, spec.KernelVersion);
        Assert.Equal(ProgramType.SocketFilter, Assert.Single(spec.Programs).Type);
    }

    [Fact]
    public void Read_ProgArray_ValuesInitialiserNamesPrograms()
    {
        var spec = TestData.Read("objects/prog_array.o");

        var table = spec.FindMap("jump_table")!;
        Assert.Equal((MapType.ProgArray, 4u, 4u, 4u), (table.Type, table.KeySize, table.ValueSize, table.MaxEntries));
        Assert.Equal(
            [new MapSpecEntry(0, "tail_a", MapSpecEntryKind.Program), new MapSpecEntry(2, "tail_b", MapSpecEntryKind.Program)],
            table.Contents);
        Assert.All(table.Contents, e => Assert.NotNull(spec.FindProgram(e.Target)));
    }

    [Fact]
    public void Read_MapInMap_InnerDefinitionAndValues()
    {
        var spec = TestData.Read("objects/map_in_map.o");

        var outer = spec.FindMap("outer")!;
        Assert.Equal((MapType.ArrayOfMaps, 4u, 4u, 2u), (outer.Type, outer.KeySize, outer.ValueSize, outer.MaxEntries));
        Assert.NotNull(outer.InnerMap);
        Assert.Equal("outer.inner", outer.InnerMap.Name);
        Assert.Equal((MapType.Array, 4u, 4u, 8u), (outer.InnerMap.Type, outer.InnerMap.KeySize, outer.InnerMap.ValueSize, outer.InnerMap.MaxEntries));
        Assert.Equal(
            [new MapSpecEntry(0, "inner_a", MapSpecEntryKind.Map), new MapSpecEntry(1, "inner_b", MapSpecEntryKind.Map)],
            outer.Contents);

        var outerHash = spec.FindMap("outer_hash")!;
        Assert.Equal((MapType.HashOfMaps, 8u, 4u, 16u), (outerHash.Type, outerHash.KeySize, outerHash.ValueSize, outerHash.MaxEntries));
        Assert.Equal((MapType.Hash, 2u, 8u, 32u), (outerHash.InnerMap!.Type, outerHash.InnerMap.KeySize, outerHash.InnerMap.ValueSize, outerHash.InnerMap.MaxEntries));
        Assert.Empty(outerHash.Contents);
        Assert.DoesNotContain(spec.Maps, m => m.Name.EndsWith(".inner", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_MapInMap_PinningFlagsNumaAndMapExtra()
    {
        var spec = TestData.Read("objects/map_in_map.o");

        var pinned = spec.FindMap("pinned_stats")!;
        Assert.Equal(PinningType.ByName, pinned.Pinning);
        Assert.Equal((uint)MapFlags.BPF_F_NO_PREALLOC, pinned.Flags);
        Assert.Equal(16u, pinned.ValueSize); // struct { u64 packets; u64 bytes; }
        Assert.NotEqual(0u, pinned.BtfValueTypeId);
        var seen = spec.FindMap("seen")!;
        Assert.Equal((MapType.BloomFilter, 0u, 8u, 100u, 3ul), (seen.Type, seen.KeySize, seen.ValueSize, seen.MaxEntries, seen.MapExtra));
        Assert.Equal(PinningType.None, spec.FindMap("outer")!.Pinning);
    }

    [Fact]
    public void Read_CustomSections_EveryDataSectionIsAMapInSectionOrder()
    {
        var spec = TestData.Read("objects/custom_sections.o");

        Assert.Equal(
            [".data.custom", ".rodata.cfg", "custom_s.data", "custom_s.rodata", "custom_s.bss", ".rodata.str1.1"],
            spec.Maps.Select(m => m.Name));
        Assert.Equal(0x060c00u, spec.KernelVersion);
    }

    [Fact]
    public void Read_CustomSections_StringLiteralsAndCustomSectionsKeepTheirBytes()
    {
        var spec = TestData.Read("objects/custom_sections.o");

        var str = spec.FindMap(".rodata.str1.1")!;
        Assert.Equal("string literal\0"u8.ToArray(), str.InitialData);
        Assert.True(str.FreezeAfterLoad);
        Assert.Equal((uint)MapFlags.BPF_F_RDONLY_PROG, str.Flags); // no DATASEC for merged strings: not mmapable
        Assert.Equal(BitConverter.GetBytes(42), spec.FindMap(".data.custom")!.InitialData);
        Assert.Equal(BitConverter.GetBytes(1000u), spec.FindMap(".rodata.cfg")!.InitialData);
        Assert.True(spec.FindMap(".rodata.cfg")!.FreezeAfterLoad);
        Assert.False(spec.FindMap(".data.custom")!.FreezeAfterLoad);
    }

    [Fact]
    public void Read_CustomSections_StaticOnlyBssIsNotMmapable()
    {
        var spec = TestData.Read("objects/custom_sections.o");

        // libbpf map_is_mmapable: only a DATASEC with a non-static variable gets BPF_F_MMAPABLE.
        Assert.Equal(0u, spec.FindMap("custom_s.bss")!.Flags);
        Assert.Equal((uint)MapFlags.BPF_F_MMAPABLE, spec.FindMap("custom_s.data")!.Flags);
    }

    [Fact]
    public void Read_CustomSections_SectionSymbolRelocationAddsTheImmediate()
    {
        var spec = TestData.Read("objects/custom_sections.o");

        // `static const char fmt[]` sits at .rodata+8: clang relocates against the .rodata section symbol with imm 8.
        var probe = spec.FindProgram("probe_sleep")!;
        Assert.Contains(new MapRelocation(22, "custom_s.rodata", MapRelocationKind.MapValue, 8), probe.MapRelocations);
        Assert.Contains(new MapRelocation(3, ".rodata.str1.1", MapRelocationKind.MapValue, 0), spec.FindProgram("tp_write")!.MapRelocations);
    }

    [Fact]
    public void Read_BtfKinds_CustomDataSectionWithStruct()
    {
        var spec = TestData.Read("objects/btf_kinds.o");

        var kinds = spec.FindMap(".data.kinds")!;
        Assert.Equal(64u, kinds.ValueSize);
        var datasec = spec.Btf!.TypeById(kinds.BtfValueTypeId);
        Assert.Equal((BtfKind.DataSec, ".data.kinds", 64u), (datasec.Kind, datasec.Name, datasec.Size));
    }
}
