using SharpBpf.Perf;

namespace SharpBpf.Runtime.Perf;

/// <summary>
/// The source of a counter event's value in the userspace runtime: what the kernel's PMU (or software event) does
/// for <c>bpf_perf_event_read</c> / <c>bpf_perf_event_read_value</c>.
/// </summary>
public abstract class PerfCounter
{
    /// <summary>Creates a counter that reports itself as <paramref name="type"/> / <paramref name="config"/>.</summary>
    protected PerfCounter(PerfEventType type, ulong config)
    {
        Type = type;
        Config = config;
    }

    /// <summary>The <c>perf_event_attr.type</c> this counter stands for.</summary>
    public PerfEventType Type { get; }

    /// <summary>The <c>perf_event_attr.config</c> this counter stands for.</summary>
    public ulong Config { get; }

    /// <summary>Reads the value with its enabled and running times. Must be safe to call from any thread.</summary>
    public abstract PerfCounterValue Read();
}
