using SharpBpf.Asm;

namespace SharpBpf.Benchmarks.Interpreter;

/// <summary>
/// The bench programs of shared/bench/progs, written by hand in instructions (the same bytecode as clang-14 made
/// for the checked-in objects), so the interpreter is measured on exactly what uBPF was measured on.
/// </summary>
internal static class BenchPrograms
{
    /// <summary><c>alu_loop</c>: xorshift64 + multiply-mix, 1000 iterations; 21,010 instructions executed per run.</summary>
    public const long AluLoopExecuted = 21_010;

    /// <summary>What <c>alu_loop</c> returns (low 32 bits of r0).</summary>
    public const uint AluLoopResult = 190_592_439;

    /// <summary><c>nop</c>: 2 instructions.</summary>
    public const long NopExecuted = 2;

    public static Instruction[] AluLoop() => Encoder.Encode(
    [
        I(Op.Lddw, 1, imm: unchecked((long)0x9E3779B97F4A7C15)),
        I(Op.StxDW, 10, 1, off: -8),
        I(Op.Mov64Imm, 3, imm: 0),
        I(Op.Mov64Imm, 1, imm: -1),
        I(Op.LdxDW, 4, 10, off: -8),
        I(Op.Lddw, 2, imm: 0x2545F4914F6CDD1D),
        // loop (pc 8):
        I(Op.Mov64Reg, 5, 4),
        I(Op.Lsh64Imm, 5, imm: 13),
        I(Op.Xor64Reg, 5, 4),
        I(Op.Mov64Reg, 0, 5),
        I(Op.Rsh64Imm, 0, imm: 7),
        I(Op.Xor64Reg, 0, 5),
        I(Op.Mov64Reg, 4, 0),
        I(Op.Lsh64Imm, 4, imm: 17),
        I(Op.Xor64Reg, 4, 0),
        I(Op.Mov64Reg, 0, 4),
        I(Op.Mul64Reg, 0, 2),
        I(Op.Add64Reg, 0, 3),
        I(Op.Mov64Reg, 5, 0),
        I(Op.Rsh64Imm, 5, imm: 29),
        I(Op.Xor64Reg, 5, 0),
        I(Op.Mov64Reg, 3, 1),
        I(Op.Add64Reg, 3, 5),
        I(Op.Add64Imm, 3, imm: 1),
        I(Op.Add64Imm, 1, imm: 1),
        I(Op.Jeq64Imm, 1, off: 1, imm: 999),
        I(Op.Ja, off: -21),
        // done (pc 29):
        I(Op.Add64Reg, 5, 1),
        I(Op.Mov64Reg, 0, 5),
        I(Op.Rsh64Imm, 0, imm: 32),
        I(Op.Xor64Reg, 0, 5),
        I(Op.Exit),
    ]);

    public static Instruction[] Nop() => Encoder.Encode([I(Op.Mov64Imm, 0, imm: 2), I(Op.Exit)]);

    private static DecodedInstruction I(Op op, byte dst = 0, byte src = 0, short off = 0, long imm = 0) =>
        new(op, dst, src, off, imm, 0);
}
