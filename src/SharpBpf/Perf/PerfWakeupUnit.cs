namespace SharpBpf.Perf;

/// <summary>What a <see cref="PerfWakeup"/> threshold counts.</summary>
public enum PerfWakeupUnit
{
    /// <summary>Records pending in the ring (<c>perf_event_attr.wakeup_events</c>).</summary>
    Events,

    /// <summary>Bytes pending in the ring (<c>perf_event_attr.wakeup_watermark</c> with <c>watermark = 1</c>).</summary>
    Bytes,
}
