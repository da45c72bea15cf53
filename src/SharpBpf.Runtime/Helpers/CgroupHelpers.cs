using SharpBpf.Abi;
using SharpBpf.Runtime.Cgroups;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Maps;

namespace SharpBpf.Runtime.Helpers;

/// <summary><c>long bpf_current_task_under_cgroup(map, index)</c> (helper 37) over a CGROUP_ARRAY (spec F.1).</summary>
public static unsafe class CgroupHelpers
{
    /// <summary>Registers the helpers of this class into <paramref name="table"/>.</summary>
    public static void Register(HelperTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Register(HelperId.CurrentTaskUnderCgroup, &CurrentTaskUnderCgroup);
    }

    /// <summary>
    /// 1 if the calling thread (from <c>/proc/thread-self/cgroup</c>) is in the slot's cgroup or below it, 0 if not
    /// (also where the thread's cgroup v2 membership cannot be read: the kernel's answer for a task outside the
    /// hierarchy), -EAGAIN for an empty slot, -E2BIG for an index (low 32 bits) out of range.
    /// </summary>
    public static ulong CurrentTaskUnderCgroup(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        ArgumentNullException.ThrowIfNull(state);
        var map = PerfHelpers.ResolveArray<CgroupArrayMapObject>(state, r1, HelperId.CurrentTaskUnderCgroup);
        var index = (uint)r2;
        if (index >= map.MaxEntries)
            return PerfHelpers.Return(Errno.E2BIG);
        var cgroup = map.GetCgroup(index);
        if (cgroup is null || !cgroup.TryAddRef())
            return PerfHelpers.Return(Errno.EAGAIN);
        try
        {
            return CgroupV2.GetCurrentThreadMembership(cgroup) == CgroupMembership.Under ? 1UL : 0UL;
        }
        finally
        {
            cgroup.Release();
        }
    }
}
