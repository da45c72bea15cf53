using SharpBpf.Abi;

namespace SharpBpf;

/// <summary>
/// BPF_PROG_LOAD refused a program: the errno, a message naming the program, and the whole verifier or loader log
/// (<see cref="Log"/>), whose last line is usually the reason.
/// </summary>
public class BpfVerifierException : BpfException
{
    /// <summary>Creates the exception for <paramref name="errno"/> with a message and the load log.</summary>
    public BpfVerifierException(Errno errno, string message, string log)
        : base(errno, message)
    {
        Log = log ?? "";
    }

    /// <summary>Creates the exception without an errno.</summary>
    public BpfVerifierException()
    {
        Log = "";
    }

    /// <summary>Creates the exception without an errno.</summary>
    public BpfVerifierException(string message)
        : base(message)
    {
        Log = "";
    }

    /// <summary>Creates the exception without an errno.</summary>
    public BpfVerifierException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Log = "";
    }

    /// <summary>The verifier or loader log (may be empty).</summary>
    public string Log { get; }
}
