using System.Runtime.InteropServices;
using SharpBpf.Linux.Interop;

namespace SharpBpf.Linux;

/// <summary>
/// An owned file descriptor returned by <c>bpf(2)</c> (a map, program or BTF object) or by a related system call
/// (<c>perf_event_open</c>). Disposing it, or finalising it, closes the descriptor.
/// </summary>
public sealed class SafeBpfFd : SafeHandle
{
    /// <summary>Wraps <paramref name="fd"/>; with <paramref name="ownsHandle"/> the handle closes it when released.</summary>
    public SafeBpfFd(int fd, bool ownsHandle)
        : base(invalidHandleValue: -1, ownsHandle) => SetHandle(fd);

    /// <summary>An invalid handle (-1), as a failed open returns.</summary>
    public SafeBpfFd()
        : this(-1, ownsHandle: true)
    {
    }

    /// <summary>The descriptor number, or -1.</summary>
    public int Fd => (int)handle;

    /// <inheritdoc/>
    public override bool IsInvalid => handle < 0;

    /// <inheritdoc/>
    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
