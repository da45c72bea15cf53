using System.Diagnostics;
using SharpBpf.Abi;
using SharpBpf.Perf;

namespace SharpBpf.Runtime.Perf;

/// <summary>
/// A perf event of the userspace runtime: what a <c>PERF_EVENT_ARRAY</c> slot refers to. Either a BPF-output event
/// (<c>PERF_COUNT_SW_BPF_OUTPUT</c>) with a ring buffer in the kernel's layout that <c>bpf_perf_event_output</c>
/// writes into, or a counter event whose value <c>bpf_perf_event_read</c> / <c>bpf_perf_event_read_value</c> read.
/// </summary>
/// <remarks>
/// <para>An event is bound to one CPU (a CPU slot of the runtime) or, with <see cref="Cpu"/> = -1, to one thread
/// (identified by its managed thread id, <see cref="Environment.CurrentManagedThreadId"/>), like
/// <c>perf_event_open(pid, cpu)</c>.</para>
/// <para>Lifetime: reference counted. The creator holds the first reference and gives it up with
/// <see cref="Dispose"/>; every other holder (a map slot, a reader) takes its own with <see cref="TryAddRef"/> and
/// gives it back with <see cref="Release"/>. The ring's memory is freed when the last reference goes, so a holder
/// may only call <see cref="Output(ReadOnlySpan{byte})"/> and friends while it holds a reference.</para>
/// </remarks>
public sealed class PerfEvent : IDisposable
{
    private static long s_lastId;

    private readonly PerfRingBuffer? _ring;
    private readonly PerfCounter? _counter;
    private readonly long _created = Stopwatch.GetTimestamp();
    private int _refs = 1;
    private int _creatorReleased;

    private PerfEvent(PerfEventType type, ulong config, int cpu, int threadId, bool inherit, PerfRingBuffer? ring, PerfCounter? counter)
    {
        if (cpu < -1)
            throw new ArgumentOutOfRangeException(nameof(cpu), cpu, "A CPU number is >= 0, or -1 for a per-thread event.");
        if (cpu == -1 && threadId < 0)
            throw new ArgumentException("An event needs a CPU, a thread, or both (perf_event_open(-1, -1) is EINVAL).", nameof(threadId));
        Id = (ulong)Interlocked.Increment(ref s_lastId);
        Type = type;
        Config = config;
        Cpu = cpu;
        ThreadId = threadId < 0 ? -1 : threadId;
        Inherit = inherit;
        _ring = ring;
        _counter = counter;
    }

    /// <summary>The event's id, unique in the process; it is what <c>PERF_RECORD_LOST</c> records carry.</summary>
    public ulong Id { get; }

    /// <summary>The <c>perf_event_attr.type</c>.</summary>
    public PerfEventType Type { get; }

    /// <summary>The <c>perf_event_attr.config</c>.</summary>
    public ulong Config { get; }

    /// <summary>The CPU the event counts on, or -1 for a per-thread event that follows its thread.</summary>
    public int Cpu { get; }

    /// <summary>The managed thread id of a per-thread event, or -1 for a per-CPU event.</summary>
    public int ThreadId { get; }

    /// <summary>
    /// <c>perf_event_attr.inherit</c>. Such an event cannot be read from BPF (<c>perf_event_read_local</c> refuses it
    /// with <see cref="Errno.EOPNOTSUPP"/>), which is why a <c>PERF_EVENT_ARRAY</c> update refuses it too.
    /// </summary>
    public bool Inherit { get; }

    /// <summary>Whether this is a <c>PERF_COUNT_SW_BPF_OUTPUT</c> event, the only kind <c>bpf_perf_event_output</c> accepts.</summary>
    public bool IsBpfOutput => Type == PerfEventType.Software && Config == (ulong)PerfSoftwareEvent.BpfOutput;

    /// <summary>Whether the event has a ring buffer (the kernel's event after <c>mmap</c>).</summary>
    public bool HasRing => _ring is not null;

    /// <summary>The ring in the kernel's layout, for readers.</summary>
    /// <exception cref="InvalidOperationException">The event has no ring.</exception>
    public PerfRingView Ring => RingBuffer.View;

    /// <summary>The first byte of the ring's allocation (the <c>perf_event_mmap_page</c>), page aligned.</summary>
    /// <exception cref="InvalidOperationException">The event has no ring.</exception>
    public nint MappingBase => RingBuffer.MappingBase;

