using SharpBpf.Abi;

namespace SharpBpf.Backend;

/// <summary>
/// The one interface every SharpBPF backend implements: one method per <c>bpf(2)</c> command, with the
/// kernel's argument and result conventions. The userspace runtime and the Linux kernel backend both implement
/// it; the loader, the typed map API, the CLI and the differential tests never know which one they drive.
/// </summary>
/// <remarks>
/// <para>
/// Objects are named by <em>file descriptors</em>: small non-negative integers that are user references to maps
/// and programs, as in the kernel (for the kernel backend they are real fds; for the userspace runtime they are
/// entries of its own descriptor table). Values written into fd-array maps (<c>PROG_ARRAY</c> ...) and the
/// immediates of <c>lddw</c> with <c>src = BPF_PSEUDO_MAP_FD</c> are these numbers, exactly as for the kernel.
/// </para>
/// <para>
/// Pointer arguments follow one rule: an empty span stands for a NULL pointer, and a span shorter than the size
/// the command reads or writes is a fault. Both give <see cref="Errno.EFAULT"/> where the kernel would, except
/// where the kernel gives NULL a meaning (the key of <c>BPF_MAP_GET_NEXT_KEY</c>, <c>in_batch</c>).
/// </para>
/// <para>Every method returns <see cref="Errno.None"/> on success or the errno the kernel would set; none throws
/// for bad arguments. Out parameters are only meaningful on success unless a method says otherwise.</para>
/// </remarks>
public interface IBpfBackend : IDisposable
{
    /// <summary>A short name: <c>userspace</c> or <c>kernel</c>.</summary>
    string Name { get; }

    /// <summary>The number of possible CPUs: the number of per-CPU copies of a per-CPU map value.</summary>
    int PossibleCpus { get; }

    /// <summary><c>BPF_MAP_CREATE</c>.</summary>
    Errno MapCreate(in MapCreateAttr attr, out int fd);

    /// <summary><c>BPF_MAP_LOOKUP_ELEM</c>: copies the value of <paramref name="key"/> into <paramref name="value"/>.</summary>
    Errno MapLookupElem(int fd, ReadOnlySpan<byte> key, Span<byte> value, ulong flags);

    /// <summary><c>BPF_MAP_UPDATE_ELEM</c>.</summary>
    Errno MapUpdateElem(int fd, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags);

    /// <summary><c>BPF_MAP_DELETE_ELEM</c>.</summary>
    Errno MapDeleteElem(int fd, ReadOnlySpan<byte> key, ulong flags);

    /// <summary><c>BPF_MAP_GET_NEXT_KEY</c>. An empty <paramref name="key"/> (NULL) asks for the first key.</summary>
    Errno MapGetNextKey(int fd, ReadOnlySpan<byte> key, Span<byte> nextKey);

    /// <summary><c>BPF_MAP_LOOKUP_AND_DELETE_ELEM</c>.</summary>
    Errno MapLookupAndDeleteElem(int fd, ReadOnlySpan<byte> key, Span<byte> value, ulong flags);

    /// <summary>
    /// <c>BPF_MAP_LOOKUP_BATCH</c>. <paramref name="inBatch"/> empty means NULL (start at the beginning).
    /// <paramref name="count"/> is the capacity in elements on entry and the number copied on return, and is
    /// written back on failure too, as the kernel does.
    /// </summary>
    Errno MapLookupBatch(int fd, ReadOnlySpan<byte> inBatch, Span<byte> outBatch, Span<byte> keys, Span<byte> values,
        ref uint count, ulong elemFlags, ulong flags);

    /// <summary><c>BPF_MAP_LOOKUP_AND_DELETE_BATCH</c>, with the conventions of <see cref="MapLookupBatch"/>.</summary>
    Errno MapLookupAndDeleteBatch(int fd, ReadOnlySpan<byte> inBatch, Span<byte> outBatch, Span<byte> keys,
        Span<byte> values, ref uint count, ulong elemFlags, ulong flags);

    /// <summary><c>BPF_MAP_UPDATE_BATCH</c>. <paramref name="count"/> returns how many elements were updated.</summary>
    Errno MapUpdateBatch(int fd, ReadOnlySpan<byte> keys, ReadOnlySpan<byte> values, ref uint count, ulong elemFlags,
        ulong flags);

    /// <summary><c>BPF_MAP_DELETE_BATCH</c>. <paramref name="count"/> returns how many elements were deleted.</summary>
    Errno MapDeleteBatch(int fd, ReadOnlySpan<byte> keys, ref uint count, ulong elemFlags, ulong flags);

    /// <summary><c>BPF_MAP_FREEZE</c>.</summary>
    Errno MapFreeze(int fd);

    /// <summary>
    /// <c>mmap</c> of a <c>BPF_F_MMAPABLE</c> map: a shared mapping of <paramref name="length"/> bytes (rounded up
    /// to a page) at byte <paramref name="offset"/> of the value area.
    /// </summary>
    Errno MapMmap(int fd, long offset, long length, bool writable, out MappedRegion? region);

    /// <summary><c>BPF_PROG_LOAD</c>. <paramref name="log"/> receives the verifier or loader log (may be empty).</summary>
    Errno ProgLoad(in ProgLoadAttr attr, out int fd, out string log);

    /// <summary><c>BPF_PROG_TEST_RUN</c>.</summary>
    Errno ProgTestRun(int fd, in TestRunAttr attr, out TestRunResult result);

    /// <summary><c>BPF_BTF_LOAD</c>.</summary>
    Errno BtfLoad(ReadOnlySpan<byte> btf, out int fd, out string log);

    /// <summary><c>BPF_OBJ_PIN</c>: pins the object of <paramref name="fd"/> at a bpffs-like path.</summary>
    Errno ObjPin(int fd, string path);

    /// <summary><c>BPF_OBJ_GET</c>: opens a pinned object; <paramref name="fileFlags"/> is 0, BPF_F_RDONLY or BPF_F_WRONLY.</summary>
    Errno ObjGet(string path, uint fileFlags, out int fd);

    /// <summary>Removes a pin (<c>unlink</c> on bpffs).</summary>
    Errno ObjUnpin(string path);

    /// <summary><c>BPF_OBJ_GET_INFO_BY_FD</c> for a map.</summary>
    Errno MapGetInfo(int fd, out MapInfo info);

    /// <summary><c>BPF_OBJ_GET_INFO_BY_FD</c> for a program.</summary>
    Errno ProgGetInfo(int fd, out ProgInfo info);

    /// <summary><c>BPF_MAP_GET_FD_BY_ID</c>; <paramref name="openFlags"/> is 0, BPF_F_RDONLY or BPF_F_WRONLY.</summary>
    Errno MapGetFdById(uint id, uint openFlags, out int fd);

    /// <summary><c>BPF_PROG_GET_FD_BY_ID</c>.</summary>
    Errno ProgGetFdById(uint id, out int fd);

    /// <summary><c>BPF_MAP_GET_NEXT_ID</c>: the smallest map id greater than <paramref name="startId"/>.</summary>
    Errno MapGetNextId(uint startId, out uint nextId);

    /// <summary><c>BPF_PROG_GET_NEXT_ID</c>.</summary>
    Errno ProgGetNextId(uint startId, out uint nextId);

    /// <summary><c>dup(2)</c>: a new descriptor for the same open object (same access mode).</summary>
    Errno Dup(int fd, out int newFd);

    /// <summary><c>close(2)</c>: drops this user reference.</summary>
    Errno Close(int fd);
}
