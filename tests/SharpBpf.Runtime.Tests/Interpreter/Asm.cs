using SharpBpf.Asm;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Helpers;
using SharpBpf.Runtime.Programs;

namespace SharpBpf.Runtime.Tests.Interpreter;

/// <summary>Hand-built instructions for interpreter tests (encoded through the Asm encoder).</summary>
internal static class Asm
{
    public static DecodedInstruction I(Op op, byte dst = 0, byte src = 0, short off = 0, long imm = 0) =>
        new(op, dst, src, off, imm, 0);

    public static DecodedInstruction Mov(byte dst, long imm) => I(Op.Mov64Imm, dst, imm: imm);

    public static DecodedInstruction MovR(byte dst, byte src) => I(Op.Mov64Reg, dst, src);

    public static DecodedInstruction Lddw(byte dst, ulong value) => I(Op.Lddw, dst, imm: (long)value);

    public static DecodedInstruction Exit() => I(Op.Exit);

    public static Instruction[] Program(params DecodedInstruction[] insns) => Encoder.Encode(insns);

    /// <summary>Creates and runs a program (no memory) with an instruction budget, returning r0.</summary>
    public static ulong Run(params DecodedInstruction[] insns) => Run(new RunState(), insns);

    public static ulong Run(RunState state, params DecodedInstruction[] insns) =>
        Create(insns).Run(state);

    public static InterpretedProgram Create(params DecodedInstruction[] insns) =>
        InterpretedProgram.Create(Program(insns), new ProgramOptions
        {
            Helpers = TestHelpers.CreateTable(),
            InstructionBudget = 100_000,
        });
}
