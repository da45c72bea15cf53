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

    /// <summary>
    /// File name too long: a bpffs path for BPF_OBJ_PIN / BPF_OBJ_GET longer than PATH_MAX, or a path component
    /// longer than NAME_MAX (255 bytes).
    /// </summary>
    ENAMETOOLONG = 36,
    ENOSYS = 38,
    ELOOP = 40,

    /// <summary>
    /// Protocol error: BPF_PROG_LOAD with a by-index map reference (<c>lddw</c> src 5 or 6) and no <c>fd_array</c>
    /// to resolve it (verifier log: <c>fd_idx without fd_array is invalid</c>).
    /// </summary>
    EPROTO = 71,

    /// <summary>
    /// Value too large for the defined data type: mmap of a map whose offset plus page-rounded length does not fit
    /// in the address type (<c>do_mmap</c>'s overflow check).
    /// </summary>
    EOVERFLOW = 75,

    /// <summary>
    /// File descriptor in bad state: BPF_OBJ_GET_INFO_BY_FD on a descriptor that is not open (unlike every other
    /// command, which answers EBADF).
    /// </summary>
    EBADFD = 77,
    EOPNOTSUPP = 95,
    ENOTSUPP = 524,
}
