using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Linux.Interop;

namespace SharpBpf.Linux;

// The map element commands, freeze and mmap.
public sealed unsafe partial class LinuxBackend
{
    /// <summary>Stands for "unknown size": any non-empty span becomes the faulting address.</summary>
    private const long Unknown = long.MaxValue;

    /// <inheritdoc/>
    public Errno MapCreate(in MapCreateAttr attr, out int fd)
    {
        ThrowIfDisposed();
        var native = default(MapCreateAttrNative);
        native.MapType = (uint)attr.Type;
        native.KeySize = attr.KeySize;
        native.ValueSize = attr.ValueSize;
        native.MaxEntries = attr.MaxEntries;
        native.MapFlags = attr.MapFlags;
        native.InnerMapFd = (uint)attr.InnerMapFd;
        native.NumaNode = attr.NumaNode;
        CopyName(attr.Name, native.MapName, BpfAttrConstants.ObjNameLength);
        native.MapIfIndex = attr.MapIfIndex;
        native.BtfFd = (uint)attr.BtfFd;
        native.BtfKeyTypeId = attr.BtfKeyTypeId;
        native.BtfValueTypeId = attr.BtfValueTypeId;
        native.BtfVmlinuxValueTypeId = attr.BtfVmlinuxValueTypeId;
        native.MapExtra = attr.MapExtra;

        Errno err = BpfSyscall.MapCreate(ref native, out fd);
        if (err == Errno.None)
            Own(fd);
        return err;
    }

    /// <inheritdoc/>
    public Errno MapLookupElem(int fd, ReadOnlySpan<byte> key, Span<byte> value, ulong flags) =>
        Elem(BpfCommand.BPF_MAP_LOOKUP_ELEM, fd, key, value, flags);

    /// <inheritdoc/>
    public Errno MapUpdateElem(int fd, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags) =>
        Elem(BpfCommand.BPF_MAP_UPDATE_ELEM, fd, key, value, flags);

    /// <inheritdoc/>
    public Errno MapDeleteElem(int fd, ReadOnlySpan<byte> key, ulong flags)
    {
        ThrowIfDisposed();
        MapShape? shape = ShapeOf(fd);
        fixed (byte* k = key)
        {
            var attr = default(MapElemAttr);
            attr.MapFd = (uint)fd;
            attr.Key = UserPtr(k, key.Length, shape?.KeySize ?? Unknown);
            attr.Flags = flags;
            return BpfSyscall.MapDeleteElem(ref attr);
        }
    }

    /// <inheritdoc/>
    public Errno MapGetNextKey(int fd, ReadOnlySpan<byte> key, Span<byte> nextKey)
    {
        ThrowIfDisposed();
        MapShape? shape = ShapeOf(fd);
        long keyBytes = shape?.KeySize ?? Unknown;
        fixed (byte* k = key)
        fixed (byte* n = nextKey)
        {
            var attr = default(MapElemAttr);
            attr.MapFd = (uint)fd;
            attr.Key = UserPtr(k, key.Length, keyBytes); // empty: NULL, the first key
            attr.ValueOrNextKey = UserPtr(n, nextKey.Length, keyBytes);
            return BpfSyscall.MapGetNextKey(ref attr);
        }
    }

    /// <inheritdoc/>
    public Errno MapLookupAndDeleteElem(int fd, ReadOnlySpan<byte> key, Span<byte> value, ulong flags) =>
        Elem(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_ELEM, fd, key, value, flags);

    /// <inheritdoc/>
    public Errno MapFreeze(int fd)
    {
        ThrowIfDisposed();
        var attr = default(MapFdAttr);
        attr.MapFd = (uint)fd;
        return BpfSyscall.MapFreeze(ref attr);
    }

