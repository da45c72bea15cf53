namespace SharpBpf.Asm;

/// <summary>What structural rule a program broke (see <see cref="Validator"/>).</summary>
public enum ValidationErrorKind
{
    /// <summary>The program has no instructions.</summary>
    EmptyProgram,

    /// <summary>The program has more slots than <see cref="ValidationOptions.MaxSlots"/>.</summary>
    ProgramTooLarge,

    /// <summary>The opcode, or the field that selects the operation (offset of div/mod/mov, src of call, imm of byte swaps and atomics), has no meaning.</summary>
    UnknownOpcode,

    /// <summary>The instruction is defined but switched off by <see cref="ValidationOptions"/>.</summary>
    UnsupportedInstruction,

    /// <summary>A field the instruction does not use is not zero.</summary>
    ReservedFieldNotZero,

    /// <summary>A register field names a register above r10.</summary>
    InvalidRegister,

    /// <summary>The instruction writes the read-only frame pointer r10.</summary>
    FramePointerWrite,

    /// <summary>The <c>lddw</c> occupies the last slot, so its second half is missing.</summary>
    TruncatedLddw,

    /// <summary>The <c>lddw</c> has an unknown pseudo kind (src) or a second slot with non-zero opcode, registers or offset.</summary>
    InvalidLddw,

    /// <summary>A jump lands outside the program.</summary>
    JumpOutOfRange,

    /// <summary>A jump or call lands on the second slot of an <c>lddw</c>.</summary>
    JumpIntoLddw,

    /// <summary>A jump leaves the function (BPF-to-BPF subprogram) it is in.</summary>
    JumpOutOfFunction,

    /// <summary>A local call, or an <c>lddw</c> code address, names a slot outside the program or inside an <c>lddw</c>; or a helper call names an unknown helper.</summary>
    InvalidCallTarget,

    /// <summary>Control can run past the last instruction of the program or of a function (it does not end with <c>exit</c> or an unconditional jump).</summary>
    FallsOffEnd,
}