    /// <summary>The allocation's length: one metadata page plus the data area.</summary>
    /// <exception cref="InvalidOperationException">The event has no ring.</exception>
    public ulong MappingLength => RingBuffer.MappingLength;

    /// <summary>When a waiting reader is woken.</summary>
    public PerfWakeup Wakeup => _ring?.Wakeup ?? default;

    /// <summary>Records dropped because the ring was full, since the event was created (the kernel's <c>lost_samples</c>).</summary>
    public ulong LostCount => _ring?.TotalLost ?? 0;

    /// <summary>Records dropped and not yet reported to the reader by a <c>PERF_RECORD_LOST</c>.</summary>
    public ulong PendingLost => _ring?.PendingLost ?? 0;

    /// <summary>The current number of references.</summary>
    public int ReferenceCount => Volatile.Read(ref _refs);

    /// <summary>Whether the last reference is gone and the event freed.</summary>
    public bool IsFreed => Volatile.Read(ref _refs) == 0;

    internal PerfRingBuffer RingBuffer => _ring ?? throw new InvalidOperationException($"Perf event {Id} has no ring buffer.");

    /// <summary>Creates a BPF-output event on CPU <paramref name="cpu"/>.</summary>
    /// <param name="cpu">The CPU slot the event belongs to.</param>
    /// <param name="dataPages">The ring's data pages, a power of two; 0 for no ring (every output then fails with
    /// <see cref="Errno.ENOSPC"/> and is not counted as lost, as for a kernel event nobody mapped).</param>
    /// <param name="wakeup">When a waiting reader is woken; the default wakes on every record.</param>
    /// <param name="inherit">Sets <see cref="Inherit"/>.</param>
    public static PerfEvent CreateBpfOutput(int cpu, int dataPages = 1, PerfWakeup wakeup = default, bool inherit = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cpu);
        return CreateOutput(cpu, -1, dataPages, wakeup, inherit);
    }

    /// <summary>Creates a per-thread BPF-output event (<c>cpu = -1</c>) for the thread with managed id <paramref name="threadId"/>.</summary>
    /// <param name="threadId">The managed thread id (<see cref="Environment.CurrentManagedThreadId"/>) of the thread whose
    /// programs may output into the event.</param>
    /// <param name="dataPages">As for <see cref="CreateBpfOutput"/>.</param>
    /// <param name="wakeup">As for <see cref="CreateBpfOutput"/>.</param>
    /// <param name="inherit">Sets <see cref="Inherit"/>.</param>
    public static PerfEvent CreateBpfOutputForThread(int threadId, int dataPages = 1, PerfWakeup wakeup = default, bool inherit = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threadId);
        return CreateOutput(-1, threadId, dataPages, wakeup, inherit);
    }

    /// <summary>Creates a counter event reading <paramref name="counter"/>.</summary>
    /// <param name="counter">The value source; its type and config become the event's.</param>
    /// <param name="cpu">The CPU the event counts on, or -1 for a per-thread event.</param>
    /// <param name="threadId">The managed thread id of a per-thread event, or -1.</param>
    /// <param name="inherit">Sets <see cref="Inherit"/>.</param>
    public static PerfEvent CreateCounter(PerfCounter counter, int cpu, int threadId = -1, bool inherit = false)
    {
        ArgumentNullException.ThrowIfNull(counter);
        return new PerfEvent(counter.Type, counter.Config, cpu, threadId, inherit, null, counter);
    }

    private static PerfEvent CreateOutput(int cpu, int threadId, int dataPages, PerfWakeup wakeup, bool inherit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataPages);
        var ring = dataPages == 0 ? null : new PerfRingBuffer(dataPages, wakeup);
        return new PerfEvent(PerfEventType.Software, (ulong)PerfSoftwareEvent.BpfOutput, cpu, threadId, inherit, ring, null);
    }

    /// <summary>
    /// Whether the event is active for a program running on CPU <paramref name="cpu"/> in thread
    /// <paramref name="threadId"/>: the kernel's <c>event-&gt;oncpu == smp_processor_id()</c>. A per-CPU event is
    /// active on its CPU; a per-thread event wherever its thread runs (and only on its CPU if it has one too).
    /// </summary>
    public bool IsActiveOn(int cpu, int threadId) =>
        (ThreadId < 0 || ThreadId == threadId) && (Cpu < 0 || Cpu == cpu);

    /// <summary>Writes one raw sample of <paramref name="data"/> into the ring.</summary>
    /// <returns><see cref="Errno.None"/>; <see cref="Errno.ENOSPC"/> when the ring has no room (the record is then
    /// counted as lost) or there is no ring; <see cref="Errno.E2BIG"/> when the sample could not be described by the
    /// u16 record size (more than <see cref="PerfRingLayout.MaxRawPayload"/> bytes: the kernel's header would
    /// overflow, the record is refused instead).</returns>
    public Errno Output(ReadOnlySpan<byte> data) => Output(data, default);

    /// <summary>
    /// Writes one raw sample of <paramref name="a"/> followed by <paramref name="b"/>: the program's data, then the
    /// context bytes captured with <c>BPF_F_CTXLEN_MASK</c>, in the kernel's order.
    /// </summary>
    /// <inheritdoc cref="Output(ReadOnlySpan{byte})" path="/returns"/>
    public Errno Output(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Debug.Assert(!IsFreed, "Output on a freed perf event: the caller does not hold a reference.");
        return _ring is null ? Errno.ENOSPC : _ring.WriteSample(Id, a, b);
    }

    /// <summary>
    /// <c>bpf_perf_event_output</c>'s checks on the event, in the kernel's order, then the output:
    /// <see cref="Errno.EINVAL"/> if this is not a BPF-output event, <see cref="Errno.EOPNOTSUPP"/> if it is not active
    /// on <paramref name="cpu"/> / <paramref name="threadId"/>, else what <see cref="Output(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> returns.
    /// </summary>
    public Errno OutputFrom(int cpu, int threadId, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (!IsBpfOutput)
            return Errno.EINVAL;
        if (!IsActiveOn(cpu, threadId))
            return Errno.EOPNOTSUPP;
        return Output(a, b);
    }

    /// <summary>
    /// The kernel's <c>perf_event_read_local</c>, what <c>bpf_perf_event_read(_value)</c> use:
    /// <see cref="Errno.EOPNOTSUPP"/> for an inherited event; <see cref="Errno.EINVAL"/> for a per-thread event read
    /// from another thread or a per-CPU event read from another CPU; else the value with its times. A BPF-output event
    /// counts nothing and reads 0.
    /// </summary>
    public Errno ReadLocal(int cpu, int threadId, out PerfCounterValue value)
    {
        value = default;
        if (Inherit)
            return Errno.EOPNOTSUPP;
        if (ThreadId >= 0 ? ThreadId != threadId : Cpu != cpu)
            return Errno.EINVAL;
        value = ReadCounter();
        return Errno.None;
    }

    /// <summary>Reads the counter from the host, with no locality checks.</summary>
    public PerfCounterValue ReadCounter()
    {
        if (_counter is not null)
            return _counter.Read();
        ulong ns = (ulong)Stopwatch.GetElapsedTime(_created).Ticks * 100;
        return new PerfCounterValue(0, ns, ns);
    }

    /// <summary>Takes a reference unless the event is already freed.</summary>
    public bool TryAddRef()
    {
        int refs = Volatile.Read(ref _refs);
        while (refs > 0)
        {
            int seen = Interlocked.CompareExchange(ref _refs, refs + 1, refs);
            if (seen == refs)
                return true;
            refs = seen;
        }
        return false;
    }

    /// <summary>Takes a reference.</summary>
    /// <exception cref="ObjectDisposedException">The event is already freed.</exception>
    public void AddRef()
    {
        ObjectDisposedException.ThrowIf(!TryAddRef(), this);
    }

    /// <summary>Gives back a reference taken with <see cref="TryAddRef"/>; the last one frees the event.</summary>
    /// <exception cref="InvalidOperationException">More releases than references (a bug in the caller).</exception>
    public void Release()
    {
        int refs = Interlocked.Decrement(ref _refs);
        if (refs == 0)
            _ring?.Free();
        else if (refs < 0)
            throw new InvalidOperationException($"Perf event {Id} was released more often than referenced.");
    }

    /// <summary>Gives up the creator's reference (once; later calls do nothing).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _creatorReleased, 1) == 0)
            Release();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"perf event {Id} ({(IsBpfOutput ? "bpf-output" : $"{Type}/{Config}")}, cpu {Cpu}{(ThreadId >= 0 ? $", thread {ThreadId}" : "")})";
}
