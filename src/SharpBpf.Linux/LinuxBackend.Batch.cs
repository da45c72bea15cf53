using SharpBpf.Abi;
using SharpBpf.Linux.Interop;

namespace SharpBpf.Linux;

// The batch commands. count is the capacity in elements on entry; the kernel's count is written back whatever the
// result, and where the kernel fails before touching it, the value handed in comes back unchanged.
public sealed unsafe partial class LinuxBackend
{
    /// <inheritdoc/>
    public Errno MapLookupBatch(int fd, ReadOnlySpan<byte> inBatch, Span<byte> outBatch, Span<byte> keys,
        Span<byte> values, ref uint count, ulong elemFlags, ulong flags) =>
        LookupBatch(BpfCommand.BPF_MAP_LOOKUP_BATCH, fd, inBatch, outBatch, keys, values, ref count, elemFlags, flags);

    /// <inheritdoc/>
    public Errno MapLookupAndDeleteBatch(int fd, ReadOnlySpan<byte> inBatch, Span<byte> outBatch, Span<byte> keys,
        Span<byte> values, ref uint count, ulong elemFlags, ulong flags) =>
        LookupBatch(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_BATCH, fd, inBatch, outBatch, keys, values, ref count,
            elemFlags, flags);

    /// <inheritdoc/>
    public Errno MapUpdateBatch(int fd, ReadOnlySpan<byte> keys, ReadOnlySpan<byte> values, ref uint count,
        ulong elemFlags, ulong flags)
    {
        ThrowIfDisposed();
        MapShape? shape = ShapeOf(fd);
        fixed (byte* k = keys)
        fixed (byte* v = values)
        {
            var attr = default(MapBatchAttr);
            attr.MapFd = (uint)fd;
            attr.Keys = UserPtr(k, keys.Length, Times(count, shape?.KeySize));
            attr.Values = UserPtr(v, values.Length, Times(count, shape?.ValueBytes(elemFlags, PossibleCpus, HasCpuElemFlags)));
            attr.Count = count;
            attr.ElemFlags = elemFlags;
            attr.Flags = flags;
            Errno err = BpfSyscall.MapUpdateBatch(ref attr);
            count = attr.Count;
            return err;
        }
    }

    /// <inheritdoc/>
    public Errno MapDeleteBatch(int fd, ReadOnlySpan<byte> keys, ref uint count, ulong elemFlags, ulong flags)
    {
        ThrowIfDisposed();
        MapShape? shape = ShapeOf(fd);
        fixed (byte* k = keys)
        {
            var attr = default(MapBatchAttr);
            attr.MapFd = (uint)fd;
            attr.Keys = UserPtr(k, keys.Length, Times(count, shape?.KeySize));
            attr.Count = count;
            attr.ElemFlags = elemFlags;
            attr.Flags = flags;
            Errno err = BpfSyscall.MapDeleteBatch(ref attr);
            count = attr.Count;
            return err;
        }
    }

    private Errno LookupBatch(BpfCommand command, int fd, ReadOnlySpan<byte> inBatch, Span<byte> outBatch,
        Span<byte> keys, Span<byte> values, ref uint count, ulong elemFlags, ulong flags)
    {
        ThrowIfDisposed();
        MapShape? shape = ShapeOf(fd);
        long token = shape?.BatchTokenBytes ?? Unknown;
        fixed (byte* i = inBatch)
        fixed (byte* o = outBatch)
        fixed (byte* k = keys)
        fixed (byte* v = values)
        {
            var attr = default(MapBatchAttr);
            attr.MapFd = (uint)fd;
            attr.InBatch = UserPtr(i, inBatch.Length, token); // empty: NULL, from the start
            attr.OutBatch = UserPtr(o, outBatch.Length, token);
            attr.Keys = UserPtr(k, keys.Length, Times(count, shape?.KeySize));
            attr.Values = UserPtr(v, values.Length, Times(count, shape?.ValueBytes(elemFlags, PossibleCpus, HasCpuElemFlags)));
            attr.Count = count;
            attr.ElemFlags = elemFlags;
            attr.Flags = flags;
            Errno err = command == BpfCommand.BPF_MAP_LOOKUP_BATCH
                ? BpfSyscall.MapLookupBatch(ref attr)
                : BpfSyscall.MapLookupAndDeleteBatch(ref attr);
            count = attr.Count;
            return err;
        }
    }

    /// <summary><paramref name="count"/> elements of <paramref name="size"/> bytes (no overflow: u32 × ≤ 2³² fits in a long).</summary>
    private static long Times(uint count, long? size) => size is { } s ? count * s : Unknown;
}
