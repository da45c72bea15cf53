using SharpBpf.Backend;
using SharpBpf.Object;

namespace SharpBpf.Benchmarks.Jit;

/// <summary>Loads testdata/bench/NAME.o's program NAME into a backend: maps created, map relocations applied.</summary>
internal static class BenchObjectLoader
{
    public static int Load(IBpfBackend backend, string name, ExecutionMode mode, Dictionary<string, int> maps)
    {
        var spec = BpfObjectReader.Read(PathOf(name + ".o"));
        foreach (var map in spec.Maps)
        {
            Check(backend.MapCreate(new MapCreateAttr
            {
                Type = map.Type, KeySize = map.KeySize, ValueSize = map.ValueSize, MaxEntries = map.MaxEntries, MapFlags = map.Flags,
            }, out var fd), map.Name);
            if (map.InitialData is { Length: > 0 } data)
            {
                var value = new byte[map.ValueSize];
                data.CopyTo(value, 0);
                Check(backend.MapUpdateElem(fd, new byte[4], value, 0), map.Name);
            }

            maps[map.Name] = fd;
        }

        var program = spec.FindProgram(name) ?? throw new InvalidOperationException($"no program {name}");
        var insns = (Asm.Instruction[])program.Instructions.Clone();
        foreach (var reloc in program.MapRelocations)
        {
            var first = insns[reloc.Slot];
            var isMap = reloc.Kind == MapRelocationKind.Map;
            insns[reloc.Slot] = new Asm.Instruction(first.Opcode, first.Dst, isMap ? (byte)1 : (byte)2, first.Offset, maps[reloc.MapName]);
            insns[reloc.Slot + 1] = insns[reloc.Slot + 1] with { Imm = isMap ? 0 : (int)reloc.Offset };
        }

        var err = backend.ProgLoad(new ProgLoadAttr
        {
            Type = program.Type, Instructions = insns, License = program.License, Name = program.Name, ExecutionMode = mode,
        }, out var progFd, out var log);
        Check(err, name + ": " + log);
        return progFd;
    }

    private static string PathOf(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "testdata", "bench", file);
            if (File.Exists(candidate))
                return candidate;
        }

        throw new FileNotFoundException($"testdata/bench/{file} not found above {AppContext.BaseDirectory}");
    }

    private static void Check(Abi.Errno err, string what)
    {
        if (err != Abi.Errno.None)
            throw new InvalidOperationException($"{what}: {err}");
    }
}
