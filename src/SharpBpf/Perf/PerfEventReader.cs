using System.Runtime.CompilerServices;

namespace SharpBpf.Perf;

/// <summary>
/// Reads the records of a set of perf rings (one per CPU, as <c>PERF_EVENT_ARRAY</c> readers use them) and hands
/// them back to the ring's producer by advancing <c>data_tail</c>. The parsing is backend-neutral: a subclass only
/// provides the rings (<see cref="PerfRingView"/>), a way to sleep until a ring's wakeup watermark is reached, and
/// the release of its resources.
/// </summary>
/// <remarks>
/// <para>Consuming is serialised: <see cref="ReadAvailable"/> and the enumerators of <see cref="ReadAllAsync"/> may be
/// used from several threads, each record is delivered once. Disposing the reader ends running enumerations; the
/// rings are released once the last running read has finished.</para>
/// <para>A record whose header cannot be right (size below 8, beyond the published data, a sample whose raw size
/// overruns the record) means the ring is corrupt: the read throws <see cref="InvalidDataException"/> and leaves
/// <c>data_tail</c> at that record, so the reader never loops or reads outside the data area.</para>
/// </remarks>
public abstract class PerfEventReader : IDisposable
{
    private readonly Lock _drainLock = new();
    private readonly CancellationTokenSource _disposed = new();

    // For samples that wrap around the end of the data area; used under the drain lock.
    private byte[] _scratch = new byte[256];

    // One for the owner plus one per running read; the rings are released when it reaches zero.
    private int _users = 1;
    private int _disposeCalled;

    /// <summary>The number of rings.</summary>
    public abstract int RingCount { get; }

    /// <summary>Whether <see cref="Dispose()"/> has been called.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposeCalled) != 0;

    /// <summary>Ring <paramref name="index"/> (0 &lt;= index &lt; <see cref="RingCount"/>).</summary>
    protected abstract PerfRingView GetRing(int index);

    /// <summary>The CPU that ring <paramref name="index"/> belongs to (-1 for a per-task ring): what records report.</summary>
    protected abstract int GetRingCpu(int index);

    /// <summary>
    /// Completes when some ring has reached its wakeup watermark. It must complete at once when one already has
    /// (no lost wakeups); a spurious early completion is allowed.
    /// </summary>
    protected abstract ValueTask WaitForWakeupAsync(CancellationToken cancellationToken);

    /// <summary>Called after <paramref name="records"/> records of ring <paramref name="index"/> were consumed and the tail published.</summary>
    protected virtual void OnRecordsConsumed(int index, int records)
    {
    }

    /// <summary>Releases the rings; called once, after <see cref="Dispose()"/>, when no read is running.</summary>
    protected abstract void ReleaseRings();

