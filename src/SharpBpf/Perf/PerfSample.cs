namespace SharpBpf.Perf;

/// <summary>
/// A <c>PERF_RECORD_SAMPLE</c> carrying raw data: what one successful <c>bpf_perf_event_output</c> wrote.
/// </summary>
public sealed class PerfSample : PerfRecord
{
    /// <summary>Creates a sample record.</summary>
    public PerfSample(int cpu, ReadOnlyMemory<byte> rawData)
        : base(cpu) => RawData = rawData;

    /// <summary>
    /// The raw bytes exactly as the ring holds them: <c>raw.size</c> bytes, which is the output size rounded so that
    /// the record stays 8-byte aligned (<c>round_up(n + 4, 8) - 4</c>), the extra bytes being zero padding. A copy:
    /// it stays valid after the ring space is reused.
    /// </summary>
    public ReadOnlyMemory<byte> RawData { get; }

    /// <inheritdoc />
    public override string ToString() => $"SAMPLE{{cpu={Cpu} raw.size={RawData.Length}}}";
}
