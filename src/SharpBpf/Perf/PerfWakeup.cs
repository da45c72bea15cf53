namespace SharpBpf.Perf;

/// <summary>
/// When a waiting reader is woken: once at least <see cref="Threshold"/> records or bytes are pending in a ring.
/// The default wakes on every record, as libbpf's perf buffer asks for (<c>wakeup_events = 1</c>).
/// </summary>
/// <param name="Unit">What the threshold counts.</param>
/// <param name="Threshold">How many; 0 is treated as 1.</param>
public readonly record struct PerfWakeup(PerfWakeupUnit Unit, uint Threshold)
{
    /// <summary>Wake on every record.</summary>
    public static PerfWakeup EveryEvent => new(PerfWakeupUnit.Events, 1);

    /// <summary>Wake once <paramref name="count"/> records are pending.</summary>
    public static PerfWakeup Events(uint count) => new(PerfWakeupUnit.Events, count);

    /// <summary>Wake once <paramref name="bytes"/> bytes are pending.</summary>
    public static PerfWakeup Bytes(uint bytes) => new(PerfWakeupUnit.Bytes, bytes);

    /// <summary>The threshold with 0 read as 1.</summary>
    public uint EffectiveThreshold => Threshold == 0 ? 1 : Threshold;
}
