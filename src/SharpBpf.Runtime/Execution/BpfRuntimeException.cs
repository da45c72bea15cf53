namespace SharpBpf.Runtime.Execution;

/// <summary>
/// A program run stopped because the program did something the runtime does not allow: touched memory outside its
/// regions, called too deep, ran out of its instruction budget, called an unknown helper indirectly. The host
/// process is unaffected; the <see cref="RunState"/> can be reused for the next run.
/// </summary>
public sealed class BpfRuntimeException : Exception
{
    /// <summary>Creates the exception with a message and its details.</summary>
    public BpfRuntimeException(string message, BpfRuntimeErrorKind kind, int pc, ulong address = 0, int size = 0)
        : base(message)
    {
        Kind = kind;
        Pc = pc;
        Address = address;
        Size = size;
    }

    /// <summary>Creates the exception with a message (kind <see cref="BpfRuntimeErrorKind.HelperFault"/>, no pc).</summary>
    public BpfRuntimeException(string message)
        : this(message, BpfRuntimeErrorKind.HelperFault, -1)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public BpfRuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = BpfRuntimeErrorKind.HelperFault;
        Pc = -1;
    }

    /// <summary>Creates the exception with a default message.</summary>
    public BpfRuntimeException()
        : this("BPF program run failed")
    {
    }

    /// <summary>Why the run stopped.</summary>
    public BpfRuntimeErrorKind Kind { get; }

    /// <summary>The slot index of the faulting instruction, or -1 when no instruction is to blame.</summary>
    public int Pc { get; }

    /// <summary>For memory faults, the first address of the access.</summary>
    public ulong Address { get; }

    /// <summary>For memory faults, the size of the access in bytes.</summary>
    public int Size { get; }
}
