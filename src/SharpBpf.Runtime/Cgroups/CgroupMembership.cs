namespace SharpBpf.Runtime.Cgroups;

/// <summary>The answer of <see cref="CgroupV2.GetCurrentThreadMembership"/>.</summary>
public enum CgroupMembership
{
    /// <summary>The calling thread's cgroup is neither the cgroup nor one of its descendants (or the cgroup was removed).</summary>
    NotUnder = 0,

    /// <summary>The calling thread's cgroup is the cgroup or one of its descendants.</summary>
    Under = 1,

    /// <summary>
    /// The calling thread's cgroup v2 membership cannot be read: <c>/proc/thread-self/cgroup</c> is unreadable or has
    /// no <c>0::</c> line (a kernel without cgroup v2). The kernel never gets here, since a slot can only hold a
    /// cgroup v2 directory; <c>bpf_current_task_under_cgroup</c> maps it to <c>-EAGAIN</c>, the kernel's answer for a
    /// slot that could not have been filled.
    /// </summary>
    Unavailable = 2,
}
