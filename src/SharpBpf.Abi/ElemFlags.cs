namespace SharpBpf.Abi;

/// <summary>Element flags of <c>BPF_MAP_UPDATE_ELEM</c>, <c>BPF_MAP_LOOKUP_ELEM</c> and the batch commands.</summary>
public static class ElemFlags
{
    /// <summary>Create a new element or update an existing one.</summary>
    public const ulong BPF_ANY = 0;
    /// <summary>Create a new element only if it did not exist.</summary>
    public const ulong BPF_NOEXIST = 1;
    /// <summary>Update an existing element.</summary>
    public const ulong BPF_EXIST = 2;
    /// <summary>Take the value's <c>bpf_spin_lock</c>.</summary>
    public const ulong BPF_F_LOCK = 4;
    /// <summary>Upstream 6.19+: address one CPU's copy of a per-CPU value. Not in Linux 6.18 (EINVAL).</summary>
    public const ulong BPF_F_CPU = 8;
    /// <summary>Upstream 6.19+: update all CPUs' copies. Not in Linux 6.18 (EINVAL).</summary>
    public const ulong BPF_F_ALL_CPUS = 16;
}
