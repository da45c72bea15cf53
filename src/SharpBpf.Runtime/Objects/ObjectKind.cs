namespace SharpBpf.Runtime.Objects;

/// <summary>What an <see cref="BpfObject"/> is, as <c>bpf(2)</c> tells its file types apart.</summary>
public enum ObjectKind
{
    /// <summary>An open file that is not a BPF object (the standard streams 0, 1 and 2).</summary>
    Foreign = 0,

    /// <summary>A map.</summary>
    Map = 1,

    /// <summary>A program.</summary>
    Program = 2,

    /// <summary>A BTF blob.</summary>
    Btf = 3,

    /// <summary>A link.</summary>
    Link = 4,

    /// <summary>A perf event (the value type of <c>PERF_EVENT_ARRAY</c>).</summary>
    PerfEvent = 5,

    /// <summary>A cgroup v2 directory (the value type of <c>CGROUP_ARRAY</c>).</summary>
    Cgroup = 6,
}
