using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SharpBpf.Abi;

namespace SharpBpf.Linux.Interop;

/// <summary>
/// The one choke point for <c>bpf(2)</c>: one method per command, each passing its own member of
/// <c>union bpf_attr</c> with the size of that member (the prefix of the union the command uses).
/// </summary>
/// <remarks>
/// Callers build the attr from <c>default</c> (all zero) and fill in what they mean; the methods never read
/// managed memory on the kernel's behalf, so every pointer inside an attr must point at pinned memory at least as
/// large as the command reads or writes, or be 0 (NULL) or <see cref="FaultingAddress"/>.
/// </remarks>
internal static unsafe class BpfSyscall
{
    /// <summary>
    /// A user pointer the kernel can never copy from or to: it lies in the kernel half of the address space, so
    /// <c>access_ok()</c> refuses it and the copy fails with EFAULT before touching memory. Used for a span that is
    /// shorter than what the command copies, so the kernel reports EFAULT exactly where it would copy (after its own
    /// flag, fd and permission checks) instead of reading or writing past a managed buffer. Unlike NULL it is
    /// "a pointer was given" where NULL has a meaning (the key of GET_NEXT_KEY, <c>in_batch</c>).
    /// </summary>
    public const ulong FaultingAddress = 0xFFFF_FFFF_FFFF_F000;

    /// <summary>Whether this process architecture has a known <c>bpf(2)</c> number.</summary>
    public static bool IsKnownArchitecture => SyscallNumbers.Bpf != 0;

    /// <summary><c>BPF_MAP_CREATE</c>: a new map fd.</summary>
    public static Errno MapCreate(ref MapCreateAttrNative attr, out int fd) =>
        ReturnFd(Invoke(BpfCommand.BPF_MAP_CREATE, ref attr), out fd);

    /// <summary><c>BPF_MAP_LOOKUP_ELEM</c>.</summary>
    public static Errno MapLookupElem(ref MapElemAttr attr) => Status(Invoke(BpfCommand.BPF_MAP_LOOKUP_ELEM, ref attr));

    /// <summary><c>BPF_MAP_UPDATE_ELEM</c>.</summary>
    public static Errno MapUpdateElem(ref MapElemAttr attr) => Status(Invoke(BpfCommand.BPF_MAP_UPDATE_ELEM, ref attr));

    /// <summary><c>BPF_MAP_DELETE_ELEM</c>.</summary>
    public static Errno MapDeleteElem(ref MapElemAttr attr) => Status(Invoke(BpfCommand.BPF_MAP_DELETE_ELEM, ref attr));

    /// <summary><c>BPF_MAP_GET_NEXT_KEY</c>.</summary>
    public static Errno MapGetNextKey(ref MapElemAttr attr) => Status(Invoke(BpfCommand.BPF_MAP_GET_NEXT_KEY, ref attr));

    /// <summary><c>BPF_MAP_LOOKUP_AND_DELETE_ELEM</c>.</summary>
    public static Errno MapLookupAndDeleteElem(ref MapElemAttr attr) =>
        Status(Invoke(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_ELEM, ref attr));

    /// <summary><c>BPF_MAP_LOOKUP_BATCH</c>.</summary>
    public static Errno MapLookupBatch(ref MapBatchAttr attr) => Status(Invoke(BpfCommand.BPF_MAP_LOOKUP_BATCH, ref attr));

    /// <summary><c>BPF_MAP_LOOKUP_AND_DELETE_BATCH</c>.</summary>
    public static Errno MapLookupAndDeleteBatch(ref MapBatchAttr attr) =>
        Status(Invoke(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_BATCH, ref attr));

    /// <summary><c>BPF_MAP_UPDATE_BATCH</c>.</summary>
    public static Errno MapUpdateBatch(ref MapBatchAttr attr) => Status(Invoke(BpfCommand.BPF_MAP_UPDATE_BATCH, ref attr));

    /// <summary><c>BPF_MAP_DELETE_BATCH</c>.</summary>
    public static Errno MapDeleteBatch(ref MapBatchAttr attr) => Status(Invoke(BpfCommand.BPF_MAP_DELETE_BATCH, ref attr));

    /// <summary><c>BPF_MAP_FREEZE</c>.</summary>
    public static Errno MapFreeze(ref MapFdAttr attr) => Status(Invoke(BpfCommand.BPF_MAP_FREEZE, ref attr));

