namespace SharpBpf.Perf;

/// <summary>
/// A <c>PERF_RECORD_LOST</c>: the number of records dropped because the ring was full, written by the producer just
/// before the next record that fitted.
/// </summary>
public sealed class PerfLost : PerfRecord
{
    /// <summary>Creates a lost record.</summary>
    public PerfLost(int cpu, ulong id, ulong lost)
        : base(cpu)
    {
        Id = id;
        Lost = lost;
    }

    /// <summary>The id of the perf event whose ring dropped the records.</summary>
    public ulong Id { get; }

    /// <summary>How many records were dropped since the previous <c>PERF_RECORD_LOST</c>.</summary>
    public ulong Lost { get; }

    /// <inheritdoc />
    public override string ToString() => $"LOST{{cpu={Cpu} id={Id} lost={Lost}}}";
}
