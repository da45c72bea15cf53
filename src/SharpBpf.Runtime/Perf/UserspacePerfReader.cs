using SharpBpf.Perf;

namespace SharpBpf.Runtime.Perf;

/// <summary>
/// The userspace runtime's perf reader: one BPF-output <see cref="PerfEvent"/> ring per CPU (what libbpf's
/// <c>perf_buffer</c> opens), read with the backend-neutral <see cref="PerfEventReader"/>. Producers wake a waiting
/// reader through a shared signal when a ring reaches its <see cref="PerfWakeup"/> watermark.
/// </summary>
public sealed class UserspacePerfReader : PerfEventReader
{
    private readonly PerfEvent[] _events;
    private readonly PerfWakeupSignal _signal = new();

    /// <summary>Reads the rings of <paramref name="events"/>, taking a reference on each for the reader's lifetime.</summary>
    /// <exception cref="ArgumentException">An event without a ring, a freed event, or one another reader already reads.</exception>
    public UserspacePerfReader(IEnumerable<PerfEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var list = new List<PerfEvent>();
        try
        {
            foreach (var e in events)
            {
                ArgumentNullException.ThrowIfNull(e, nameof(events));
                if (!e.HasRing)
                    throw new ArgumentException($"{e} has no ring buffer to read.", nameof(events));
                if (!e.TryAddRef())
                    throw new ArgumentException($"{e} is freed.", nameof(events));
                list.Add(e);
                if (!e.RingBuffer.TryAttach(_signal))
                {
                    list.RemoveAt(list.Count - 1);
                    e.Release();
                    throw new ArgumentException($"{e} is already read by another reader.", nameof(events));
                }
            }
        }
        catch
        {
            foreach (var e in list)
            {
                e.RingBuffer.Detach(_signal);
                e.Release();
            }
            throw;
        }
        _events = [.. list];
    }

    /// <summary>The events read, in ring order.</summary>
    public IReadOnlyList<PerfEvent> Events => _events;

    /// <inheritdoc />
    public override int RingCount => _events.Length;

    /// <summary>
    /// Creates one BPF-output event per CPU (0 .. <paramref name="cpuCount"/> - 1), each with a ring of
    /// <paramref name="dataPages"/> data pages, and a reader that owns them: they are freed when the reader is disposed
    /// and every other holder (a map slot) has released them.
    /// </summary>
    public static UserspacePerfReader Create(int cpuCount, int dataPages = 1, PerfWakeup wakeup = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cpuCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dataPages);
        var events = new List<PerfEvent>(cpuCount);
        try
        {
            for (int cpu = 0; cpu < cpuCount; cpu++)
                events.Add(PerfEvent.CreateBpfOutput(cpu, dataPages, wakeup));
            return new UserspacePerfReader(events);
        }
        finally
        {
            // The reader took its own references; the creators' go.
            foreach (var e in events)
                e.Dispose();
        }
    }

    /// <inheritdoc />
    protected override PerfRingView GetRing(int index) => _events[index].Ring;

    /// <inheritdoc />
    protected override int GetRingCpu(int index) => _events[index].Cpu;

    /// <inheritdoc />
    protected override void OnRecordsConsumed(int index, int records) => _events[index].RingBuffer.AddConsumed(records);

    /// <inheritdoc />
    protected override async ValueTask WaitForWakeupAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _signal.Arm();
        if (AnyWakeupDue())
        {
            _signal.Disarm();
            return;
        }
        try
        {
            await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _signal.Disarm();
        }
    }

    /// <inheritdoc />
    protected override void ReleaseRings()
    {
        foreach (var e in _events)
        {
            e.RingBuffer.Detach(_signal);
            e.Release();
        }
    }

    private bool AnyWakeupDue()
    {
        foreach (var e in _events)
        {
            if (e.RingBuffer.IsWakeupDue())
                return true;
        }
        return false;
    }
}