    /// <summary>
    /// Reads every record published so far in every ring, calling <paramref name="onRecord"/> for each, and advances the
    /// rings' tails. A record counts as consumed once it has been handed to the callback, even if the callback throws.
    /// </summary>
    /// <returns>The number of records delivered.</returns>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    /// <exception cref="InvalidDataException">A ring is corrupt.</exception>
    public int ReadAvailable(Action<PerfRecord> onRecord)
    {
        ArgumentNullException.ThrowIfNull(onRecord);
        ObjectDisposedException.ThrowIf(!TryEnter(), this);
        try
        {
            var sink = new AllocatingSink(onRecord);
            return Drain(ref sink);
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>
    /// Reads every record published so far without copying or allocating: <paramref name="sink"/> gets each sample as
    /// a span valid only during its call. Otherwise as <see cref="ReadAvailable(Action{PerfRecord})"/>.
    /// </summary>
    /// <returns>The number of records consumed (unknown record types included).</returns>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    /// <exception cref="InvalidDataException">A ring is corrupt.</exception>
    public int ReadAvailable<TSink>(ref TSink sink)
        where TSink : IPerfRecordSink
    {
        // Not ThrowIfNull: that would box a struct sink on every call.
        if (sink is null)
            throw new ArgumentNullException(nameof(sink));
        ObjectDisposedException.ThrowIf(!TryEnter(), this);
        try
        {
            return Drain(ref sink);
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>
    /// Streams the records: waits (without spinning) until a ring reaches its wakeup watermark, then yields every
    /// available record, and so on. Records below the watermark wait for more; call <see cref="ReadAvailable"/> to
    /// flush them. Ends when the reader is disposed.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The reader was disposed before the enumeration started.</exception>
    public async IAsyncEnumerable<PerfRecord> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(!TryEnter(), this);
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
            var batch = new List<PerfRecord>();
            while (true)
            {
                try
                {
                    await WaitForWakeupAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && IsDisposed)
                {
                    yield break;
                }
                cancellationToken.ThrowIfCancellationRequested();
                if (IsDisposed)
                    yield break;
                batch.Clear();
                var sink = new AllocatingSink(batch.Add);
                Drain(ref sink);
                foreach (var record in batch)
                    yield return record;
            }
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>Ends running enumerations and releases the rings once no read is running.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the reader; subclasses release their rings in <see cref="ReleaseRings"/>, not here.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing || Interlocked.Exchange(ref _disposeCalled, 1) != 0)
            return;
        _disposed.Cancel();
        Leave();
    }

    private bool TryEnter()
    {
        int users = Volatile.Read(ref _users);
        while (users > 0 && !IsDisposed)
        {
            int seen = Interlocked.CompareExchange(ref _users, users + 1, users);
            if (seen == users)
                return true;
            users = seen;
        }
        return false;
    }

    private void Leave()
    {
        if (Interlocked.Decrement(ref _users) == 0)
        {
            ReleaseRings();
            _disposed.Dispose();
        }
    }

    private int Drain<TSink>(ref TSink sink)
        where TSink : IPerfRecordSink
    {
        int total = 0;
        lock (_drainLock)
        {
            for (int i = 0; i < RingCount; i++)
                total += DrainRing(i, ref sink);
        }
        return total;
    }

    private int DrainRing<TSink>(int index, ref TSink sink)
        where TSink : IPerfRecordSink
    {
        var ring = GetRing(index);
        int cpu = GetRingCpu(index);
        ulong head = ring.ReadDataHead();
        ulong tail = ring.ReadDataTail();
        ulong size = ring.DataSize;
        int records = 0;
        try
        {
            while (tail != head)
            {
                ulong pending = head - tail;
                if (pending > size || pending < PerfRingLayout.RecordHeaderSize)
                    throw Corrupt(cpu, tail, $"data_head {head} and data_tail {tail} are {pending} bytes apart in a {size}-byte ring");
                var header = ring.ReadHeader(tail);
                if (header.Size < PerfRingLayout.RecordHeaderSize || header.Size > pending)
                    throw Corrupt(cpu, tail, $"record size {header.Size} with {pending} bytes published");
                ulong position = tail;

                // Consumed from here on, even if the sink throws.
                tail += header.Size;
                records++;
                switch ((PerfRecordType)header.Type)
                {
                    case PerfRecordType.Sample:
                    {
                        if (header.Size < PerfRingLayout.SampleFixedSize)
                            throw Corrupt(cpu, position, $"PERF_RECORD_SAMPLE of {header.Size} bytes", ref tail, ref records);
                        uint rawSize = ring.ReadUInt32(position + PerfRingLayout.RecordHeaderSize);
                        if (rawSize > (uint)(header.Size - PerfRingLayout.SampleFixedSize))
                            throw Corrupt(cpu, position, $"raw.size {rawSize} in a {header.Size}-byte sample", ref tail, ref records);
                        sink.OnSample(cpu, ring.Slice(position + PerfRingLayout.SampleFixedSize, (int)rawSize, Scratch((int)rawSize)));
                        break;
                    }
                    case PerfRecordType.Lost:
                        if (header.Size < PerfRingLayout.LostRecordSize)
                            throw Corrupt(cpu, position, $"PERF_RECORD_LOST of {header.Size} bytes", ref tail, ref records);
                        sink.OnLost(cpu, ring.ReadUInt64(position + 8), ring.ReadUInt64(position + 16));
                        break;
                }
            }
        }
        finally
        {
            ring.WriteDataTail(tail);
            if (records > 0)
                OnRecordsConsumed(index, records);
        }
        return records;
    }

    private Span<byte> Scratch(int length)
    {
        if (_scratch.Length < length)
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        return _scratch.AsSpan(0, length);
    }

    /// <summary>A corrupt record is not consumed: the tail stays at it.</summary>
    private static InvalidDataException Corrupt(int cpu, ulong position, string what, ref ulong tail, ref int records)
    {
        tail = position;
        records--;
        return Corrupt(cpu, position, what);
    }

    private static InvalidDataException Corrupt(int cpu, ulong position, string what) =>
        new($"Corrupt perf ring (cpu {cpu}) at position {position}: {what}.");

    /// <summary>Copies each record into a <see cref="PerfRecord"/> for the callback API.</summary>
    private readonly struct AllocatingSink(Action<PerfRecord> onRecord) : IPerfRecordSink
    {
        public void OnSample(int cpu, ReadOnlySpan<byte> rawData) => onRecord(new PerfSample(cpu, rawData.ToArray()));

        public void OnLost(int cpu, ulong id, ulong lost) => onRecord(new PerfLost(cpu, id, lost));
    }
}
