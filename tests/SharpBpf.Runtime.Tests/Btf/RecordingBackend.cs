using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Runtime.Tests.Btf;

/// <summary>
/// A backend that forwards every command to a userspace backend, records each BPF_PROG_LOAD attr and, when asked,
/// refuses BPF_BTF_LOAD as a kernel without BTF support would: for the loader's BTF path and its fallback.
/// </summary>
internal sealed class RecordingBackend(UserspaceBackend inner, Errno btfLoadError = Errno.None) : IBpfBackend
{
    public List<ProgLoadAttr> ProgLoads { get; } = [];

    public List<int> BtfFds { get; } = [];

    public List<int> Closed { get; } = [];

    public string Name => inner.Name;

    public int PossibleCpus => inner.PossibleCpus;

    public Errno BtfLoad(ReadOnlySpan<byte> btf, out int fd, out string log)
    {
        if (btfLoadError != Errno.None)
        {
            fd = -1;
            log = "BTF is not supported by this kernel\n";
            return btfLoadError;
        }

        var err = inner.BtfLoad(btf, out fd, out log);
        if (err == Errno.None)
            BtfFds.Add(fd);
        return err;
    }

    public Errno ProgLoad(in ProgLoadAttr attr, out int fd, out string log)
    {
        ProgLoads.Add(attr);
        return inner.ProgLoad(attr, out fd, out log);
    }

    public Errno Close(int fd)
    {
        Closed.Add(fd);
        return inner.Close(fd);
    }

    public Errno MapCreate(in MapCreateAttr attr, out int fd) => inner.MapCreate(attr, out fd);

    public Errno MapLookupElem(int fd, ReadOnlySpan<byte> key, Span<byte> value, ulong flags) => inner.MapLookupElem(fd, key, value, flags);

    public Errno MapUpdateElem(int fd, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags) => inner.MapUpdateElem(fd, key, value, flags);

    public Errno MapDeleteElem(int fd, ReadOnlySpan<byte> key, ulong flags) => inner.MapDeleteElem(fd, key, flags);

    public Errno MapGetNextKey(int fd, ReadOnlySpan<byte> key, Span<byte> nextKey) => inner.MapGetNextKey(fd, key, nextKey);

    public Errno MapLookupAndDeleteElem(int fd, ReadOnlySpan<byte> key, Span<byte> value, ulong flags) =>
        inner.MapLookupAndDeleteElem(fd, key, value, flags);

    public Errno MapLookupBatch(int fd, ReadOnlySpan<byte> inBatch, Span<byte> outBatch, Span<byte> keys, Span<byte> values,
        ref uint count, ulong elemFlags, ulong flags) =>
        inner.MapLookupBatch(fd, inBatch, outBatch, keys, values, ref count, elemFlags, flags);

    public Errno MapLookupAndDeleteBatch(int fd, ReadOnlySpan<byte> inBatch, Span<byte> outBatch, Span<byte> keys,
        Span<byte> values, ref uint count, ulong elemFlags, ulong flags) =>
        inner.MapLookupAndDeleteBatch(fd, inBatch, outBatch, keys, values, ref count, elemFlags, flags);

    public Errno MapUpdateBatch(int fd, ReadOnlySpan<byte> keys, ReadOnlySpan<byte> values, ref uint count, ulong elemFlags,
        ulong flags) => inner.MapUpdateBatch(fd, keys, values, ref count, elemFlags, flags);

    public Errno MapDeleteBatch(int fd, ReadOnlySpan<byte> keys, ref uint count, ulong elemFlags, ulong flags) =>
        inner.MapDeleteBatch(fd, keys, ref count, elemFlags, flags);

    public Errno MapFreeze(int fd) => inner.MapFreeze(fd);

    public Errno MapMmap(int fd, long offset, long length, bool writable, out MappedRegion? region) =>
        inner.MapMmap(fd, offset, length, writable, out region);

    public Errno ProgTestRun(int fd, in TestRunAttr attr, out TestRunResult result) => inner.ProgTestRun(fd, attr, out result);

    public Errno ObjPin(int fd, string path) => inner.ObjPin(fd, path);

    public Errno ObjGet(string path, uint fileFlags, out int fd) => inner.ObjGet(path, fileFlags, out fd);

    public Errno ObjUnpin(string path) => inner.ObjUnpin(path);

    public Errno MapGetInfo(int fd, out MapInfo info) => inner.MapGetInfo(fd, out info);

    public Errno ProgGetInfo(int fd, out ProgInfo info) => inner.ProgGetInfo(fd, out info);

    public Errno MapGetFdById(uint id, uint openFlags, out int fd) => inner.MapGetFdById(id, openFlags, out fd);

    public Errno ProgGetFdById(uint id, out int fd) => inner.ProgGetFdById(id, out fd);

    public Errno MapGetNextId(uint startId, out uint nextId) => inner.MapGetNextId(startId, out nextId);

    public Errno ProgGetNextId(uint startId, out uint nextId) => inner.ProgGetNextId(startId, out nextId);

    public Errno Dup(int fd, out int newFd) => inner.Dup(fd, out newFd);

    public void Dispose() => inner.Dispose();
}
