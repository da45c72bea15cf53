using SharpBpf.Abi;
using SharpBpf.Runtime.Memory;
using SharpBpf.Runtime.Objects;
using SharpBpf.Runtime.Perf;

namespace SharpBpf.Runtime.Maps;

/// <summary>
/// BPF_MAP_TYPE_PERF_EVENT_ARRAY (spec E): slots hold perf events (<see cref="PerfEventArrayEntry"/>). An event with
/// <c>inherit</c> is refused (EOPNOTSUPP). Entries belong to the open file of the map they were installed through and
/// are cleared when that file's last descriptor goes, pinned or not, unless the map has BPF_F_PRESERVE_ELEMS
/// (spec E.3).
/// </summary>
public sealed class PerfEventArrayMapObject : FdArrayMapObject
{
    internal PerfEventArrayMapObject(in MapParameters p, NativeBuffer header, BpfObject?[] slots)
        : base(p, header, slots)
    {
    }

    /// <summary>True if entries outlive the file that installed them (BPF_F_PRESERVE_ELEMS).</summary>
    public bool PreservesElements => (MapFlags & (uint)Abi.MapFlags.BPF_F_PRESERVE_ELEMS) != 0;

    /// <summary>The event in slot <paramref name="index"/>, or null (lock-free; take a reference before using it).</summary>
    public PerfEvent? GetEvent(uint index) => (GetEntry(index) as PerfEventArrayEntry)?.Event;

    /// <inheritdoc/>
    protected override Errno ResolveEntry(FdTable fds, OpenFile mapFile, int ufd, out BpfObject? entry)
    {
        var err = base.ResolveEntry(fds, mapFile, ufd, out entry);
        if (err != Errno.None)
            return err;

        // perf_event_read_local refuses inherited events: the kernel's perf_event_fd_array_get_ptr fails with it.
        if (entry is PerfEventArrayEntry { Event.Inherit: true })
        {
            entry.ReleaseReference();
            entry = null;
            return Errno.EOPNOTSUPP;
        }

        return Errno.None;
    }

    /// <inheritdoc/>
    protected internal override void OnFileReleased(OpenFile file)
    {
        if (!PreservesElements)
            ClearWhere(file);
    }
}
