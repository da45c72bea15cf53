using BenchmarkDotNet.Attributes;
using SharpBpf.Abi;
using SharpBpf.Perf;
using SharpBpf.Runtime.Perf;

namespace SharpBpf.Benchmarks.Perf;

/// <summary>
/// One small (16-byte) output into a BPF-output event's ring, the work behind <c>bpf_perf_event_output</c>, while a
/// reader on another thread drains the ring: polling in a loop with the zero-copy sink API, or sleeping in the async
/// enumerable (one copy and one object per record) and woken by the producer at a watermark. Allocation on the producer side must be zero (the reader's allocations are on its own
/// thread and not counted). The fraction of outputs that found the ring full is printed at cleanup: a reader that
/// falls behind turns outputs into cheap ENOSPC failures, so read the time together with it.
/// </summary>
[MemoryDiagnoser]
public class PerfOutputBenchmarks : IDisposable
{
    private const int RoomyBatch = 1000;
    private readonly byte[] _payload = new byte[16];
    private UserspacePerfReader _reader = null!;
    private PerfEvent _event = null!;
    private CancellationTokenSource _stop = null!;
    private Task _drainer = null!;
    private long _outputs;
    private long _full;

    [GlobalSetup(Target = nameof(Output16PollingReader))]
    public void SetupPolling()
    {
        Setup(PerfWakeup.EveryEvent);
        var token = _stop.Token;
        _drainer = Task.Factory.StartNew(() =>
        {
            var sink = new CountingSink();
            while (!token.IsCancellationRequested)
            {
                if (_reader.ReadAvailable(ref sink) == 0)
                    Thread.Yield();
            }
        }, TaskCreationOptions.LongRunning);
    }

    [GlobalSetup(Target = nameof(Output16AsyncReaderWatermark64))]
    public void SetupAsync()
    {
        Setup(PerfWakeup.Events(64));
        var token = _stop.Token;
        _drainer = Task.Run(async () =>
        {
            try
            {
                await foreach (var _ in _reader.ReadAllAsync(token))
                {
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    [GlobalSetup(Target = nameof(Output16RoomyRing))]
    public void SetupRoomy()
    {
        Setup(PerfWakeup.EveryEvent);
        _drainer = Task.CompletedTask;
    }

    /// <summary>
    /// The success path alone, independent of how the OS schedules a reader thread: 1000 outputs (32 000 bytes) into
    /// an empty 32 KiB ring, then the tail is moved to the head in one store, the cheapest possible consumer.
    /// </summary>
    [Benchmark(Description = "Output 16 B, ring with room (success path)", OperationsPerInvoke = RoomyBatch)]
    public Errno Output16RoomyRing()
    {
        var errno = Errno.None;
        for (int i = 0; i < RoomyBatch; i++)
            errno |= Output();
        var ring = _event.Ring;
        ring.WriteDataTail(ring.ReadDataHead());
        return errno;
    }

    [Benchmark(Description = "Output 16 B, polling zero-copy reader")]
    public Errno Output16PollingReader() => Output();

    [Benchmark(Description = "Output 16 B, async reader woken every 64 records")]
    public Errno Output16AsyncReaderWatermark64() => Output();

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop.Cancel();
        _drainer.Wait();
        Console.WriteLine($"// perf output: {_outputs} outputs, {_full} found the ring full ({100.0 * _full / Math.Max(1, _outputs):F2} %)");
        _reader.Dispose();
    }

    public void Dispose()
    {
        _stop?.Dispose();
        GC.SuppressFinalize(this);
    }

    private void Setup(PerfWakeup wakeup)
    {
        // 8 data pages: libbpf's perf_buffer__new is usually given 8 or more.
        _reader = UserspacePerfReader.Create(cpuCount: 1, dataPages: 8, wakeup);
        _event = _reader.Events[0];
        _stop = new CancellationTokenSource();
    }

    private Errno Output()
    {
        var errno = _event.Output(_payload);
        _outputs++;
        if (errno != Errno.None)
            _full++;
        return errno;
    }

    private struct CountingSink : IPerfRecordSink
    {
        public long Samples;

        public void OnSample(int cpu, ReadOnlySpan<byte> rawData) => Samples++;

        public readonly void OnLost(int cpu, ulong id, ulong lost)
        {
        }
    }
}
