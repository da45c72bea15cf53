using System.Runtime.InteropServices;
using SharpBpf.Abi;
using SharpBpf.Perf;

namespace SharpBpf.Runtime.Perf;

/// <summary>
/// The userspace counterpart of a BPF-output event's ring: one native, page-aligned allocation of <c>1 + 2^n</c> pages
/// in the kernel's layout (page 0 is <c>struct perf_event_mmap_page</c>, the data area follows), so the same
/// <see cref="PerfRingView"/> parser reads it and a kernel ring. The producer follows the kernel's
/// <c>__perf_output_begin</c>: free space is <c>CIRC_SPACE(head, tail, size)</c>, a record that does not fit is dropped
/// and counted as lost (<see cref="Errno.ENOSPC"/>), and a pending lost count is written as a
/// <c>PERF_RECORD_LOST</c> just before the next sample, only when both fit together.
/// </summary>
internal sealed unsafe class PerfRingBuffer
{
    // Producers are serialised: the kernel serialises per CPU (a ring is written by one CPU at a time), here two
    // threads may share a CPU slot or a per-task event. Contention is rare and the critical section a short copy,
    // so a CAS spin lock (one interlocked op to enter, a release store to leave) beats a general lock here.
    private int _producerBusy;
    private readonly byte* _base;
    private readonly byte* _data;
    private readonly ulong _mask;

    // The producer's private head; data_head in the page is its published copy.
    private ulong _head;
    private ulong _pendingLost;
    private ulong _totalLost;

    // Records published and consumed, for the event-count wakeup watermark.
    private long _published;
    private long _consumed;

    private PerfWakeupSignal? _signal;
    private int _freed;

