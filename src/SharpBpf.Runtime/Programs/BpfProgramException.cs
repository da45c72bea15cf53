namespace SharpBpf.Runtime.Programs;

/// <summary>
/// A program was refused when it was created: it is malformed (unknown opcode, bad register, jump out of range,
/// ...) or uses something this runtime does not offer (an unknown helper, legacy packet loads, kfunc calls, a map
/// reference without a resolver). Nothing was run.
/// </summary>
public sealed class BpfProgramException : Exception
{
    /// <summary>Creates the exception for the instruction at slot <paramref name="pc"/> (-1: the whole program).</summary>
    public BpfProgramException(string message, int pc)
        : base(message)
    {
        Pc = pc;
    }

    /// <summary>Creates the exception with a message (no pc).</summary>
    public BpfProgramException(string message)
        : this(message, -1)
    {
    }

    /// <summary>Creates the exception with a message and the cause.</summary>
    public BpfProgramException(string message, Exception innerException)
        : base(message, innerException)
    {
        Pc = -1;
    }

    /// <summary>Creates the exception with a default message.</summary>
    public BpfProgramException()
        : this("invalid BPF program")
    {
    }

    /// <summary>The slot index of the offending instruction, or -1 when the program as a whole is at fault.</summary>
    public int Pc { get; }
}
