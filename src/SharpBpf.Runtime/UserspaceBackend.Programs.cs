using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Runtime;

// TEMPORARY (issue 3): placeholders so that UserspaceBackend implements IBpfBackend before program loading exists.
// The engineer who adds program loading replaces this whole file with the real BPF_PROG_LOAD and
// BPF_PROG_TEST_RUN (and keeps or moves ProgGetInfo and BtfLoad, which are here for the same reason).
// Descriptor plumbing for programs (ProgGetFdById, ProgGetNextId, InstallObject, pins) is in UserspaceBackend.cs.
public sealed partial class UserspaceBackend
{
    /// <inheritdoc/>
    public Errno ProgLoad(in ProgLoadAttr attr, out int fd, out string log)
    {
        fd = -1;
        log = "BPF_PROG_LOAD is not implemented by the userspace backend yet";
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public Errno ProgTestRun(int fd, in TestRunAttr attr, out TestRunResult result)
    {
        result = default;
        return Errno.ENOSYS;
    }

    /// <inheritdoc/>
    public Errno ProgGetInfo(int fd, out ProgInfo info)
    {
        info = default;
        return Files.Get(fd) is null ? Errno.EBADF : Errno.EINVAL;
    }

    /// <inheritdoc/>
    public Errno BtfLoad(ReadOnlySpan<byte> btf, out int fd, out string log)
    {
        fd = -1;
        log = "BPF_BTF_LOAD is not implemented by the userspace backend yet";
        return Errno.ENOSYS;
    }
}
