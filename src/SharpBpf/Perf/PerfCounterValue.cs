namespace SharpBpf.Perf;

/// <summary>
/// A counter reading with its times, as <c>bpf_perf_event_read_value</c> returns it
/// (<c>struct bpf_perf_event_value { u64 counter, enabled, running; }</c>).
/// </summary>
/// <param name="Counter">The counter value.</param>
/// <param name="Enabled">Nanoseconds the event has been enabled.</param>
/// <param name="Running">Nanoseconds the event has actually been counting (less than <paramref name="Enabled"/>
/// when the counter was multiplexed).</param>
public readonly record struct PerfCounterValue(ulong Counter, ulong Enabled, ulong Running);
