using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Linux.Interop;

namespace SharpBpf.Linux;

/// <summary>
/// The kernel backend: every <see cref="IBpfBackend"/> command is the real <c>bpf(2)</c> command, so results, errnos
/// and bytes are the running kernel's own. Descriptors are real fds.
/// </summary>
/// <remarks>
/// <para>
/// Every descriptor the backend returns (create, load, <c>OBJ_GET</c>, <c>GET_FD_BY_ID</c>, <see cref="Dup"/>) is owned
/// by a <see cref="SafeBpfFd"/> in the backend's table: <see cref="Close"/> closes it, and disposing the backend closes
/// every descriptor and unmaps every mapping it still owns. Descriptors the backend did not open may still be passed to
/// the commands (the kernel judges them), but <see cref="Close"/> refuses them with EBADF rather than closing a
/// descriptor that belongs to someone else in the process.
/// </para>
/// <para>
/// The kernel never reads or writes past a managed buffer: before each command the backend computes what the kernel
/// will copy (from the map's key and value sizes, which it learns once per descriptor), and a span shorter than that is
/// handed to the kernel as an address it always refuses, so the command fails with EFAULT at the very point where the
/// kernel would have copied, after its own flag, descriptor and permission checks, as a bad pointer does in C.
/// </para>
/// </remarks>
public sealed unsafe partial class LinuxBackend : IBpfBackend
{
    private static readonly Lazy<int> s_possibleCpus = new(() => CpuList.ReadPossible());
    private static readonly Lazy<(bool Supported, string Reason)> s_support = new(Probe);

    private readonly FdTable _fds = new();
    private readonly ConcurrentDictionary<LinuxMappedRegion, byte> _regions = new();
    private int _disposed;

    /// <inheritdoc/>
    public string Name => "kernel";

    /// <inheritdoc/>
    public int PossibleCpus => s_possibleCpus.Value;

    /// <summary>How many descriptors the backend currently owns.</summary>
    public int OwnedDescriptorCount => _fds.Count;

    /// <summary>
    /// Whether <c>bpf(2)</c> is usable by this process: it creates and closes a one-element <c>ARRAY</c>. The answer is
    /// computed once per process.
    /// </summary>
    /// <param name="reason">Why not, in one line; empty when supported.</param>
    public static bool IsSupported(out string reason)
    {
        (bool supported, reason) = s_support.Value;
        return supported;
    }

    private static (bool, string) Probe()
    {
        if (!OperatingSystem.IsLinux())
            return (false, "bpf(2) needs Linux; this is " + System.Runtime.InteropServices.RuntimeInformation.OSDescription);
        if (!BpfSyscall.IsKnownArchitecture)
            return (false, "no bpf(2) syscall number for " + System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture);
        try
        {
            var attr = default(MapCreateAttrNative);
            attr.MapType = (uint)MapType.Array;
            attr.KeySize = 4;
            attr.ValueSize = 4;
            attr.MaxEntries = 1;
            Errno err = BpfSyscall.MapCreate(ref attr, out int fd);
            if (err != Errno.None)
            {
                string hint = err is Errno.EPERM ? " (needs root, or CAP_BPF with unprivileged_bpf_disabled)" : "";
                return (false, $"bpf(BPF_MAP_CREATE) of a probe ARRAY failed: {err}{hint}");
            }

            _ = Libc.Close(fd);
            return (true, "");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return (false, "libc syscall() is not available: " + e.Message);
        }
    }

    /// <inheritdoc/>
    public Errno Dup(int fd, out int newFd)
    {
        ThrowIfDisposed();
        // dup(2) semantics; F_DUPFD_CLOEXEC keeps close-on-exec, as every fd bpf(2) returns has it.
        int result = Libc.DupCloexec(fd);
        if (result < 0)
        {
            newFd = -1;
            return BpfSyscall.LastErrno();
        }

        newFd = Own(result);
        return Errno.None;
    }

    /// <inheritdoc/>
    public Errno Close(int fd)
    {
        ThrowIfDisposed();
        return _fds.Close(fd) ? Errno.None : Errno.EBADF;
    }

    /// <summary>
    /// Opens a <c>BPF_OUTPUT</c> perf event on <paramref name="cpu"/> (see <see cref="PerfEventSyscall.OpenBpfOutput"/>)
    /// and hands back its descriptor, owned by this backend: the value to store in a <c>PERF_EVENT_ARRAY</c> slot.
    /// </summary>
    public Errno OpenPerfEventBpfOutput(int cpu, out int fd)
    {
        ThrowIfDisposed();
        Errno err = PerfEventSyscall.OpenBpfOutput(cpu, out SafeBpfFd handle);
        if (err != Errno.None)
        {
            handle.Dispose();
            fd = -1;
            return err;
        }

        fd = handle.Fd;
        handle.SetHandleAsInvalid(); // ownership moves to the table
        _fds.Add(fd);
        return Errno.None;
    }

    /// <summary>Closes every descriptor and unmaps every mapping the backend still owns.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        foreach (LinuxMappedRegion region in _regions.Keys)
            region.Dispose();
        _fds.Dispose();
    }

    private int Own(int fd, MapShape? shape = null)
    {
        _fds.Add(fd, shape);
        return fd;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed != 0, this);

    /// <summary>
    /// The user pointer for <paramref name="length"/> bytes at <paramref name="p"/> where the kernel copies
    /// <paramref name="required"/>: NULL for an empty span, the address itself when it is large enough, else the
    /// always-faulting address.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong UserPtr(byte* p, int length, long required) =>
        length == 0 ? 0 : length >= required ? (ulong)p : BpfSyscall.FaultingAddress;

    /// <summary>Copies <paramref name="text"/> as UTF-8 into a fixed-size field, exactly as given: bytes past it are dropped.</summary>
    private static void CopyName(string? text, byte* field, int size)
    {
        if (string.IsNullOrEmpty(text))
            return;
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        new ReadOnlySpan<byte>(bytes, 0, Math.Min(bytes.Length, size)).CopyTo(new Span<byte>(field, size));
    }

    /// <summary>A NUL-terminated UTF-8 copy of <paramref name="text"/> (null for a null string: a NULL pointer).</summary>
    private static byte[]? CString(string? text)
    {
        if (text is null)
            return null;
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    /// <summary>The text of a NUL-terminated field or log buffer.</summary>
    private static string FromCString(ReadOnlySpan<byte> bytes)
    {
        int nul = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul < 0 ? bytes : bytes[..nul]);
    }
}
