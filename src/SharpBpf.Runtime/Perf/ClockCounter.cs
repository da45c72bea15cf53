using System.Diagnostics;
using SharpBpf.Perf;

namespace SharpBpf.Runtime.Perf;

/// <summary>
/// A software clock counter needing no kernel: <c>PERF_COUNT_SW_CPU_CLOCK</c> or <c>PERF_COUNT_SW_TASK_CLOCK</c>,
/// counting nanoseconds of <see cref="Stopwatch"/> time since the counter was created. Like a software event it is
/// always running, so enabled = running = counter.
/// </summary>
/// <remarks>
/// The kernel's task clock only advances while the task is on a CPU; without a per-thread CPU clock (which would need
/// P/Invoke) this one counts wall time, an upper bound of it.
/// </remarks>
public sealed class ClockCounter : PerfCounter
{
    private readonly long _start = Stopwatch.GetTimestamp();

    /// <summary>Creates a clock counter starting now.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Neither <see cref="PerfSoftwareEvent.CpuClock"/> nor <see cref="PerfSoftwareEvent.TaskClock"/>.</exception>
    public ClockCounter(PerfSoftwareEvent clock = PerfSoftwareEvent.CpuClock)
        : base(PerfEventType.Software, (ulong)clock)
    {
        if (clock is not (PerfSoftwareEvent.CpuClock or PerfSoftwareEvent.TaskClock))
            throw new ArgumentOutOfRangeException(nameof(clock), clock, "A clock counter is CpuClock or TaskClock.");
    }

    /// <inheritdoc />
    public override PerfCounterValue Read()
    {
        ulong ns = (ulong)Stopwatch.GetElapsedTime(_start).Ticks * 100;
        return new PerfCounterValue(ns, ns, ns);
    }
}
