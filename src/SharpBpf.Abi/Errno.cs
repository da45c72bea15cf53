namespace SharpBpf.Abi;

/// <summary>
/// Linux errno values, raw. Core operations return these instead of throwing, exactly as
/// <c>bpf(2)</c> and BPF helpers report them (helpers hand <c>-errno</c> back to programs).
/// </summary>
public enum Errno
{
    /// <summary>Success.</summary>
    None = 0,
    EPERM = 1,
    ENOENT = 2,
    ESRCH = 3,
    EINTR = 4,
    EIO = 5,
    ENXIO = 6,
    E2BIG = 7,
    EBADF = 9,
    EAGAIN = 11,
    ENOMEM = 12,
    EACCES = 13,
    EFAULT = 14,
    EBUSY = 16,
    EEXIST = 17,
    ENODEV = 19,
    ENOTDIR = 20,
    EISDIR = 21,
    EINVAL = 22,
    EMFILE = 24,
    ENOSPC = 28,
    ERANGE = 34,
    ENOSYS = 38,
    ELOOP = 40,
    EOPNOTSUPP = 95,
    ENOTSUPP = 524,
}
