namespace SharpBpf.Perf;

/// <summary>
/// Receives records without copies or allocations, for <see cref="PerfEventReader.ReadAvailable{TSink}(ref TSink)"/>:
/// a sample's bytes are handed over as a span into the ring (or into a scratch buffer when the record wraps), valid
/// only during the call.
/// </summary>
public interface IPerfRecordSink
{
    /// <summary>A <c>PERF_RECORD_SAMPLE</c>: <paramref name="rawData"/> is its <c>raw.size</c> bytes, padding included.</summary>
    void OnSample(int cpu, ReadOnlySpan<byte> rawData);

    /// <summary>A <c>PERF_RECORD_LOST</c>: <paramref name="lost"/> records of event <paramref name="id"/> were dropped.</summary>
    void OnLost(int cpu, ulong id, ulong lost);
}
