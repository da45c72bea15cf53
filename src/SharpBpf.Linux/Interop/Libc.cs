using System.Runtime.InteropServices;

namespace SharpBpf.Linux.Interop;

/// <summary>
/// The libc entry points SharpBPF uses. This file and nothing else in the repository declares P/Invokes; only
/// <see cref="BpfSyscall"/>, <see cref="PerfEventSyscall"/> and the descriptor and mapping wrappers call them.
/// </summary>
/// <remarks>
/// <c>syscall(2)</c> is variadic. It is declared with fixed pointer-sized arguments, which is how both the x86-64 SysV
/// and the Linux AArch64 ABIs pass the integer arguments of a variadic call, and glibc's assembly stub only moves
/// registers.
/// </remarks>
internal static unsafe partial class Libc
{
    private const string Library = "libc";

    internal const int PROT_READ = 0x1;
    internal const int PROT_WRITE = 0x2;
    internal const int MAP_SHARED = 0x01;

    /// <summary><c>(void *)-1</c>.</summary>
    internal static readonly nint MapFailed = -1;

    [LibraryImport(Library, EntryPoint = "syscall", SetLastError = true)]
    internal static partial nint Syscall3(nint number, nint arg1, void* arg2, nint arg3);

    [LibraryImport(Library, EntryPoint = "syscall", SetLastError = true)]
    internal static partial nint Syscall5(nint number, void* arg1, nint arg2, nint arg3, nint arg4, nint arg5);

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    internal static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    internal static partial int Munmap(nint addr, nuint length);

    [LibraryImport(Library, EntryPoint = "sched_setaffinity", SetLastError = true)]
    internal static partial int SchedSetAffinity(int pid, nuint cpuSetSize, ulong* mask);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    private const int F_DUPFD_CLOEXEC = 1030;

    // fcntl is variadic; its third argument is an int passed in a register on both ABIs (see the class remarks).
    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    /// <summary><c>dup(2)</c> with close-on-exec: the lowest free descriptor for the same open file.</summary>
    internal static int DupCloexec(int fd) => Fcntl(fd, F_DUPFD_CLOEXEC, 0);

    [LibraryImport(Library, EntryPoint = "unlink", SetLastError = true)]
    internal static partial int Unlink(byte* path);

    internal const short POLLIN = 0x1;

    /// <summary><c>struct pollfd</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    internal static partial int Poll(PollFd* fds, nuint count, int timeoutMs);
}