    /// <summary><c>BPF_OBJ_PIN</c>.</summary>
    public static Errno ObjPin(ref ObjAttr attr) => Status(Invoke(BpfCommand.BPF_OBJ_PIN, ref attr));

    /// <summary><c>BPF_OBJ_GET</c>: a new fd for a pinned object.</summary>
    public static Errno ObjGet(ref ObjAttr attr, out int fd) => ReturnFd(Invoke(BpfCommand.BPF_OBJ_GET, ref attr), out fd);

    /// <summary><c>BPF_PROG_LOAD</c>: a new program fd.</summary>
    public static Errno ProgLoad(ref ProgLoadAttrNative attr, out int fd) =>
        ReturnFd(Invoke(BpfCommand.BPF_PROG_LOAD, ref attr), out fd);

    /// <summary><c>BPF_PROG_TEST_RUN</c>.</summary>
    public static Errno ProgTestRun(ref TestRunAttrNative attr) => Status(Invoke(BpfCommand.BPF_PROG_TEST_RUN, ref attr));

    /// <summary><c>BPF_OBJ_GET_INFO_BY_FD</c> (maps, programs, BTF and links share the command).</summary>
    public static Errno ObjGetInfoByFd(ref InfoAttr attr) => Status(Invoke(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, ref attr));

    /// <summary><c>BPF_BTF_LOAD</c>: a new BTF fd.</summary>
    public static Errno BtfLoad(ref BtfLoadAttrNative attr, out int fd) =>
        ReturnFd(Invoke(BpfCommand.BPF_BTF_LOAD, ref attr), out fd);

    /// <summary><c>BPF_MAP_GET_FD_BY_ID</c>.</summary>
    public static Errno MapGetFdById(ref GetIdAttr attr, out int fd) =>
        ReturnFd(Invoke(BpfCommand.BPF_MAP_GET_FD_BY_ID, ref attr), out fd);

    /// <summary><c>BPF_PROG_GET_FD_BY_ID</c>.</summary>
    public static Errno ProgGetFdById(ref GetIdAttr attr, out int fd) =>
        ReturnFd(Invoke(BpfCommand.BPF_PROG_GET_FD_BY_ID, ref attr), out fd);

    /// <summary><c>BPF_MAP_GET_NEXT_ID</c>.</summary>
    public static Errno MapGetNextId(ref GetIdAttr attr) => Status(Invoke(BpfCommand.BPF_MAP_GET_NEXT_ID, ref attr));

    /// <summary><c>BPF_PROG_GET_NEXT_ID</c>.</summary>
    public static Errno ProgGetNextId(ref GetIdAttr attr) => Status(Invoke(BpfCommand.BPF_PROG_GET_NEXT_ID, ref attr));

    /// <summary>
    /// Any command with a caller-built attr of any size: for probing the kernel's own attr checks (a size past the
    /// kernel's union with a non-zero tail, a truncated attr). The attr's pointer fields must obey the class rule.
    /// </summary>
    public static Errno Raw(BpfCommand command, Span<byte> attr, out long result)
    {
        fixed (byte* p = attr)
            result = Call(command, p, (uint)attr.Length);
        return result < 0 ? LastErrno() : Errno.None;
    }

    /// <summary>The address of pinned memory as the <c>__aligned_u64</c> the kernel reads (0 for NULL).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Ptr(void* p) => (ulong)p;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Invoke<T>(BpfCommand command, ref T attr)
        where T : unmanaged
    {
        fixed (T* p = &attr)
            return Call(command, p, (uint)sizeof(T));
    }

    private static long Call(BpfCommand command, void* attr, uint size)
    {
        if (SyscallNumbers.Bpf == 0)
        {
            Marshal.SetLastPInvokeError((int)Errno.ENOSYS);
            return -1;
        }

        return Libc.Syscall3(SyscallNumbers.Bpf, (nint)command, attr, (nint)size);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Errno Status(long result) => result < 0 ? LastErrno() : Errno.None;

    private static Errno ReturnFd(long result, out int fd)
    {
        if (result < 0)
        {
            fd = -1;
            return LastErrno();
        }

        fd = (int)result;
        return Errno.None;
    }

    /// <summary>The errno of the last failed P/Invoke on this thread.</summary>
    internal static Errno LastErrno() => (Errno)Marshal.GetLastPInvokeError();
}
