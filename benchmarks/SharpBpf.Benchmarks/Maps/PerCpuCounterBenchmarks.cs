using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Linux;
using SharpBpf.Runtime;
using SharpBpf.Runtime.Maps;
using SharpBpf.Runtime.Memory;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Benchmarks.Maps;

/// <summary>
/// What a program's per-CPU counter costs: <see cref="Iterations"/> program-side lookups and increments of one
/// PERCPU_ARRAY element per thread, each thread acting as its own CPU slot, from 1 and from 2 threads at once.
/// With each CPU's copies in their own cache-line-aligned block, two threads should do twice the work in about the
/// same time; the ARRAY case (both threads on one shared counter, atomically) shows the cache-line ping-pong
/// the layout avoids.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class PerCpuCounterBenchmarks : IDisposable
{
    private const int Iterations = 40_000_000;

    private UserspaceBackend _backend = null!;
    private PerCpuArrayMapObject _percpu = null!;
    private MapObject _array = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _backend = new UserspaceBackend(new UserspaceBackendOptions
        {
            PossibleCpus = 2,
            MemoryBudget = new MemoryBudget(1L << 30),
            Registry = new ObjectRegistry(),
        });
        _percpu = (PerCpuArrayMapObject)Create(MapType.PerCpuArray);
        _array = Create(MapType.Array);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
            _backend.Dispose();
    }

    [Benchmark(Baseline = true, Description = "PERCPU_ARRAY counter, own CPU copy")]
    public void PerCpu() => RunOnThreads(cpu => IncrementPerCpu(_percpu, cpu));

    [Benchmark(Description = "ARRAY counter, shared, atomic")]
    public void SharedAtomic() => RunOnThreads(_ => IncrementShared(_array));

    // Optimised from the first call: an invocation is one call, so tiering would otherwise measure OSR code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void IncrementPerCpu(MapObject map, int cpu)
    {
        for (var i = 0; i < Iterations; i++)
        {
            var p = (long*)map.LookupForProgram(0, cpu);
            if (p != null)
                *p += 1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void IncrementShared(MapObject map)
    {
        for (var i = 0; i < Iterations; i++)
        {
            var p = (long*)map.LookupForProgram(0, 0);
            if (p != null)
                Interlocked.Increment(ref *p);
        }
    }

    private MapObject Create(MapType type)
    {
        var err = _backend.MapCreate(new MapCreateAttr { Type = type, KeySize = 4, ValueSize = 8, MaxEntries = 16 }, out var fd);
        if (err != Errno.None || !_backend.TryGetMap(fd, out var map))
            throw new InvalidOperationException(err.ToString());
        return map!;
    }

    private void RunOnThreads(Action<int> body) => PinnedWorkers.Run(Threads, body);
}
