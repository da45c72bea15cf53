namespace SharpBpf.Runtime.Cgroups;

/// <summary>A mount of the cgroup v2 hierarchy, from <c>/proc/self/mountinfo</c> (fstype <c>cgroup2</c>).</summary>
/// <param name="MountId">The mount id (the first mountinfo field, and <c>mnt_id</c> in <c>/proc/self/fdinfo</c>).</param>
/// <param name="MountPoint">Where it is mounted, e.g. <c>/sys/fs/cgroup</c> or <c>/sys/fs/cgroup/unified</c>.</param>
/// <param name="Root">The cgroup at the mount point, as <c>/proc/*/cgroup</c> names cgroups: <c>/</c> for the whole
/// hierarchy, <c>/a/b</c> for a bind mount of a sub-tree.</param>
public sealed record CgroupMount(int MountId, string MountPoint, string Root);
