using SharpBpf.Abi;
using SharpBpf.Runtime.Cgroups;
using SharpBpf.Runtime.Maps;
using SharpBpf.Runtime.Objects;
using SharpBpf.Runtime.Perf;

namespace SharpBpf.Runtime;

/// <summary>Descriptors for the objects fd-array maps hold besides programs: perf events and cgroups.</summary>
public sealed partial class UserspaceBackend
{
    /// <summary>
    /// Installs a descriptor for <paramref name="perfEvent"/> (the userspace counterpart of <c>perf_event_open</c>),
    /// for PERF_EVENT_ARRAY updates. The descriptor takes its own reference on the event.
    /// </summary>
    public Errno PerfEventInstall(PerfEvent perfEvent, out int fd)
    {
        ArgumentNullException.ThrowIfNull(perfEvent);
        return InstallObject(new PerfEventArrayEntry(perfEvent), AccessMode.ReadWrite, out fd);
    }

    /// <summary>
    /// Opens the cgroup v2 directory <paramref name="path"/> (the counterpart of <c>open(O_RDONLY|O_DIRECTORY)</c>)
    /// for CGROUP_ARRAY updates. Anything that is not a cgroup v2 directory gives the error of
    /// <see cref="CgroupV2.TryOpen(string, out CgroupRef?)"/>.
    /// </summary>
    public Errno CgroupOpen(string path, out int fd)
    {
        ArgumentNullException.ThrowIfNull(path);
        fd = -1;
        var err = CgroupV2.TryOpen(path, out var cgroup);
        if (err != Errno.None)
            return err;
        return InstallObject(new CgroupArrayEntry(cgroup!), AccessMode.Read, out fd);
    }
}
