using BenchmarkDotNet.Attributes;
using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Object;
using SharpBpf.Runtime;
using SharpBpf.Runtime.Memory;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Benchmarks.Jit;

/// <summary>
/// The bench objects of shared/bench/progs (testdata/bench/*.o) in the userspace backend, JIT checked and JIT
/// trusted (and the interpreter for scale), through BPF_PROG_TEST_RUN with the 64-byte packet and
/// <c>repeat</c> = <see cref="Runs"/>: ns per run, directly comparable with the kernel column of EXPECTED.md (which
/// also includes its test-run loop). tail_chain is absent: the runtime has no tail calls yet.
/// </summary>
[MemoryDiagnoser]
public class JitBenchmarks : IDisposable
{
    private const int Runs = 10_000;

    private static readonly byte[] s_packet = MakePacket();

    private UserspaceBackend _backend = null!;
    private int _prog;

    [Params("nop", "alu_loop", "alu_ilp", "array_hist", "array_sum", "global_data")]
    public string Name { get; set; } = "nop";

    [Params(ExecutionMode.Jit, ExecutionMode.JitTrusted, ExecutionMode.Interpreter)]
    public ExecutionMode Mode { get; set; } = ExecutionMode.Jit;

    [GlobalSetup]
    public void Setup()
    {
        _backend = new UserspaceBackend(new UserspaceBackendOptions
        {
            MemoryBudget = new MemoryBudget(1L << 30),
            Registry = new ObjectRegistry(),
        });
        var maps = new Dictionary<string, int>();
        _prog = BenchObjectLoader.Load(_backend, Name, Mode, maps);
        if (Name == "array_sum")
        {
            for (var k = 0u; k < 256; k++)
                Check(_backend.MapUpdateElem(maps["sum_vals"], BitConverter.GetBytes(k), BitConverter.GetBytes((ulong)(k + 1) * (k + 1)), 0));
        }

        uint? expected = Name switch
        {
            "nop" => 2u,
            "alu_loop" => 190592439u,
            "alu_ilp" => 1827812792u,
            "array_sum" => 5625216u,
            _ => null,
        };
        var retval = Run();
        if (expected is { } e && retval != e)
            throw new InvalidOperationException($"{Name} returned {retval}, expected {e}");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _backend?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(OperationsPerInvoke = Runs, Description = "ns per run")]
    public uint TestRun() => Run();

    private uint Run()
    {
        Check(_backend.ProgTestRun(_prog, new TestRunAttr { DataIn = s_packet, Repeat = Runs }, out var result));
        return result.Retval;
    }

    private static void Check(Errno err)
    {
        if (err != Errno.None)
            throw new InvalidOperationException(err.ToString());
    }

    // EXPECTED.md's packet: Ethernet/IPv4/TCP SYN 10.0.0.1:12345 -> 10.0.0.2:80 (only its size matters here).
    private static byte[] MakePacket()
    {
        var p = new byte[64];
        p[12] = 0x08;
        p[14] = 0x45;
        p[23] = 6;
        return p;
    }
}
