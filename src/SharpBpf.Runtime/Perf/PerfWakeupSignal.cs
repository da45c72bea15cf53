namespace SharpBpf.Runtime.Perf;

/// <summary>
/// How producers wake a waiting <see cref="UserspacePerfReader"/>: the reader arms the signal, re-checks its rings and
/// only then sleeps on the semaphore; a producer that sees the signal armed and its ring's watermark reached disarms it
/// and releases the semaphore once. Producers never touch the semaphore while nobody waits, and nobody spins.
/// </summary>
/// <remarks>
/// The semaphore is never disposed: a producer that won the race to fire may release it just after the reader went
/// away, and a <see cref="SemaphoreSlim"/> whose wait handle is never asked for holds nothing that needs disposing.
/// </remarks>
#pragma warning disable CA1001 // See the remarks: disposing would turn a late producer's release into an exception.
internal sealed class PerfWakeupSignal
#pragma warning restore CA1001
{
    private readonly SemaphoreSlim _semaphore = new(0);
    private int _armed;

    public bool IsArmed => Volatile.Read(ref _armed) != 0;

    /// <summary>Arms the signal; a full fence, so the re-check that follows sees every producer's state before it.</summary>
    public void Arm() => Interlocked.Exchange(ref _armed, 1);

    public void Disarm() => Volatile.Write(ref _armed, 0);

    /// <summary>Releases the waiter if the signal is still armed; only the first of several racing producers does.</summary>
    public void FireIfArmed()
    {
        if (Interlocked.Exchange(ref _armed, 0) != 0)
            _semaphore.Release();
    }

    /// <summary>
    /// Sleeps until fired. A release left over from an earlier arm (a producer fired while the reader disarmed itself
    /// after its re-check) can end one wait early: the caller tolerates spurious wakeups.
    /// </summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _semaphore.WaitAsync(cancellationToken);
}
