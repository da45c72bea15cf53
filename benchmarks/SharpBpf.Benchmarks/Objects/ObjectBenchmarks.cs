using BenchmarkDotNet.Attributes;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Loading;
using SharpBpf.Object;
using SharpBpf.Programs;
using SharpBpf.Runtime;

namespace SharpBpf.Benchmarks.Objects;

/// <summary>
/// Every bench object (testdata/bench/*.o) loaded the way users load objects (<see cref="CollectionLoader"/>, the
/// path of <c>sharpbpf prog run</c>) and run by BPF_PROG_TEST_RUN with EXPECTED.md's 64-byte packet and
/// <c>repeat</c> = <see cref="Runs"/>: nanoseconds per run in the interpreter, the JIT (checked) and the JIT in trusted
/// mode, to set against the kernel and uBPF columns of ../shared/bench/EXPECTED.md (the kernel's figure also includes
/// its test-run loop, as these do). tail_chain runs its 8 tail calls.
/// </summary>
[MemoryDiagnoser]
public class ObjectBenchmarks : IDisposable
{
    private const int Runs = 10_000;

    /// <summary>EXPECTED.md's input: a 64-byte Ethernet/IPv4/TCP SYN packet, 10.0.0.1:12345 -> 10.0.0.2:80.</summary>
    private static readonly byte[] s_packet = Convert.FromHexString(
        "000000000002000000000001080045000032000000004006000" + "00a0000010a000002303900500000000000000000500220000000000000000000000000000000");

    private UserspaceBackend _backend = null!;
    private BpfCollection _collection = null!;
    private BpfProgram _program = null!;
    private TestRunAttr _attr;

    /// <summary>The bench program.</summary>
    [Params("nop", "alu_loop", "alu_ilp", "array_hist", "array_sum", "tail_chain", "global_data")]
    public string Name { get; set; } = "nop";

    /// <summary>How the runtime executes it.</summary>
    [Params(ExecutionMode.Interpreter, ExecutionMode.Jit, ExecutionMode.JitTrusted)]
    public ExecutionMode Mode { get; set; } = ExecutionMode.Interpreter;

    /// <summary>Loads the object and fills the maps EXPECTED.md asks for.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _backend = new UserspaceBackend();
        var spec = BpfObjectReader.Read(PathOf($"{Name}.o"));
        _collection = CollectionLoader.Load(_backend, spec, new CollectionLoadOptions
        {
            UnknownSectionType = ProgramType.Xdp,
            ExecutionMode = Mode,
        });
        _program = _collection.Program(Name == "tail_chain" ? "tail_entry" : Name);
        if (Name == "array_sum")
        {
            using var sums = _collection.ArrayMap<ulong>("sum_vals");
            for (var k = 0u; k < 256; k++)
                sums[k] = (ulong)(k + 1) * (k + 1);
        }

        if (Name == "tail_chain")
        {
            var chain = _collection.Map("chain_progs");
            for (var i = 0u; i < 8; i++)
                chain.Update(BitConverter.GetBytes(i), BitConverter.GetBytes(_collection.Program($"tail_{i}").Fd));
        }

        _attr = new TestRunAttr { DataIn = s_packet, Repeat = Runs };
        uint? expected = Name switch
        {
            "nop" or "tail_chain" => 2u,
            "alu_loop" => 190592439u,
            "alu_ilp" => 1827812792u,
            "array_sum" => 5625216u,
            _ => null,
        };
        var retval = TestRun();
        if (expected is { } e && retval != e)
            throw new InvalidOperationException($"{Name} returned {retval}, expected {e}");
    }

    /// <summary>Closes the collection and the backend.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _collection?.Dispose();
        _backend?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>One test run of <see cref="Runs"/> repeats; reported per run.</summary>
    [Benchmark(OperationsPerInvoke = Runs, Description = "ns per run")]
    public uint TestRun() => _program.TestRun(_attr).ReturnValue;

    private static string PathOf(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "testdata", "bench", name);
            if (File.Exists(candidate))
                return candidate;
        }

        throw new FileNotFoundException($"testdata/bench/{name} not found above {AppContext.BaseDirectory}");
    }
}