    /// <inheritdoc/>
    public Errno MapMmap(int fd, long offset, long length, bool writable, out MappedRegion? region)
    {
        ThrowIfDisposed();
        region = null;
        // mmap(2) itself refuses these with EINVAL; checked here because the length is narrowed to size_t.
        if (length <= 0 || offset < 0)
            return Errno.EINVAL;

        int prot = Libc.PROT_READ | (writable ? Libc.PROT_WRITE : 0);
        nint address = Libc.Mmap(0, (nuint)length, prot, Libc.MAP_SHARED, fd, offset);
        if (address == Libc.MapFailed)
            return BpfSyscall.LastErrno();

        long pageSize = Environment.SystemPageSize;
        long mapped = (length + pageSize - 1) / pageSize * pageSize;
        var linux = new LinuxMappedRegion(address, mapped, writable, r => _regions.TryRemove(r, out _));
        _regions.TryAdd(linux, 0);
        region = linux;
        return Errno.None;
    }

    private bool? _hasCpuElemFlags;

    /// <summary>
    /// True if the running kernel knows the per-CPU element flags BPF_F_CPU / BPF_F_ALL_CPUS (Linux 6.19), which
    /// make an element command copy one CPU's value: a PERCPU_ARRAY lookup with BPF_F_CPU succeeds, where older
    /// kernels refuse the flag (EINVAL). Probed once; while probing, the full per-CPU size is assumed.
    /// </summary>
    internal bool HasCpuElemFlags
    {
        get
        {
            if (_hasCpuElemFlags is { } known)
                return known;
            _hasCpuElemFlags = false;
            var err = MapCreate(new MapCreateAttr { Type = MapType.PerCpuArray, KeySize = 4, ValueSize = 8, MaxEntries = 1 }, out var fd);
            if (err != Errno.None)
                return false;
            var value = new byte[8 * PossibleCpus];
            _hasCpuElemFlags = MapLookupElem(fd, new byte[4], value, ElemFlags.BPF_F_CPU) == Errno.None;
            Close(fd);
            return _hasCpuElemFlags.Value;
        }
    }

    /// <summary>
    /// LOOKUP, UPDATE and LOOKUP_AND_DELETE: a key read and a value copied one way or the other. The value is taken
    /// read-only only to share the code: for the lookups it is the caller's writable <see cref="Span{T}"/>.
    /// </summary>
    private Errno Elem(BpfCommand command, int fd, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags)
    {
        ThrowIfDisposed();
        MapShape? shape = ShapeOf(fd);
        long keyBytes = shape?.KeySize ?? Unknown;
        long valueBytes = shape?.ValueBytes(flags, PossibleCpus, HasCpuElemFlags) ?? Unknown;
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var attr = default(MapElemAttr);
            attr.MapFd = (uint)fd;
            attr.Key = UserPtr(k, key.Length, keyBytes);
            attr.ValueOrNextKey = UserPtr(v, value.Length, valueBytes);
            attr.Flags = flags;
            return command switch
            {
                BpfCommand.BPF_MAP_LOOKUP_ELEM => BpfSyscall.MapLookupElem(ref attr),
                BpfCommand.BPF_MAP_UPDATE_ELEM => BpfSyscall.MapUpdateElem(ref attr),
                _ => BpfSyscall.MapLookupAndDeleteElem(ref attr),
            };
        }
    }

    /// <summary>
    /// The sizes of the map behind <paramref name="fd"/>: cached for owned descriptors, asked of the kernel otherwise.
    /// Null when <paramref name="fd"/> is not a map (the kernel then fails the command before it copies anything).
    /// </summary>
    private MapShape? ShapeOf(int fd)
    {
        if (_fds.TryGet(fd, out FdEntry? entry))
        {
            if (entry.Shape is { } known)
                return known;
            MapShape? learned = QueryShape(fd);
            entry.Shape = learned;
            return learned;
        }

        return QueryShape(fd);
    }

    private static MapShape? QueryShape(int fd) =>
        GetMapInfoNative(fd, out BpfMapInfoNative info) == Errno.None
            ? new MapShape((MapType)info.Type, info.KeySize, info.ValueSize)
            : null;
}
