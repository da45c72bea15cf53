using BenchmarkDotNet.Attributes;
using SharpBpf.Abi;
using SharpBpf.Backend;
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
    private const int Iterations = 4_000_000;

    private UserspaceBackend _backend = null!;
    private PerCpuArrayMapObject _percpu = null!;
    private MapObject _array = null!;

    // The second "CPU": a thread started once, so each invocation measures the increments, not thread creation.
    private Thread? _worker;
    private Barrier? _start;
    private Barrier? _done;
    private volatile Action<int>? _work;
    private volatile bool _stop;

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
        if (Threads == 2)
        {
            _start = new Barrier(2);
            _done = new Barrier(2);
            _worker = new Thread(() =>
            {
                while (true)
                {
                    _start.SignalAndWait();
                    if (_stop)
                        return;
                    _work!(1);
                    _done.SignalAndWait();
                }
            }) { IsBackground = true };
            _worker.Start();
        }
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
        {
            if (_worker is not null)
            {
                _stop = true;
                _start!.SignalAndWait();
                _worker.Join();
            }

            _start?.Dispose();
            _done?.Dispose();
            _backend.Dispose();
        }
    }

    [Benchmark(Baseline = true, Description = "PERCPU_ARRAY counter, own CPU copy")]
    public void PerCpu() => RunOnThreads(cpu => IncrementPerCpu(_percpu, cpu));

    [Benchmark(Description = "ARRAY counter, shared, atomic")]
    public void SharedAtomic() => RunOnThreads(_ => IncrementShared(_array));

    private static unsafe void IncrementPerCpu(MapObject map, int cpu)
    {
        for (var i = 0; i < Iterations; i++)
        {
            var p = (long*)map.LookupForProgram(0, cpu);
            if (p != null)
                *p += 1;
        }
    }

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

    private void RunOnThreads(Action<int> body)
    {
        if (Threads == 1)
        {
            body(0);
            return;
        }

        _work = body;
        _start!.SignalAndWait();
        body(0);
        _done!.SignalAndWait();
    }
}
