namespace SharpBpf.Perf;

/// <summary><c>perf_event_attr.type</c> (<c>enum perf_type_id</c>), raw values.</summary>
public enum PerfEventType : uint
{
    Hardware = 0,
    Software = 1,
    Tracepoint = 2,
    HardwareCache = 3,
    Raw = 4,
    Breakpoint = 5,
}
