using SharpBpf.Runtime.Cgroups;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Runtime.Maps;

/// <summary>
/// An open cgroup v2 directory as a descriptor-table object: what a CGROUP_ARRAY slot holds. It holds one reference
/// on the <see cref="CgroupRef"/>, dropped when its own last reference (descriptors and slots) goes.
/// </summary>
public sealed class CgroupArrayEntry : BpfObject
{
    /// <summary>Wraps <paramref name="cgroup"/>, taking over the caller's reference on it.</summary>
    public CgroupArrayEntry(CgroupRef cgroup)
    {
        ArgumentNullException.ThrowIfNull(cgroup);
        Cgroup = cgroup;
    }

    /// <inheritdoc/>
    public override ObjectKind Kind => ObjectKind.Cgroup;

    /// <summary>The cgroup.</summary>
    public CgroupRef Cgroup { get; }

    /// <inheritdoc/>
    protected override void OnFree() => Cgroup.Release();
}
