namespace SharpBpf.Runtime.Objects;

/// <summary>
/// Stands for an open file that is not a BPF object: descriptors 0, 1 and 2 of every userspace backend, so that a
/// command given one of them fails as the kernel's does for stdin (EINVAL for a map command, EBADF where the
/// kernel looks for a perf event or a cgroup), rather than as for a closed descriptor.
/// </summary>
internal sealed class ForeignObject : BpfObject
{
    private ForeignObject()
    {
    }

    public static ForeignObject Instance { get; } = new();

    public override ObjectKind Kind => ObjectKind.Foreign;

    protected override void OnFree()
    {
    }
}
