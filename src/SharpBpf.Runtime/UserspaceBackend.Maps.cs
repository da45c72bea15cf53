using System.Runtime.CompilerServices;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Runtime.Maps;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Runtime;

// The map commands. Each follows its kernel/bpf/syscall.c function step by step, so that the first failing check
// is the kernel's: attr checks, descriptor, access mode (a frozen map has lost write access on the syscall side),
// BPF_F_LOCK without a spin lock, copying the key in (EFAULT), then the map type's operation.
public sealed partial class UserspaceBackend
{
    private const ulong LockFlag = ElemFlags.BPF_F_LOCK;

    /// <summary>The largest mapping the address space could hold (47-bit user space).</summary>
    private const long MaxMappingLength = 1L << 47;

    /// <inheritdoc/>
    public Errno MapCreate(in MapCreateAttr attr, out int fd)
    {
        fd = -1;
        var err = MapFactory.Create(attr, PossibleCpus, MemoryBudget, Files, out var map);
        if (err != Errno.None)
            return err;
        Registry.Publish(map!);
        map!.StampId();
        OpenFile.ModeFromFlags(attr.MapFlags, out var mode);
        return InstallObject(map, mode, out fd);
    }

    /// <inheritdoc/>
    [SkipLocalsInit]
    public Errno MapLookupElem(int fd, ReadOnlySpan<byte> key, Span<byte> value, ulong flags)
    {
        if ((flags & ~LockFlag) != 0)
            return Errno.EINVAL;
        var err = ResolveMap(fd, out var file, out var map);
        if (err != Errno.None)
            return err;
        if (!file.CanRead)
            return Errno.EPERM;
        if (flags != 0)
            return Errno.EINVAL; // BPF_F_LOCK: no value has a bpf_spin_lock
        if ((uint)key.Length < map.KeySize)
            return Errno.EFAULT;
        return map.LookupElem(key, value);
    }

    /// <inheritdoc/>
    public Errno MapUpdateElem(int fd, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags)
    {
        var err = ResolveMap(fd, out var file, out var map);
        if (err != Errno.None)
            return err;
        return UpdateValue(file, map, key, value, flags);
    }

    /// <inheritdoc/>
    public Errno MapDeleteElem(int fd, ReadOnlySpan<byte> key, ulong flags)
    {
        if (flags != 0)
            return Errno.EINVAL; // BPF_MAP_DELETE_ELEM has no flags: CHECK_ATTR
        var err = ResolveMap(fd, out var file, out var map);
        if (err != Errno.None)
            return err;
        if (!file.CanWrite || map.IsFrozen)
            return Errno.EPERM;
        if ((uint)key.Length < map.KeySize)
            return Errno.EFAULT;
        return map.DeleteElem(key);
    }

    /// <inheritdoc/>
    [SkipLocalsInit]
    public Errno MapGetNextKey(int fd, ReadOnlySpan<byte> key, Span<byte> nextKey)
    {
        var err = ResolveMap(fd, out var file, out var map);
        if (err != Errno.None)
            return err;
        if (!file.CanRead)
            return Errno.EPERM;
        var keySize = (int)map.KeySize;
        if (!key.IsEmpty && key.Length < keySize)
            return Errno.EFAULT;
        Span<byte> next = stackalloc byte[keySize];
        err = map.GetNextKey(key, next);
        if (err != Errno.None)
            return err;
        if (nextKey.Length < keySize)
            return Errno.EFAULT;
        next.CopyTo(nextKey);
        return Errno.None;
    }

    /// <inheritdoc/>
    public Errno MapLookupAndDeleteElem(int fd, ReadOnlySpan<byte> key, Span<byte> value, ulong flags)
    {
        if ((flags & ~LockFlag) != 0)
            return Errno.EINVAL;
        var err = ResolveMap(fd, out var file, out var map);
        if (err != Errno.None)
            return err;
        if (!file.CanRead || !file.CanWrite || map.IsFrozen)
            return Errno.EPERM;
        if (flags != 0)
            return Errno.EINVAL;
        if ((uint)key.Length < map.KeySize)
            return Errno.EFAULT;
        return map.LookupAndDeleteElem(key, value, flags);
    }

