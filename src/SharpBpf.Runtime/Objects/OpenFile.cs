using System.Diagnostics;
using SharpBpf.Abi;
using SharpBpf.Runtime.Maps;

namespace SharpBpf.Runtime.Objects;

/// <summary>
/// An open file description: what a descriptor refers to (the kernel's <c>struct file</c>). Descriptors made by
/// <c>dup</c> share one, and so do mappings made through it; descriptors made by BPF_OBJ_GET or
/// BPF_MAP_GET_FD_BY_ID get their own. It holds one user reference on its object and an access mode.
/// </summary>
/// <remarks>
/// Its identity is what PERF_EVENT_ARRAY uses to own the entries installed through it: they are dropped when the
/// last descriptor and mapping of this description are gone (see <see cref="BpfObject.OnFileReleased"/>).
/// </remarks>
public sealed class OpenFile
{
    private int _refs = 1;

    /// <summary>Wraps <paramref name="obj"/>, taking over one user reference the caller holds.</summary>
    public OpenFile(BpfObject obj, AccessMode mode)
    {
        ArgumentNullException.ThrowIfNull(obj);
        Object = obj;
        Map = obj as MapObject;
        Mode = mode;
        CanRead = (mode & AccessMode.Read) != 0;
        CanWrite = (mode & AccessMode.Write) != 0;
    }

    /// <summary>The object.</summary>
    public BpfObject Object { get; }

    /// <summary>The object as a map, or null (saves a type test on the hot path).</summary>
    public MapObject? Map { get; }

    /// <summary>The access mode.</summary>
    public AccessMode Mode { get; }

    /// <summary>True if the mode allows reading (<c>FMODE_CAN_READ</c>).</summary>
    public bool CanRead { get; }

    /// <summary>True if the mode allows writing (<c>FMODE_CAN_WRITE</c>).</summary>
    public bool CanWrite { get; }

    /// <summary>True once the last descriptor and mapping are gone.</summary>
    public bool IsReleased => Volatile.Read(ref _refs) == 0;

    /// <summary>The mode the kernel's <c>bpf_get_file_flag</c> derives from BPF_F_RDONLY / BPF_F_WRONLY.</summary>
    /// <returns>EINVAL for both at once.</returns>
    public static Errno ModeFromFlags(uint flags, out AccessMode mode)
    {
        var rdonly = (flags & (uint)MapFlags.BPF_F_RDONLY) != 0;
        var wronly = (flags & (uint)MapFlags.BPF_F_WRONLY) != 0;
        mode = rdonly ? AccessMode.Read : wronly ? AccessMode.Write : AccessMode.ReadWrite;
        return rdonly && wronly ? Errno.EINVAL : Errno.None;
    }

    /// <summary>Another descriptor or mapping now refers to this description.</summary>
    public void AddRef()
    {
        var before = Interlocked.Increment(ref _refs) - 1;
        Debug.Assert(before > 0, "open file revived after release");
    }

    /// <summary>A descriptor or mapping went away; the last one releases the object's user reference.</summary>
    public void Release()
    {
        var after = Interlocked.Decrement(ref _refs);
        Debug.Assert(after >= 0, "open file released too often");
        if (after != 0)
            return;
        Object.OnFileReleased(this);
        Object.ReleaseUserReference();
    }
}
