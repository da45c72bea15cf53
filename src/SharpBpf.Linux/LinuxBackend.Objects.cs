using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Linux.Interop;

namespace SharpBpf.Linux;

// Pinning, object info and the id space.
public sealed unsafe partial class LinuxBackend
{
    /// <inheritdoc/>
    public Errno ObjPin(int fd, string path)
    {
        ThrowIfDisposed();
        byte[]? name = CString(path);
        fixed (byte* p = name)
        {
            var attr = default(ObjAttr);
            attr.PathName = BpfSyscall.Ptr(p);
            attr.BpfFd = (uint)fd;
            return BpfSyscall.ObjPin(ref attr);
        }
    }

    /// <inheritdoc/>
    public Errno ObjGet(string path, uint fileFlags, out int fd)
    {
        ThrowIfDisposed();
        byte[]? name = CString(path);
        fixed (byte* p = name)
        {
            var attr = default(ObjAttr);
            attr.PathName = BpfSyscall.Ptr(p);
            attr.FileFlags = fileFlags;
            Errno err = BpfSyscall.ObjGet(ref attr, out fd);
            if (err == Errno.None)
                Own(fd);
            return err;
        }
    }

    /// <inheritdoc/>
    public Errno ObjUnpin(string path)
    {
        ThrowIfDisposed();
        byte[]? name = CString(path);
        fixed (byte* p = name)
            return Libc.Unlink(p) == 0 ? Errno.None : BpfSyscall.LastErrno();
    }

    /// <inheritdoc/>
    public Errno MapGetInfo(int fd, out MapInfo info)
    {
        ThrowIfDisposed();
        Errno err = GetMapInfoNative(fd, out BpfMapInfoNative native);
        info = err != Errno.None
            ? default
            : new MapInfo((MapType)native.Type, native.Id, native.KeySize, native.ValueSize, native.MaxEntries,
                native.MapFlags, FromCString(new ReadOnlySpan<byte>(native.Name, BpfAttrConstants.ObjNameLength)),
                native.BtfId, native.MapExtra);
        return err;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <see cref="ProgInfo.InstructionCount"/> is the length of the kernel's translated program (<c>xlated_prog_len</c>
    /// / 8): after the verifier's rewrites (inlined helpers, for one), so it can differ from the count loaded.
    /// </remarks>
    public Errno ProgGetInfo(int fd, out ProgInfo info)
    {
        ThrowIfDisposed();
        info = default;
        if (ObjectKind(fd) is { } kind && kind != "bpf-prog")
            return Errno.EINVAL;

        var native = default(BpfProgInfoNative);
        Errno err = GetInfo(fd, &native, (uint)sizeof(BpfProgInfoNative));
        if (err != Errno.None)
            return err;

        uint[] mapIds = [];
        if (native.MapIdCount != 0)
        {
            // A second call for the ids, now that their number is known.
            mapIds = new uint[native.MapIdCount];
            fixed (uint* ids = mapIds)
            {
                var again = default(BpfProgInfoNative);
                again.MapIdCount = (uint)mapIds.Length;
                again.MapIds = BpfSyscall.Ptr(ids);
                err = GetInfo(fd, &again, (uint)sizeof(BpfProgInfoNative));
                if (err != Errno.None)
                    return err;
                if (again.MapIdCount < mapIds.Length)
                    mapIds = mapIds[..(int)again.MapIdCount];
            }
        }

        info = new ProgInfo((ProgramType)native.Type, native.Id,
            FromCString(new ReadOnlySpan<byte>(native.Name, BpfAttrConstants.ObjNameLength)),
            native.XlatedProgLength / 8, mapIds);
        return Errno.None;
    }

    /// <inheritdoc/>
    public Errno MapGetFdById(uint id, uint openFlags, out int fd)
    {
        ThrowIfDisposed();
        var attr = default(GetIdAttr);
        attr.StartOrObjectId = id;
        attr.OpenFlags = openFlags;
        Errno err = BpfSyscall.MapGetFdById(ref attr, out fd);
        if (err == Errno.None)
            Own(fd);
        return err;
    }

    /// <inheritdoc/>
    public Errno ProgGetFdById(uint id, out int fd)
    {
        ThrowIfDisposed();
        var attr = default(GetIdAttr);
        attr.StartOrObjectId = id;
        Errno err = BpfSyscall.ProgGetFdById(ref attr, out fd);
        if (err == Errno.None)
            Own(fd);
        return err;
    }

    /// <inheritdoc/>
    public Errno MapGetNextId(uint startId, out uint nextId)
    {
        ThrowIfDisposed();
        var attr = default(GetIdAttr);
        attr.StartOrObjectId = startId;
        Errno err = BpfSyscall.MapGetNextId(ref attr);
        nextId = attr.NextId;
        return err;
    }

    /// <inheritdoc/>
    public Errno ProgGetNextId(uint startId, out uint nextId)
    {
        ThrowIfDisposed();
        var attr = default(GetIdAttr);
        attr.StartOrObjectId = startId;
        Errno err = BpfSyscall.ProgGetNextId(ref attr);
        nextId = attr.NextId;
        return err;
    }

    /// <summary>
    /// <c>BPF_OBJ_GET_INFO_BY_FD</c> into a map info. The command serves every object kind and would fill a program's
    /// info into the map layout without complaint, so a descriptor that is known not to be a map gets EINVAL.
    /// </summary>
    private static Errno GetMapInfoNative(int fd, out BpfMapInfoNative info)
    {
        info = default;
        fixed (BpfMapInfoNative* p = &info)
        {
            Errno err = GetInfo(fd, p, (uint)sizeof(BpfMapInfoNative));
            if (err == Errno.None && ObjectKind(fd) is { } kind && kind != "bpf-map")
                return Errno.EINVAL;
            return err;
        }
    }

    private static Errno GetInfo(int fd, void* info, uint length)
    {
        var attr = default(InfoAttr);
        attr.BpfFd = (uint)fd;
        attr.InfoLength = length;
        attr.Info = BpfSyscall.Ptr(info);
        return BpfSyscall.ObjGetInfoByFd(ref attr);
    }

    /// <summary>
    /// What kind of bpf object <paramref name="fd"/> is (<c>bpf-map</c>, <c>bpf-prog</c>, <c>btf</c>, ...), from the
    /// anonymous inode's name in <c>/proc/self/fd</c>; null when that cannot be read (no procfs).
    /// </summary>
    private static string? ObjectKind(int fd)
    {
        try
        {
            string? target = new FileInfo("/proc/self/fd/" + fd.ToString(System.Globalization.CultureInfo.InvariantCulture)).LinkTarget;
            const string Prefix = "anon_inode:";
            return target is null ? null : target.StartsWith(Prefix, StringComparison.Ordinal) ? target[Prefix.Length..] : target;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
