using SharpBpf.Abi;

namespace SharpBpf.Linux;

/// <summary>
/// What the backend must know about a map to check user buffers before the kernel copies: the sizes the element
/// and batch commands read and write, computed as the kernel computes them (<c>bpf_map_value_size</c>). A class, so a
/// cached shape is published with one atomic reference write.
/// </summary>
internal sealed record class MapShape(MapType Type, uint KeySize, uint ValueSize)
{
    /// <summary>Whether a value is one copy per possible CPU.</summary>
    public bool IsPerCpu => Type is MapType.PerCpuArray or MapType.PerCpuHash or MapType.LruPerCpuHash
        or MapType.PerCpuCgroupStorage;

    /// <summary>
    /// The bytes an element command copies for one value: <c>round_up(value_size, 8) × nr_possible</c> for per-CPU
    /// maps unless the single-CPU flags ask for one copy on a kernel that knows them (6.19+; older kernels copy every
    /// CPU's value whatever the flags, then refuse the flags: measured on 6.18), else <c>value_size</c>.
    /// </summary>
    public long ValueBytes(ulong elemFlags, int possibleCpus, bool kernelHasCpuFlags) =>
        IsPerCpu && (!kernelHasCpuFlags || (elemFlags & (ElemFlags.BPF_F_CPU | ElemFlags.BPF_F_ALL_CPUS)) == 0)
            ? ((ValueSize + 7L) & ~7L) * possibleCpus
            : ValueSize;

    /// <summary>
    /// The size of the <c>in_batch</c>/<c>out_batch</c> token: the hash maps walk buckets and use a <c>u32</c> bucket
    /// index; every other map uses the generic batch code, whose token is a key.
    /// </summary>
    public long BatchTokenBytes => Type is MapType.Hash or MapType.PerCpuHash or MapType.LruHash
        or MapType.LruPerCpuHash or MapType.HashOfMaps
        ? sizeof(uint)
        : KeySize;
}
