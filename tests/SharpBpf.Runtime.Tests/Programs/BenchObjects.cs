using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Object;

namespace SharpBpf.Runtime.Tests.Programs;

/// <summary>
/// A tiny stand-in for the loader (which comes later): reads a testdata/bench object, creates its maps with their
/// initial data (freezing <c>.rodata</c> as libbpf does), patches the map relocations by hand (src 1 = map, src 2
/// = map value + offset) and loads one program.
/// </summary>
internal sealed class BenchObjects
{
    private readonly ProgramTestKit _kit;
    private readonly Dictionary<string, int> _maps = [];

    private BenchObjects(ProgramTestKit kit, CollectionSpec spec)
    {
        _kit = kit;
        Spec = spec;
        foreach (var map in spec.Maps)
            _maps[map.Name] = CreateMap(map);
    }

    public CollectionSpec Spec { get; }

    public static string PathOf(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "testdata", "bench", name);
            if (File.Exists(candidate))
                return candidate;
        }

        throw new FileNotFoundException($"testdata/bench/{name} not found above {AppContext.BaseDirectory}");
    }

    public static BenchObjects Open(ProgramTestKit kit, string objectFile) =>
        new(kit, BpfObjectReader.Read(PathOf(objectFile)));

    public int MapFd(string name) => _maps[name];

    /// <summary>Loads program <paramref name="name"/> with its relocations applied, in <paramref name="mode"/>.</summary>
    public int Load(string name, ExecutionMode mode = ExecutionMode.Default)
    {
        var program = Spec.FindProgram(name) ?? throw new ArgumentException($"no program {name}", nameof(name));
        var insns = (Instruction[])program.Instructions.Clone();
        foreach (var reloc in program.MapRelocations)
        {
            var fd = _maps[reloc.MapName];
            var first = insns[reloc.Slot];
            var src = reloc.Kind == MapRelocationKind.Map ? (byte)1 : (byte)2;
            insns[reloc.Slot] = new Instruction(first.Opcode, first.Dst, src, first.Offset, fd);
            insns[reloc.Slot + 1] = insns[reloc.Slot + 1] with { Imm = reloc.Kind == MapRelocationKind.Map ? 0 : (int)reloc.Offset };
        }

        var err = _kit.Backend.ProgLoad(new ProgLoadAttr
        {
            Type = program.Type, Instructions = insns, License = program.License, Name = program.Name, ExecutionMode = mode,
        }, out var progFd, out var log);
        Assert.True(err == Errno.None, $"loading {name}: {err} {log}");
        return progFd;
    }

    private int CreateMap(MapSpec spec)
    {
        var fd = _kit.CreateMap(spec.Type, spec.ValueSize, spec.MaxEntries, spec.Flags);
        if (spec.InitialData is { Length: > 0 } data)
        {
            var value = new byte[spec.ValueSize];
            data.CopyTo(value, 0);
            Assert.Equal(Errno.None, _kit.Backend.MapUpdateElem(fd, ProgramTestKit.Key(0), value, 0));
        }

        if (spec.FreezeAfterLoad)
            Assert.Equal(Errno.None, _kit.Backend.MapFreeze(fd));
        return fd;
    }
}
