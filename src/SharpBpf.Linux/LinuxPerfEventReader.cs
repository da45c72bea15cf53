using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Linux.Interop;
using SharpBpf.Perf;

namespace SharpBpf.Linux;

/// <summary>
/// Reads what programs write with <c>bpf_perf_event_output</c> into a kernel <c>PERF_EVENT_ARRAY</c>: one
/// <c>BPF_OUTPUT</c> perf event per online CPU, each installed in the map slot of its CPU (so
/// <c>BPF_F_CURRENT_CPU</c> finds it) and each with its ring mapped (<c>1 + 2^n</c> pages, shared, read-write so the
/// reader can publish <c>data_tail</c>). Waiting is <c>poll(2)</c> on the events.
/// </summary>
/// <remarks>
/// The slots stay owned by the map descriptor they were installed through (spec E.3): closing every descriptor of
/// that map clears them, whatever this reader does. Disposing the reader unmaps the rings and closes its event
/// descriptors; the map keeps its own reference to an installed event until the slot is cleared.
/// </remarks>
public sealed class LinuxPerfEventReader : PerfEventReader
{
    /// <summary>How long one blocking <c>poll</c> lasts before the wait checks for cancellation again.</summary>
    private const int PollSliceMs = 50;

    private readonly Ring[] _rings;

    private LinuxPerfEventReader(Ring[] rings) => _rings = rings;

    /// <inheritdoc/>
    public override int RingCount => _rings.Length;

    /// <summary>The CPUs that have a ring, in ring order.</summary>
    public IReadOnlyList<int> Cpus => [.. _rings.Select(r => r.Cpu)];

    /// <summary>
    /// The mapped ring of ring <paramref name="index"/> (in <see cref="Cpus"/> order): head, tail and the raw record
    /// bytes, for tools that dump or compare rings byte for byte. Valid until the reader is disposed; consuming
    /// through it (writing <c>data_tail</c>) bypasses <see cref="PerfEventReader.ReadAvailable(Action{PerfRecord})"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not a ring.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    public PerfRingView RingView(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _rings.Length);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        return _rings[index].View;
    }

    /// <summary>
    /// Opens an event and a ring of <paramref name="dataPages"/> pages (a power of two) on every online CPU below the
    /// map's <c>max_entries</c>, and installs each event in the slot of its CPU through <paramref name="mapFd"/>.
    /// </summary>
    /// <returns><see cref="Errno.None"/>, or the first errno met (nothing is left open or mapped then).</returns>
    public static Errno Open(LinuxBackend backend, int mapFd, int dataPages, out LinuxPerfEventReader? reader)
    {
        ArgumentNullException.ThrowIfNull(backend);
        reader = null;
        if (dataPages <= 0 || (dataPages & (dataPages - 1)) != 0)
            return Errno.EINVAL;
        Errno err = backend.MapGetInfo(mapFd, out MapInfo info);
        if (err != Errno.None)
            return err;
        if (info.Type != MapType.PerfEventArray)
            return Errno.EINVAL;

        long pageSize = Environment.SystemPageSize;
        long length = (1L + dataPages) * pageSize;
        var rings = new List<Ring>();
        foreach (int cpu in CpuList.ReadOnline())
        {
            if ((uint)cpu >= info.MaxEntries)
                break;
            err = PerfEventSyscall.OpenBpfOutput(cpu, out SafeBpfFd fd);
            nint address = Libc.MapFailed;
            if (err == Errno.None)
            {
                address = Libc.Mmap(0, (nuint)length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd.Fd, 0);
                if (address == Libc.MapFailed)
                    err = BpfSyscall.LastErrno();
            }

            if (err == Errno.None)
            {
                rings.Add(new Ring(cpu, fd, address, length));
                err = backend.MapUpdateElem(mapFd, BitConverter.GetBytes((uint)cpu), BitConverter.GetBytes(fd.Fd),
                    ElemFlags.BPF_ANY);
            }
            else
            {
                fd.Dispose();
            }

            if (err != Errno.None)
            {
                foreach (Ring ring in rings)
                    ring.Release();
                return err;
            }
        }

        reader = new LinuxPerfEventReader([.. rings]);
        return Errno.None;
    }

    /// <inheritdoc/>
    protected override PerfRingView GetRing(int index) => _rings[index].View;

    /// <inheritdoc/>
    protected override int GetRingCpu(int index) => _rings[index].Cpu;

    /// <inheritdoc/>
    protected override async ValueTask WaitForWakeupAsync(CancellationToken cancellationToken)
    {
        // poll() hands out a ring's wakeup once, so records already published (a wakeup an earlier poll consumed, and
        // left unread) must be seen here, first.
        if (AnyPublished() || Poll(0))
            return;
        await Task.Run(() =>
        {
            while (!Poll(PollSliceMs) && !AnyPublished())
                cancellationToken.ThrowIfCancellationRequested();
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override void ReleaseRings()
    {
        foreach (Ring ring in _rings)
            ring.Release();
    }

    private bool AnyPublished()
    {
        foreach (Ring ring in _rings)
        {
            if (ring.View.ReadDataHead() != ring.View.ReadDataTail())
                return true;
        }

        return false;
    }

    private unsafe bool Poll(int timeoutMs)
    {
        Span<Libc.PollFd> fds = stackalloc Libc.PollFd[_rings.Length];
        for (int i = 0; i < _rings.Length; i++)
            fds[i] = new Libc.PollFd { Fd = _rings[i].Fd.Fd, Events = Libc.POLLIN };
        fixed (Libc.PollFd* p = fds)
            return Libc.Poll(p, (nuint)fds.Length, timeoutMs) > 0;
    }

    /// <summary>One CPU's event and its mapping.</summary>
    private sealed class Ring(int cpu, SafeBpfFd fd, nint address, long length)
    {
        private nint _address = address;

        public int Cpu { get; } = cpu;

        public SafeBpfFd Fd { get; } = fd;

        public PerfRingView View { get; } = PerfRingView.FromMapping(address, (ulong)length);

        public void Release()
        {
            nint mapped = Interlocked.Exchange(ref _address, 0);
            if (mapped != 0)
                _ = Libc.Munmap(mapped, (nuint)length);
            Fd.Dispose();
        }
    }
}
