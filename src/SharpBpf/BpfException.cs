using SharpBpf.Abi;

namespace SharpBpf;

/// <summary>
/// A BPF command failed with an errno. The message names the command, the object and the reason, e.g.
/// <c>BPF_MAP_UPDATE_ELEM on map 'counts': E2BIG (index 7 >= max_entries 4)</c>.
/// </summary>
/// <remarks>
/// Thrown by the convenient API (<see cref="Maps.BpfMap"/>, the typed maps); the backends themselves return
/// <see cref="Abi.Errno"/> and never throw for bad arguments. Expected misses have <c>Try*</c> twins instead.
/// </remarks>
public class BpfException : Exception
{
    /// <summary>Creates an exception for <paramref name="errno"/> with a complete message.</summary>
    public BpfException(Errno errno, string message)
        : base(message)
    {
        Errno = errno;
    }

    /// <summary>Creates an exception for <paramref name="errno"/> with a complete message and a cause.</summary>
    public BpfException(Errno errno, string message, Exception? innerException)
        : base(message, innerException)
    {
        Errno = errno;
    }

    /// <summary>Creates an exception without an errno.</summary>
    public BpfException()
    {
    }

    /// <summary>Creates an exception without an errno.</summary>
    public BpfException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception without an errno.</summary>
    public BpfException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The errno the command returned (<see cref="Errno.None"/> if there was none).</summary>
    public Errno Errno { get; }

    /// <summary>The errno's name as the kernel spells it (<c>ENOTSUPP</c> for 524, <c>errno 75</c> for unnamed values).</summary>
    public static string ErrnoName(Errno errno) =>
        Enum.IsDefined(errno) ? errno.ToString() : $"errno {(int)errno}";
}