    public PerfRingBuffer(int dataPages, PerfWakeup wakeup)
    {
        if (dataPages <= 0 || (dataPages & (dataPages - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(dataPages), dataPages, "The number of data pages must be a power of two.");
        int pageSize = Environment.SystemPageSize;
        DataSize = checked((ulong)dataPages * (ulong)pageSize);
        MappingLength = checked((ulong)pageSize + DataSize);
        Wakeup = wakeup;
        _base = (byte*)NativeMemory.AlignedAlloc((nuint)MappingLength, (nuint)pageSize);
        NativeMemory.Clear(_base, (nuint)MappingLength);
        _data = _base + pageSize;
        _mask = DataSize - 1;

        // What perf_mmap() initialises; everything else in the page stays zero.
        *(ulong*)(_base + PerfRingLayout.CapabilitiesOffset) = PerfRingLayout.CapBit0IsDeprecated;
        *(uint*)(_base + PerfRingLayout.SizeOffset) = PerfRingLayout.HeaderSizeValue;
        *(ulong*)(_base + PerfRingLayout.DataOffsetOffset) = (ulong)pageSize;
        *(ulong*)(_base + PerfRingLayout.DataSizeOffset) = DataSize;
    }

    /// <summary>The data area's size in bytes.</summary>
    public ulong DataSize { get; }

    /// <summary>The whole allocation: the metadata page and the data area.</summary>
    public ulong MappingLength { get; }

    public PerfWakeup Wakeup { get; }

    public nint MappingBase => (nint)_base;

    public PerfRingView View => new((nint)_base, (nint)_data, DataSize);

    /// <summary>Records dropped and not yet reported by a <c>PERF_RECORD_LOST</c>.</summary>
    public ulong PendingLost
    {
        get
        {
            EnterProducer();
            try
            {
                return _pendingLost;
            }
            finally
            {
                ExitProducer();
            }
        }
    }

    /// <summary>Every record dropped since the ring was created (the kernel's <c>lost_samples</c>).</summary>
    public ulong TotalLost
    {
        get
        {
            EnterProducer();
            try
            {
                return _totalLost;
            }
            finally
            {
                ExitProducer();
            }
        }
    }

    private ref ulong DataHead => ref *(ulong*)(_base + PerfRingLayout.DataHeadOffset);

    private ref ulong DataTail => ref *(ulong*)(_base + PerfRingLayout.DataTailOffset);

    /// <summary>
    /// Writes one raw sample holding <paramref name="a"/> then <paramref name="b"/> (the program's data, then the
    /// captured context bytes, in the kernel's order), padded (skipped, not written) to
    /// <c>raw.size = round_up(n + 4, 8) - 4</c>.
    /// </summary>
    public Errno WriteSample(ulong eventId, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        long n = (long)a.Length + b.Length;
        if (n > PerfRingLayout.MaxRawPayload)
            return Errno.E2BIG;
        uint rawSize = PerfRingLayout.RawSize((uint)n);
        uint sampleSize = PerfRingLayout.SampleFixedSize + rawSize;
        bool stored;
        var signal = Volatile.Read(ref _signal);
        EnterProducer();
        try
        {
            ulong head = _head;
            ulong tail = Volatile.Read(ref DataTail);
            ulong lost = _pendingLost;
            uint size = sampleSize + (lost != 0 ? (uint)PerfRingLayout.LostRecordSize : 0);
            stored = ((tail - (head + 1)) & _mask) >= size;
            if (!stored)
            {
                Volatile.Write(ref _pendingLost, lost + 1);
                _totalLost++;
            }
            else
            {
                int records = 1;
                if (lost != 0)
                {
                    WriteHeader(head, PerfRecordType.Lost, 0, PerfRingLayout.LostRecordSize);
                    WriteUInt64(head + 8, eventId);
                    WriteUInt64(head + 16, lost);
                    head += PerfRingLayout.LostRecordSize;
                    Volatile.Write(ref _pendingLost, 0);
                    records = 2;
                }
                WriteHeader(head, PerfRecordType.Sample, PerfRingLayout.MiscKernel, (ushort)sampleSize);
                WriteUInt32(head + PerfRingLayout.RecordHeaderSize, rawSize);
                ulong position = head + PerfRingLayout.SampleFixedSize;
                Write(position, a);
                Write(position + (ulong)a.Length, b);
                // The padding up to rawSize is skipped, not written, as the kernel's __output_skip: after a wrap it
                // holds what the ring held there before, byte for byte the kernel's ring.
                head += sampleSize;
                _head = head;

                // Release: the record bytes above are visible before the new head.
                Volatile.Write(ref DataHead, head);
                if (signal is null)
                    Volatile.Write(ref _published, _published + records);
                else
                    Interlocked.Add(ref _published, records);
            }
        }
        finally
        {
            ExitProducer();
        }

        // The reader arms its signal and then re-checks IsWakeupDue; here the state change above (an interlocked add,
        // or the fence below) is ordered before the load of "armed", so one of the two sides always sees the other.
        // Without a reader nobody waits: no fence is needed (a reader attaching meanwhile is woken by the next output).
        if (signal is null)
            return stored ? Errno.None : Errno.ENOSPC;
        if (!stored)
            Interlocked.MemoryBarrier();
        if (signal.IsArmed && IsWakeupDue())
            signal.FireIfArmed();
        return stored ? Errno.None : Errno.ENOSPC;
    }

    /// <summary>
    /// Whether a waiting reader should be woken: the pending data has reached the wakeup watermark, or records were
    /// dropped while unread data fills the ring (otherwise a watermark larger than what the ring can hold would never
    /// be reached and every further record would be lost).
    /// </summary>
    public bool IsWakeupDue()
    {
        ulong head = Volatile.Read(ref DataHead);
        ulong tail = Volatile.Read(ref DataTail);
        if (head != tail && Volatile.Read(ref _pendingLost) != 0)
            return true;
        uint threshold = Wakeup.EffectiveThreshold;
        if (Wakeup.Unit == PerfWakeupUnit.Bytes)
            return head - tail >= threshold;
        return Volatile.Read(ref _published) - Volatile.Read(ref _consumed) >= threshold;
    }

    /// <summary>Called by the (single) consumer after it published a tail past <paramref name="records"/> records.</summary>
    public void AddConsumed(int records) => Interlocked.Add(ref _consumed, records);

    /// <summary>Attaches a reader's wakeup signal; a ring has one reader at a time.</summary>
    public bool TryAttach(PerfWakeupSignal signal) => Interlocked.CompareExchange(ref _signal, signal, null) is null;

    public void Detach(PerfWakeupSignal signal) => Interlocked.CompareExchange(ref _signal, null, signal);

    /// <summary>Frees the native memory. The owner guarantees nobody uses the ring any more.</summary>
    public void Free()
    {
        if (Interlocked.Exchange(ref _freed, 1) == 0)
            NativeMemory.AlignedFree(_base);
    }

    private void EnterProducer()
    {
        if (Interlocked.CompareExchange(ref _producerBusy, 1, 0) == 0)
            return;
        var spin = default(SpinWait);
        do
            spin.SpinOnce();
        while (Interlocked.CompareExchange(ref _producerBusy, 1, 0) != 0);
    }

    private void ExitProducer() => Volatile.Write(ref _producerBusy, 0);


    private void WriteHeader(ulong position, PerfRecordType type, ushort misc, ushort size)
    {
        // Records are 8-byte aligned and the data area is a multiple of 8, so a header never wraps.
        byte* p = _data + (position & _mask);
        *(uint*)p = (uint)type;
        *(ushort*)(p + 4) = misc;
        *(ushort*)(p + 6) = size;
    }

    private void WriteUInt32(ulong position, uint value) => Write(position, new ReadOnlySpan<byte>(&value, sizeof(uint)));

    private void WriteUInt64(ulong position, ulong value) => Write(position, new ReadOnlySpan<byte>(&value, sizeof(ulong)));

    private void Write(ulong position, ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty)
            return;
        ulong offset = position & _mask;
        int first = (int)Math.Min((ulong)source.Length, DataSize - offset);
        source[..first].CopyTo(new Span<byte>(_data + offset, first));
        if (first < source.Length)
            source[first..].CopyTo(new Span<byte>(_data, source.Length - first));
    }
}
