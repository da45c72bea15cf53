namespace SharpBpf.Perf;

/// <summary><c>perf_event_attr.config</c> for <see cref="PerfEventType.Software"/> (<c>enum perf_sw_ids</c>), raw values.</summary>
public enum PerfSoftwareEvent : ulong
{
    CpuClock = 0,
    TaskClock = 1,
    PageFaults = 2,
    ContextSwitches = 3,
    CpuMigrations = 4,
    PageFaultsMin = 5,
    PageFaultsMaj = 6,
    AlignmentFaults = 7,
    EmulationFaults = 8,
    Dummy = 9,

    /// <summary><c>PERF_COUNT_SW_BPF_OUTPUT</c>: the only event type <c>bpf_perf_event_output</c> writes into.</summary>
    BpfOutput = 10,
    CgroupSwitches = 11,
}
