using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Loading;
using SharpBpf.Object;

namespace SharpBpf.Runtime.Tests.Loading;

public sealed class CollectionLoaderTests : IDisposable
{
    private readonly UserspaceBackend _backend = new();

    public void Dispose() => _backend.Dispose();

    [Fact]
    public void Load_GlobalData_WritesInitialValuesAndFreezesRodata()
    {
        var spec = BpfObjectReader.Read(TestData.Bench("global_data.o"));
        using var collection = CollectionLoader.Load(_backend, spec);

        foreach (var mapSpec in spec.Maps.Where(m => m.IsGlobalData))
        {
            var map = collection.Map(mapSpec.Name);
            var value = new byte[map.ValueSize];
            map.Lookup(new byte[4], value);
            Assert.Equal(mapSpec.InitialData, value);
            var refused = Record.Exception(() => map.Update(new byte[4], value));
            if (mapSpec.FreezeAfterLoad)
                Assert.Equal(Errno.EPERM, Assert.IsType<BpfException>(refused).Errno);
            else
                Assert.Null(refused);
        }
    }

    [Fact]
    public void Load_GlobalData_RunMatchesExpected()
    {
        using var collection = CollectionLoader.LoadFile(_backend, TestData.Bench("global_data.o"));
        var program = collection.Programs.Single();

        var result = program.TestRun(TestData.SynPacket());

        // EXPECTED.md: after 1 run, retval 50444617 and gd_state 433315962919513060.
        Assert.Equal(50444617u, result.ReturnValue);
        var data = collection.Map(BpfObjectReader.GlobalDataMapName("global_data", ".data"));
        var value = new byte[data.ValueSize];
        data.Lookup(new byte[4], value);
        Assert.Contains(433315962919513060UL, Enumerable.Range(0, value.Length / 8).Select(i => BinaryPrimitives.ReadUInt64LittleEndian(value.AsSpan(i * 8))));
    }

    [Fact]
    public void Relocate_MapAndValueReferences_SetSourceFdAndOffset()
    {
        var spec = BpfObjectReader.Read(TestData.Bench("global_data.o"));
        var program = spec.Programs.Single();
        var fds = spec.Maps.Select((m, i) => (m.Name, Fd: 100 + i)).ToDictionary(p => p.Name, p => p.Fd);

        var insns = CollectionLoader.Relocate(program, fds);

        Assert.NotEmpty(program.MapRelocations);
        foreach (var reloc in program.MapRelocations)
        {
            Assert.Equal(reloc.Kind == MapRelocationKind.Map ? 1 : 2, insns[reloc.Slot].Src);
            Assert.Equal(fds[reloc.MapName], insns[reloc.Slot].Imm);
            Assert.Equal(reloc.Kind == MapRelocationKind.Map ? 0 : (int)reloc.Offset, insns[reloc.Slot + 1].Imm);
        }

        Assert.Equal(0, program.Instructions[program.MapRelocations[0].Slot].Imm); // the spec is untouched
    }

    [Fact]
    public void Load_UnknownSectionWithoutType_FailsBeforeCreatingAnything()
    {
        var spec = BpfObjectReader.Read(TestData.Bench("tail_chain.o"));
        var before = _backend.Files.Count;

        var e = Assert.Throws<BpfException>(() => CollectionLoader.Load(_backend, spec));

        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Contains("xdp/tail_", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, _backend.Files.Count);
    }

    [Theory]
    [InlineData("force")]
    [InlineData("unknown")]
    [InlineData("byname")]
    public void Load_TailChainWithExplicitTypes_LoadsEveryProgramAsXdp(string how)
    {
        var spec = BpfObjectReader.Read(TestData.Bench("tail_chain.o"));
        var options = how switch
        {
            "force" => new CollectionLoadOptions { ForceType = ProgramType.Xdp },
            "unknown" => new CollectionLoadOptions { UnknownSectionType = ProgramType.Xdp },
            _ => new CollectionLoadOptions
            {
                ProgramTypes = spec.Programs.Where(p => p.Type == ProgramType.Unspec).ToDictionary(p => p.Name, _ => ProgramType.Xdp),
            },
        };

        using var collection = CollectionLoader.Load(_backend, spec, options);

        Assert.Equal(spec.Programs.Count, collection.Programs.Count);
        Assert.All(collection.Programs, p => Assert.Equal(ProgramType.Xdp, p.Type));
    }

