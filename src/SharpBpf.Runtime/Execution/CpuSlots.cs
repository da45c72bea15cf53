using System.Runtime.InteropServices;

namespace SharpBpf.Runtime.Execution;

/// <summary>
/// The userspace counterpart of <c>migrate_disable</c>: one slot per possible CPU, each owning a reusable
/// <see cref="RunState"/> whose <see cref="RunState.Cpu"/> is the slot's number. A program run takes exactly one
/// slot for its whole duration and no two concurrent runs ever hold the same slot, so a run on slot <c>k</c> is the
/// only writer of per-CPU copy <c>k</c>, exactly as a kernel program is the only one running on its CPU.
/// </summary>
/// <remarks>
/// <para>
/// Taking a slot is one compare-and-swap on the uncontended path: <see cref="Acquire()"/> starts at the slot of
/// the processor the thread is running on (so threads spread over slots the way they spread over cores and each
/// slot's cache lines stay with one core), then scans the others. When every slot is busy it spins briefly, then
/// blocks on a monitor until a slot is released; it never spins forever. <see cref="Acquire(int)"/> waits for one
/// particular slot the same way (BPF_PROG_TEST_RUN with <c>BPF_F_TEST_RUN_ON_CPU</c>).
/// </para>
/// <para>
/// Releasing is a full-fence store of the busy flag followed by a read of the waiter count; a waiter increments
/// that count (also a full fence) before its last scan, so either the releaser sees the waiter and wakes it, or the
/// waiter's scan sees the free slot: no wake-up is lost.
/// </para>
/// <para>The busy flags are a cache line apart, so taking slot 0 on one core does not disturb slot 1 on another.</para>
/// </remarks>
public sealed class CpuSlots
{
    /// <summary>How many times an acquirer retries the scan before it blocks.</summary>
    private const int SpinIterations = 20;

    private readonly Flag[] _busy;
    private readonly RunState[] _states;
    private readonly object _gate = new();
    private int _waiters;

    /// <summary>Creates <paramref name="count"/> slots, numbered 0 to <paramref name="count"/> - 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive.</exception>
    public CpuSlots(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        _busy = new Flag[count];
        _states = new RunState[count];
        for (var cpu = 0; cpu < count; cpu++)
            _states[cpu] = new RunState(cpu);
    }

    /// <summary>The number of slots (the possible CPUs).</summary>
    public int Count => _states.Length;

    /// <summary>The number of slots currently held (for diagnostics and tests; a snapshot).</summary>
    public int BusyCount
    {
        get
        {
            var n = 0;
            for (var i = 0; i < _busy.Length; i++)
                n += Volatile.Read(ref _busy[i].Value);
            return n;
        }
    }

    /// <summary>
    /// Takes a free slot, preferring the one of the processor the calling thread runs on; blocks while all are busy.
    /// </summary>
    public CpuSlot Acquire()
    {
        var n = _busy.Length;
        var start = n == 1 ? 0 : (int)((uint)Thread.GetCurrentProcessorId() % (uint)n);
        if (TryScan(start, out var cpu))
            return new CpuSlot(this, cpu);

        var spin = default(SpinWait);
        for (var i = 0; i < SpinIterations; i++)
        {
            spin.SpinOnce(sleep1Threshold: -1);
            if (TryScan(start, out cpu))
                return new CpuSlot(this, cpu);
        }

        lock (_gate)
        {
            Interlocked.Increment(ref _waiters);
            try
            {
                while (!TryScan(start, out cpu))
                    Monitor.Wait(_gate);
            }
            finally
            {
                Interlocked.Decrement(ref _waiters);
            }
        }

        return new CpuSlot(this, cpu);
    }

    /// <summary>Takes slot <paramref name="cpu"/>, waiting while another run holds it.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cpu"/> is not a slot number.</exception>
    public CpuSlot Acquire(int cpu)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cpu);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(cpu, _busy.Length);
        if (TryTake(cpu))
            return new CpuSlot(this, cpu);

        var spin = default(SpinWait);
        for (var i = 0; i < SpinIterations; i++)
        {
            spin.SpinOnce(sleep1Threshold: -1);
            if (TryTake(cpu))
                return new CpuSlot(this, cpu);
        }

        lock (_gate)
        {
            Interlocked.Increment(ref _waiters);
            try
            {
                while (!TryTake(cpu))
                    Monitor.Wait(_gate);
            }
            finally
            {
                Interlocked.Decrement(ref _waiters);
            }
        }

        return new CpuSlot(this, cpu);
    }

    /// <summary>Takes slot <paramref name="cpu"/> if it is free, without waiting.</summary>
    /// <returns>False if it is busy or not a slot number.</returns>
    public bool TryAcquire(int cpu, out CpuSlot slot)
    {
        if ((uint)cpu < (uint)_busy.Length && TryTake(cpu))
        {
            slot = new CpuSlot(this, cpu);
            return true;
        }

        slot = default;
        return false;
    }

    /// <summary>The run state of slot <paramref name="cpu"/> (only its holder may use it).</summary>
    internal RunState StateOf(int cpu) => _states[cpu];

    /// <summary>Gives slot <paramref name="cpu"/> back and wakes waiters, if any.</summary>
    internal void Release(int cpu)
    {
        var state = _states[cpu];
        // No run may reach the previous run's packet or context buffers, which are freed after the run.
        state.ClearPacket();
        state.ClearContext();
        state.Program = null; // do not keep the last program (and its maps' memory) reachable from an idle slot
        // Interlocked.Exchange is a full fence: the store is visible before the waiter count is read.
        Interlocked.Exchange(ref _busy[cpu].Value, 0);
        if (Volatile.Read(ref _waiters) != 0)
        {
            lock (_gate)
                Monitor.PulseAll(_gate);
        }
    }

    private bool TryTake(int cpu) =>
        Volatile.Read(ref _busy[cpu].Value) == 0 && Interlocked.CompareExchange(ref _busy[cpu].Value, 1, 0) == 0;

    private bool TryScan(int start, out int cpu)
    {
        var n = _busy.Length;
        for (var i = 0; i < n; i++)
        {
            var k = start + i;
            if (k >= n)
                k -= n;
            if (TryTake(k))
            {
                cpu = k;
                return true;
            }
        }

        cpu = -1;
        return false;
    }

    /// <summary>A busy flag alone on its cache line (and the adjacent-line prefetch pair).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Flag
    {
        [FieldOffset(64)]
        public int Value;
    }
}
