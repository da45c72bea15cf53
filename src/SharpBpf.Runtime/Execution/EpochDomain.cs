namespace SharpBpf.Runtime.Execution;

/// <summary>
/// Epoch-based reclamation, the userspace counterpart of the kernel's RCU-deferred program free: a run that may
/// pick up objects without holding a reference (a tail call reads a prog-array slot) enters the domain before it
/// reads and leaves it when the whole run has ended; an object whose last reference went (or that left a slot) is
/// retired with an action that runs only once every run that entered before the retirement has left.
/// </summary>
/// <remarks>
/// <para>
/// Each active run announces the global epoch it saw in one record of a fixed table (0 = free record). Retiring
/// stamps the action with the current epoch <c>e</c> and advances the epoch to <c>e + 1</c>, after the object was
/// made unreachable. A run announcing <c>e' &gt; e</c> read the epoch after that advance, so after the removal, and
/// cannot see the object; runs that announced <c>e' &lt;= e</c> might. The action therefore runs when no record holds
/// an epoch <c>&lt;= e</c>. Announcing is an interlocked exchange (a full fence) ordered before the run's slot reads.
/// </para>
/// <para>Actions run on whichever thread reclaims: the retiring thread if nothing is active, else the last leaver.</para>
/// </remarks>
public sealed class EpochDomain
{
    private const int RecordCount = 256;

    // Records padded apart (one per 64-byte line) so that runs on different threads do not share a line.
    private const int Stride = 8;

    private readonly long[] _records = new long[RecordCount * Stride];
    private readonly Lock _gate = new();
    private readonly List<(long Epoch, Action Action)> _retired = [];
    private long _epoch = 1;
    private int _retiredCount;

    /// <summary>The number of retired actions that have not run yet (for diagnostics and tests).</summary>
    public int PendingCount => Volatile.Read(ref _retiredCount);

    /// <summary>
    /// Enters the domain: until <see cref="Leave"/> with the returned record, nothing retired from now on is reclaimed.
    /// Spins (yielding) in the unlikely case that every record is taken.
    /// </summary>
    /// <returns>The record to pass to <see cref="Leave"/>.</returns>
    public int Enter()
    {
        var start = (Environment.CurrentManagedThreadId * 7) % RecordCount;
        var spinner = default(SpinWait);
        while (true)
        {
            for (var k = 0; k < RecordCount; k++)
            {
                var record = (start + k) % RecordCount;
                ref var slot = ref _records[record * Stride];
                if (Volatile.Read(ref slot) != 0)
                    continue;
                var epoch = Volatile.Read(ref _epoch);
                if (Interlocked.CompareExchange(ref slot, epoch, 0) == 0)
                    return record;
            }

            spinner.SpinOnce();
        }
    }

    /// <summary>Leaves the domain (the record from <see cref="Enter"/>) and runs whatever became reclaimable.</summary>
    public void Leave(int record)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(record);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(record, RecordCount);
        Interlocked.Exchange(ref _records[record * Stride], 0);
        if (Volatile.Read(ref _retiredCount) != 0)
            Reclaim();
    }

    /// <summary>
    /// Runs <paramref name="action"/> once every run that entered the domain before this call has left (at once if
    /// none is active). The caller has already made the object unreachable for new runs.
    /// </summary>
    public void Retire(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_gate)
        {
            var stamp = Interlocked.Increment(ref _epoch) - 1;
            _retired.Add((stamp, action));
            Interlocked.Increment(ref _retiredCount);
        }

        Reclaim();
    }

    /// <summary>Runs every retired action no active run can still see.</summary>
    public void Reclaim()
    {
        List<Action>? ready = null;
        lock (_gate)
        {
            if (_retired.Count == 0)
                return;
            var oldest = long.MaxValue;
            for (var i = 0; i < RecordCount; i++)
            {
                var e = Volatile.Read(ref _records[i * Stride]);
                if (e != 0 && e < oldest)
                    oldest = e;
            }

            for (var i = _retired.Count - 1; i >= 0; i--)
            {
                if (_retired[i].Epoch < oldest)
                {
                    (ready ??= []).Add(_retired[i].Action);
                    _retired.RemoveAt(i);
                    Interlocked.Decrement(ref _retiredCount);
                }
            }
        }

        if (ready is null)
            return;
        for (var i = ready.Count - 1; i >= 0; i--)
            ready[i]();
    }
}
