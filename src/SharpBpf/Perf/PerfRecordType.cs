namespace SharpBpf.Perf;

/// <summary>The <c>perf_event_header.type</c> values a BPF-output ring holds (<c>enum perf_event_type</c>).</summary>
public enum PerfRecordType : uint
{
    /// <summary><c>PERF_RECORD_LOST</c>: <c>{header, u64 id, u64 lost}</c>.</summary>
    Lost = 2,

    /// <summary><c>PERF_RECORD_SAMPLE</c>; with <c>sample_type = PERF_SAMPLE_RAW</c>: <c>{header, u32 size, u8 data[size]}</c>.</summary>
    Sample = 9,
}
