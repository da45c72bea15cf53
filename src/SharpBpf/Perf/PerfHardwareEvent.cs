namespace SharpBpf.Perf;

/// <summary><c>perf_event_attr.config</c> for <see cref="PerfEventType.Hardware"/> (<c>enum perf_hw_id</c>), raw values.</summary>
public enum PerfHardwareEvent : ulong
{
    CpuCycles = 0,
    Instructions = 1,
    CacheReferences = 2,
    CacheMisses = 3,
    BranchInstructions = 4,
    BranchMisses = 5,
    BusCycles = 6,
    StalledCyclesFrontend = 7,
    StalledCyclesBackend = 8,
    RefCpuCycles = 9,
}
