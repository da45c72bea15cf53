using BenchmarkDotNet.Attributes;
using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Linux;
using SharpBpf.Runtime;
using SharpBpf.Runtime.Memory;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Benchmarks.Programs;

/// <summary>
/// A per-CPU counter bumped by a real program: <c>v = bpf_map_lookup_elem(&amp;counters, &amp;zero); *v += 1</c>,
/// loaded with BPF_PROG_LOAD and driven by BPF_PROG_TEST_RUN (<see cref="RunsPerThread"/> runs per test run), from
/// 1 thread and from 2 threads at once. Each test run holds its own CPU slot, so with a PERCPU_ARRAY the two
/// threads write different cache lines and should finish twice the work in the same time (the mean per operation
/// stays flat from 1 to 2 threads). The ARRAY variant bumps one shared counter (non-atomically, as the kernel's
/// plain <c>*v += 1</c> would) to show the cache-line ping-pong the per-CPU layout avoids.
/// </summary>
/// <remarks>Time is reported per run of one thread: <c>OperationsPerInvoke</c> is <see cref="RunsPerThread"/>.</remarks>
[MemoryDiagnoser]
public class ProgramCounterBenchmarks : IDisposable
{
    private const int RunsPerThread = 200_000;

    private static readonly byte[] s_packet = new byte[64];

    private UserspaceBackend _backend = null!;
    private int _perCpuProgram;
    private int _arrayProgram;
    private int _perCpuMap;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _backend = new UserspaceBackend(new UserspaceBackendOptions
        {
            PossibleCpus = Math.Max(2, Environment.ProcessorCount),
            MemoryBudget = new MemoryBudget(1L << 30),
            Registry = new ObjectRegistry(),
        });
        _perCpuMap = CreateMap(MapType.PerCpuArray);
        _perCpuProgram = Load(_perCpuMap);
        _arrayProgram = Load(CreateMap(MapType.Array));
        var sum = SumOfCounters(_perCpuMap);
        if (Run(_perCpuProgram) != 0 || SumOfCounters(_perCpuMap) != sum + RunsPerThread)
            throw new InvalidOperationException("the counter program does not count");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _backend?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = RunsPerThread, Description = "PERCPU_ARRAY counter program")]
    public void PerCpuProgram() => OnThreads(_perCpuProgram);

    [Benchmark(OperationsPerInvoke = RunsPerThread, Description = "ARRAY counter program (shared line)")]
    public void SharedArrayProgram() => OnThreads(_arrayProgram);

    private void OnThreads(int program) => PinnedWorkers.Run(Threads, _ => Run(program));

    private uint Run(int program)
    {
        var err = _backend.ProgTestRun(program, new TestRunAttr { DataIn = s_packet, Repeat = RunsPerThread }, out var result);
        if (err != Errno.None)
            throw new InvalidOperationException($"test run: {err}");
        return result.Retval;
    }

    private int CreateMap(MapType type)
    {
        var err = _backend.MapCreate(new MapCreateAttr { Type = type, KeySize = 4, ValueSize = 8, MaxEntries = 1 }, out var fd);
        if (err != Errno.None)
            throw new InvalidOperationException($"map create: {err}");
        return fd;
    }

    private ulong SumOfCounters(int map)
    {
        var values = new byte[8 * _backend.PossibleCpus];
        _backend.MapLookupElem(map, new byte[4], values, 0);
        ulong sum = 0;
        for (var i = 0; i < values.Length; i += 8)
            sum += BitConverter.ToUInt64(values, i);
        return sum;
    }

    /// <summary><c>*(u32 *)(fp-4) = 0; r0 = lookup(map, fp-4); if (!r0) return 1; *(u64 *)r0 += 1; return 0</c>.</summary>
    private int Load(int map)
    {
        Instruction[] insns =
        [
            new(0x62, 10, 0, -4, 0),          // *(u32 *)(r10 - 4) = 0
            new(0xbf, 2, 10, 0, 0),           // r2 = r10
            new(0x07, 2, 0, 0, -4),           // r2 += -4
            new(0x18, 1, 1, 0, map),          // r1 = map (lddw, BPF_PSEUDO_MAP_FD)
            new(0x00, 0, 0, 0, 0),
            new(0x85, 0, 0, 0, 1),            // call bpf_map_lookup_elem
            new(0x15, 0, 0, 5, 0),            // if r0 == 0 goto +5
            new(0x79, 1, 0, 0, 0),            // r1 = *(u64 *)(r0 + 0)
            new(0x07, 1, 0, 0, 1),            // r1 += 1
            new(0x7b, 0, 1, 0, 0),            // *(u64 *)(r0 + 0) = r1
            new(0xb7, 0, 0, 0, 0),            // r0 = 0
            new(0x95, 0, 0, 0, 0),            // exit
            new(0xb7, 0, 0, 0, 1),            // r0 = 1
            new(0x95, 0, 0, 0, 0),            // exit
        ];
        var err = _backend.ProgLoad(new ProgLoadAttr { Type = ProgramType.Xdp, Instructions = insns, License = "GPL" },
            out var fd, out var log);
        if (err != Errno.None)
            throw new InvalidOperationException($"load: {err} {log}");
        return fd;
    }
}
