namespace SharpBpf.Perf;

/// <summary>
/// One record read from a perf ring buffer: a <see cref="PerfSample"/> (<c>PERF_RECORD_SAMPLE</c> with raw data) or a
/// <see cref="PerfLost"/> (<c>PERF_RECORD_LOST</c>). Other record types never appear in a BPF-output ring and are
/// skipped by the reader.
/// </summary>
public abstract class PerfRecord
{
    private protected PerfRecord(int cpu) => Cpu = cpu;

    /// <summary>The CPU of the ring the record was read from, or -1 for the ring of a per-task event.</summary>
    public int Cpu { get; }
}