    [Fact]
    public void Load_ProgramThatFails_ClosesEverythingCreated()
    {
        // Two maps and a program that calls a helper the runtime lacks.
        var maps = new[]
        {
            new MapSpec { Name = "a", Type = MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = 4 },
            new MapSpec { Name = "b", Type = MapType.PerCpuArray, KeySize = 4, ValueSize = 8, MaxEntries = 4 },
        };
        var good = new ProgramSpec("good", "xdp", ProgramType.Xdp, null, KernelSyntaxAssembler.Assemble("r0 = 2\nexit"));
        var bad = new ProgramSpec("bad", "xdp", ProgramType.Xdp, null, KernelSyntaxAssembler.Assemble("call 9999\nexit"));
        var spec = new CollectionSpec(maps, [good, bad], "GPL");
        var before = _backend.Files.Count;

        var e = Assert.ThrowsAny<BpfException>(() => CollectionLoader.Load(_backend, spec));

        Assert.Contains("program 'bad'", e.Message, StringComparison.Ordinal);
        Assert.Contains("unknown helper 9999", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, _backend.Files.Count);
    }

    [Fact]
    public void Load_PinnedByName_ReusesTheCompatiblePinAndKeepsItsValues()
    {
        var map = new MapSpec { Name = "shared", Type = MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = 2, Pinning = PinningType.ByName };
        var spec = new CollectionSpec([map], [], "GPL");
        var options = new CollectionLoadOptions { PinRoot = "/sys/fs/bpf/loader-test" };
        using (var first = CollectionLoader.Load(_backend, spec, options))
        {
            first.Map("shared").Update(new byte[4], BitConverter.GetBytes(42L));
            Assert.Empty(first.ReusedPins);
        }

        using var second = CollectionLoader.Load(_backend, spec, options);

        Assert.Contains("shared", second.ReusedPins);
        var value = new byte[8];
        second.Map("shared").Lookup(new byte[4], value);
        Assert.Equal(42L, BitConverter.ToInt64(value));
        _backend.ObjUnpin("/sys/fs/bpf/loader-test/shared");
    }

    [Fact]
    public void Load_PinnedByNameIncompatible_RefusesWithTheDifference()
    {
        var small = new MapSpec { Name = "pinned", Type = MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = 2, Pinning = PinningType.ByName };
        var large = new MapSpec { Name = "pinned", Type = MapType.Array, KeySize = 4, ValueSize = 16, MaxEntries = 2, Pinning = PinningType.ByName };
        var other = new MapSpec { Name = "other", Type = MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = 2, Pinning = PinningType.ByName };
        var options = new CollectionLoadOptions { PinRoot = "/sys/fs/bpf/loader-test2" };
        using (CollectionLoader.Load(_backend, new CollectionSpec([small], [], "GPL"), options))
        {
        }

        var before = _backend.Files.Count;
        var e = Assert.Throws<BpfException>(() => CollectionLoader.Load(_backend, new CollectionSpec([other, large], [], "GPL"), options));

        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Contains("value_size 8 != 16", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, _backend.Files.Count);
        // The map this load pinned before failing is unpinned again; the old pin stays.
        Assert.Equal(Errno.ENOENT, _backend.ObjGet("/sys/fs/bpf/loader-test2/other", 0, out _));
        Assert.Equal(Errno.None, _backend.ObjGet("/sys/fs/bpf/loader-test2/pinned", 0, out var fd));
        _backend.Close(fd);
        _backend.ObjUnpin("/sys/fs/bpf/loader-test2/pinned");
    }

    [Fact]
    public void Load_ProgArrayInitialiser_StoresTheProgramsAtTheirSlots()
    {
        var spec = BpfObjectReader.Read(TestData.Object("prog_array.o"));
        var array = spec.Maps.First(m => m.Contents.Count > 0);

        using var collection = CollectionLoader.Load(_backend, spec, new CollectionLoadOptions { UnknownSectionType = ProgramType.Xdp });

        var map = collection.Map(array.Name);
        foreach (var entry in array.Contents)
        {
            var key = BitConverter.GetBytes(entry.Key);
            var value = new byte[4];
            // Userspace lookups of a PROG_ARRAY give the program id, as the kernel's do.
            map.Lookup(key, value);
            Assert.Equal(collection.Program(entry.Target).Id, BitConverter.ToUInt32(value));
        }
    }

    [Fact]
    public void Map_UnknownName_ListsTheMapsThereAre()
    {
        using var collection = CollectionLoader.LoadFile(_backend, TestData.Bench("array_hist.o"));

        var e = Assert.Throws<KeyNotFoundException>(() => collection.Map("nope"));

        Assert.Contains("hist_slots", e.Message, StringComparison.Ordinal);
    }
}