    /// <inheritdoc/>
    [SkipLocalsInit]
    public Errno MapLookupBatch(int fd, ReadOnlySpan<byte> inBatch, Span<byte> outBatch, Span<byte> keys,
        Span<byte> values, ref uint count, ulong elemFlags, ulong flags)
    {
        var err = ResolveMap(fd, out var file, out var map);
        if (err != Errno.None)
            return err;
        if (!file.CanRead)
            return Errno.EPERM;
        if (!map.SupportsBatch)
            return Errno.ENOTSUPP;
        return GenericLookupBatch(map, inBatch, outBatch, keys, values, ref count, elemFlags);
    }

    /// <inheritdoc/>
    public Errno MapLookupAndDeleteBatch(int fd, ReadOnlySpan<byte> inBatch, Span<byte> outBatch, Span<byte> keys,
        Span<byte> values, ref uint count, ulong elemFlags, ulong flags)
    {
        var err = ResolveMap(fd, out var file, out var map);
        if (err != Errno.None)
            return err;
        if (!file.CanRead || !file.CanWrite || map.IsFrozen)
            return Errno.EPERM;
        return Errno.ENOTSUPP; // no array type has map_lookup_and_delete_batch
    }

    /// <inheritdoc/>
    public Errno MapUpdateBatch(int fd, ReadOnlySpan<byte> keys, ReadOnlySpan<byte> values, ref uint count,
        ulong elemFlags, ulong flags)
    {
        var err = ResolveMap(fd, out var file, out var map);
        if (err != Errno.None)
            return err;
        if (!file.CanWrite || map.IsFrozen)
            return Errno.EPERM;
        if (!map.SupportsBatch)
            return Errno.ENOTSUPP;

        // generic_map_update_batch
        if (elemFlags != 0)
            return Errno.EINVAL; // only BPF_F_LOCK is allowed, and no value has a spin lock
        var maxCount = count;
        if (maxCount == 0)
            return Errno.None;
        count = 0;
        long keySize = map.KeySize, valueSize = map.SyscallValueSize;
        // A buffer shorter than the whole batch is a bad pointer: the copy faults at its first element, as the
        // kernel backend passes such a span (the kernel itself reads element by element).
        if (keys.Length < maxCount * keySize || values.Length < maxCount * valueSize)
            return Errno.EFAULT;
        uint cp;
        err = Errno.None;
        for (cp = 0; cp < maxCount; cp++)
        {
            long k = cp * keySize, v = cp * valueSize;

            err = UpdateValue(file, map, keys.Slice((int)k, (int)keySize), values.Slice((int)v, (int)valueSize), elemFlags);
            if (err != Errno.None)
                break;
        }

        count = cp;
        return err;
    }

    /// <inheritdoc/>
    public Errno MapDeleteBatch(int fd, ReadOnlySpan<byte> keys, ref uint count, ulong elemFlags, ulong flags)
    {
        var err = ResolveMap(fd, out var file, out var map);
        if (err != Errno.None)
            return err;
        if (!file.CanWrite || map.IsFrozen)
            return Errno.EPERM;
        return Errno.ENOTSUPP; // no array type has map_delete_batch
    }

    /// <inheritdoc/>
    public Errno MapFreeze(int fd)
    {
        var err = ResolveMap(fd, out var file, out var map);
        if (err != Errno.None)
            return err;
        if (!file.CanWrite || map.IsFrozen)
            return Errno.EPERM; // a frozen map has lost write access, so freezing again is EPERM, not EBUSY
        return map.Freeze();
    }

