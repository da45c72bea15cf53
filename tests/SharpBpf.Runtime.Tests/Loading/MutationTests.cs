using CsCheck;
using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Loading;
using SharpBpf.Object;

namespace SharpBpf.Runtime.Tests.Loading;

/// <summary>
/// Random damage to every object of testdata/bench, testdata/objects and the sample, fed to the reader, the loader
/// and a test run: each step either succeeds or fails with <see cref="BpfObjectFormatException"/> (reader) or
/// <see cref="BpfException"/> (load or run); nothing else, no crash, no hang (runs have an instruction budget).
/// Two kinds of damage: bytes of the file, and instruction slots of the parsed programs (which reach the context
/// rewriter, the relocations and the interpreter far more often than file damage does).
/// </summary>
public sealed class MutationTests
{
    private static readonly string[] s_paths =
    [
        .. Directory.GetFiles(TestData.Path("testdata", "bench"), "*.o"),
        .. Directory.GetFiles(TestData.Path("testdata", "objects"), "*.o"),
        TestData.Path("samples", "latency-histogram", "histogram.o"),
    ];

    private static readonly byte[][] s_files = [.. s_paths.Select(File.ReadAllBytes)];

    private static readonly CollectionSpec[] s_specs = [.. s_paths.Select(p => BpfObjectReader.Read(p))];

    [Fact]
    public void ReadLoadRun_MutatedFileBytes_FailOnlyWithFormatOrBpfErrors()
    {
        var gen = from index in Gen.Int[0, s_files.Length - 1]
                  from seed in Gen.Int
                  select (index, seed);
        gen.Sample(c =>
        {
            var random = new Random(c.seed);
            var bytes = (byte[])s_files[c.index].Clone();
            for (var i = random.Next(1, 6); i > 0; i--)
                bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
            CollectionSpec spec;
            try
            {
                spec = BpfObjectReader.Read(bytes, "mutant");
            }
            catch (BpfObjectFormatException)
            {
                return true;
            }

            return LoadsAndRunsOrRefuses(spec);
        }, iter: 300, threads: 1);
    }

    [Fact]
    public void LoadRun_MutatedInstructions_FailOnlyWithBpfErrors()
    {
        var gen = from index in Gen.Int[0, s_specs.Length - 1]
                  from seed in Gen.Int
                  select (index, seed);
        gen.Sample(c =>
        {
            var random = new Random(c.seed);
            var spec = s_specs[c.index];
            var programs = spec.Programs.Select(p =>
            {
                var insns = (Instruction[])p.Instructions.Clone();
                for (var i = random.Next(1, 4); i > 0 && insns.Length > 0; i--)
                {
                    var slot = random.Next(insns.Length);
                    var raw = insns[slot].Raw ^ (1UL << random.Next(64));
                    if (random.Next(4) == 0)
                        raw = (ulong)random.NextInt64();
                    insns[slot] = Instruction.FromRaw(raw);
                }

                return new ProgramSpec(p.Name, p.SectionName, p.Type, p.ExpectedAttachType, insns, p.MapRelocations, p.License,
                    p.FuncInfos, p.LineInfos);
            }).ToList();
            return LoadsAndRunsOrRefuses(new CollectionSpec(spec.Maps, programs, spec.License, spec.KernelVersion, spec.Btf));
        }, iter: 600, threads: 1);
    }

    private static bool LoadsAndRunsOrRefuses(CollectionSpec spec)
    {
        using var backend = new UserspaceBackend { InstructionBudget = 100_000 };
        try
        {
            using var collection = CollectionLoader.Load(backend, spec, new CollectionLoadOptions { UnknownSectionType = ProgramType.Xdp });
            foreach (var program in collection.Programs)
            {
                try
                {
                    program.TestRun(new TestRunAttr { DataIn = TestData.SynPacket(), DataSizeOut = 8192 });
                }
                catch (BpfException)
                {
                    // A faulting run (EFAULT with the runtime's message) or a refused attribute.
                }
            }
        }
        catch (BpfException)
        {
        }

        // Whatever happened, the backend is left with nothing open and a CPU slot free.
        return backend.Files.Count == 0 && backend.CpuSlots.BusyCount == 0;
    }
}
