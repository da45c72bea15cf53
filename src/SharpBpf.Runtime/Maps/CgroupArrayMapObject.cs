using SharpBpf.Runtime.Cgroups;
using SharpBpf.Runtime.Memory;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Runtime.Maps;

/// <summary>
/// BPF_MAP_TYPE_CGROUP_ARRAY (spec F): slots hold open cgroup v2 directories (<see cref="CgroupArrayEntry"/>);
/// anything else is EBADF. Entries stay until replaced, deleted or the map is freed.
/// </summary>
public sealed class CgroupArrayMapObject : FdArrayMapObject
{
    internal CgroupArrayMapObject(in MapParameters p, NativeBuffer header, BpfObject?[] slots)
        : base(p, header, slots)
    {
    }

    /// <summary>The cgroup in slot <paramref name="index"/>, or null (lock-free; take a reference before using it).</summary>
    public CgroupRef? GetCgroup(uint index) => (GetEntry(index) as CgroupArrayEntry)?.Cgroup;
}