    /// <inheritdoc/>
    public Errno MapMmap(int fd, long offset, long length, bool writable, out MappedRegion? region)
    {
        region = null;
        var file = Files.Get(fd);
        if (file is null)
            return Errno.EBADF;
        // sys_mmap and do_mmap, in their order.
        var page = (long)Environment.SystemPageSize;
        if ((offset & (page - 1)) != 0 || length == 0)
            return Errno.EINVAL;
        if (length < 0 || length > MaxMappingLength)
            return Errno.ENOMEM;
        var aligned = (length + page - 1) & ~(page - 1);
        if ((ulong)offset > ulong.MaxValue - (ulong)aligned)
            return Errno.EOVERFLOW;
        if (!file.CanRead || (writable && !file.CanWrite))
            return Errno.EACCES;
        if (file.Map is not { } map)
            return Errno.ENODEV; // not a file that can be mapped
        return map.Mmap(file, offset, aligned, writable, out region);
    }

    /// <inheritdoc/>
    public Errno MapGetInfo(int fd, out MapInfo info)
    {
        info = default;
        var err = ResolveMap(fd, out _, out var map);
        if (err != Errno.None)
            return err;
        info = map.Info;
        return Errno.None;
    }

    /// <summary>
    /// <c>map_update_elem</c> after the descriptor (shared by BPF_MAP_UPDATE_ELEM and each element of
    /// BPF_MAP_UPDATE_BATCH): access, BPF_F_LOCK, copying key and value in, then the type's update.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Errno UpdateValue(OpenFile file, MapObject map, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags)
    {
        if (!file.CanWrite || map.IsFrozen)
            return Errno.EPERM;
        if ((flags & LockFlag) != 0)
            return Errno.EINVAL;
        if ((uint)key.Length < map.KeySize || (uint)value.Length < (uint)map.SyscallValueSize)
            return Errno.EFAULT;
        return map.TakesDescriptors
            ? ((FdArrayMapObject)map).UpdateElem(file, Files, key, value, flags)
            : map.UpdateElem(key, value, flags);
    }

    /// <summary>
    /// <c>generic_map_lookup_batch</c>: walks keys with GET_NEXT_KEY from <paramref name="inBatch"/> (NULL: the
    /// start), copying key and value out for each; stops at <paramref name="count"/> elements (0) or at the end
    /// (ENOENT). <paramref name="count"/> becomes the number copied and <paramref name="outBatch"/> the last key.
    /// </summary>
    [SkipLocalsInit]
    private static Errno GenericLookupBatch(MapObject map, ReadOnlySpan<byte> inBatch, Span<byte> outBatch,
        Span<byte> keys, Span<byte> values, ref uint count, ulong elemFlags)
    {
        if (elemFlags != 0)
            return Errno.EINVAL;
        var maxCount = count;
        if (maxCount == 0)
            return Errno.None;
        count = 0;
        var keySize = (int)map.KeySize;
        long valueSize = map.SyscallValueSize;
        Span<byte> prev = stackalloc byte[keySize];
        Span<byte> key = stackalloc byte[keySize];
        var hasPrev = false;
        if (!inBatch.IsEmpty)
        {
            if (inBatch.Length < keySize)
                return Errno.EFAULT;
            inBatch[..keySize].CopyTo(prev);
            hasPrev = true;
        }

        // A buffer shorter than the whole batch is a bad pointer: the first copy into it faults.
        var keysFault = keys.Length < (long)maxCount * keySize;
        var valuesFault = values.Length < maxCount * valueSize;
        uint cp = 0;
        var err = Errno.None;
        while (cp < maxCount)
        {
            err = map.GetNextKey(hasPrev ? prev : default, key);
            if (err != Errno.None)
                break;
            long k = (long)cp * keySize, v = cp * valueSize;
            if (keysFault)
            {
                err = Errno.EFAULT;
                break;
            }

            key.CopyTo(keys.Slice((int)k, keySize));
            if (valuesFault)
            {
                err = Errno.EFAULT;
                break;
            }

            err = map.LookupElem(key, values.Slice((int)v, (int)valueSize));
            if (err != Errno.None)
                break; // cannot be ENOENT for an array key from GET_NEXT_KEY
            key.CopyTo(prev);
            hasPrev = true;
            cp++;
        }

        if (err == Errno.EFAULT)
            return err; // count stays 0, as the kernel leaves it
        count = cp;
        if (cp != 0)
        {
            if (outBatch.Length < keySize)
                return Errno.EFAULT;
            prev.CopyTo(outBatch);
        }

        return err;
    }
}
