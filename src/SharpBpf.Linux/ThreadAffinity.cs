using SharpBpf.Linux.Interop;

namespace SharpBpf.Linux;

/// <summary>
/// Binds the calling thread to one CPU (<c>sched_setaffinity(0, ...)</c>): the host-side counterpart of a run bound
/// to a CPU slot, for callers (benchmarks, latency-sensitive hosts) that want slot k to really be CPU k. Linux
/// otherwise keeps a freshly woken or created thread on its waker's CPU for milliseconds, even with another CPU idle.
/// </summary>
public static unsafe class ThreadAffinity
{
    private const int MaskWords = 16; // 1024 CPUs, glibc's cpu_set_t

    /// <summary>Pins the calling thread to <paramref name="cpu"/>; returns false (and changes nothing) if Linux refuses.</summary>
    public static bool TryPinCurrentThread(int cpu)
    {
        if (!OperatingSystem.IsLinux() || cpu < 0 || cpu >= MaskWords * 64)
            return false;
        var mask = stackalloc ulong[MaskWords];
        new Span<ulong>(mask, MaskWords).Clear();
        mask[cpu / 64] = 1ul << (cpu % 64);
        return Libc.SchedSetAffinity(0, (nuint)(MaskWords * sizeof(ulong)), mask) == 0;
    }

    /// <summary>Lets the calling thread run on every CPU again.</summary>
    public static bool TryUnpinCurrentThread()
    {
        if (!OperatingSystem.IsLinux())
            return false;
        var mask = stackalloc ulong[MaskWords];
        new Span<ulong>(mask, MaskWords).Fill(ulong.MaxValue);
        return Libc.SchedSetAffinity(0, (nuint)(MaskWords * sizeof(ulong)), mask) == 0;
    }
}
