namespace SharpBpf.Runtime.Execution;

/// <summary>Why a run stopped with a <see cref="BpfRuntimeException"/>.</summary>
public enum BpfRuntimeErrorKind
{
    /// <summary>A load from memory outside every readable region of the run.</summary>
    OutOfBoundsLoad,

    /// <summary>A store to memory outside every writable region of the run.</summary>
    OutOfBoundsStore,

    /// <summary>An atomic read-modify-write on memory outside every readable and writable region of the run.</summary>
    OutOfBoundsAtomic,

    /// <summary>An atomic operation on an address that is not a multiple of its size.</summary>
    MisalignedAtomic,

    /// <summary>A bpf-to-bpf call beyond the maximum number of frames.</summary>
    CallDepthExceeded,

    /// <summary>The run executed more instructions than its budget allows.</summary>
    InstructionBudgetExceeded,

    /// <summary>An indirect call (<c>callx</c>) to a helper id the program's helper table does not have.</summary>
    UnknownHelper,

    /// <summary>Execution reached an instruction that cannot run (for example past the last instruction).</summary>
    InvalidInstruction,

    /// <summary>A helper refused its arguments.</summary>
    HelperFault,
}
