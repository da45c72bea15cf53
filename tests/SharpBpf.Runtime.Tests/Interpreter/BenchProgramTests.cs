using SharpBpf.Asm;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Programs;
using static SharpBpf.Runtime.Tests.Interpreter.Asm;

namespace SharpBpf.Runtime.Tests.Interpreter;

/// <summary>
/// shared/bench/progs/alu_loop.o (clang-14) written out by hand: the interpreter must reproduce the kernel's result
/// and execute exactly the instruction count the bench notes give (21,010), which the budget lets us observe.
/// </summary>
public class BenchProgramTests
{
    private static readonly DecodedInstruction[] s_aluLoop =
    [
        Lddw(1, 0x9E3779B97F4A7C15),
        I(Op.StxDW, 10, 1, off: -8),
        Mov(3, 0),
        Mov(1, -1),
        I(Op.LdxDW, 4, 10, off: -8),
        Lddw(2, 0x2545F4914F6CDD1D),
        MovR(5, 4), I(Op.Lsh64Imm, 5, imm: 13), I(Op.Xor64Reg, 5, 4),
        MovR(0, 5), I(Op.Rsh64Imm, 0, imm: 7), I(Op.Xor64Reg, 0, 5),
        MovR(4, 0), I(Op.Lsh64Imm, 4, imm: 17), I(Op.Xor64Reg, 4, 0),
        MovR(0, 4), I(Op.Mul64Reg, 0, 2), I(Op.Add64Reg, 0, 3),
        MovR(5, 0), I(Op.Rsh64Imm, 5, imm: 29), I(Op.Xor64Reg, 5, 0),
        MovR(3, 1), I(Op.Add64Reg, 3, 5), I(Op.Add64Imm, 3, imm: 1),
        I(Op.Add64Imm, 1, imm: 1),
        I(Op.Jeq64Imm, 1, off: 1, imm: 999),
        I(Op.Ja, off: -21),
        I(Op.Add64Reg, 5, 1), MovR(0, 5), I(Op.Rsh64Imm, 0, imm: 32), I(Op.Xor64Reg, 0, 5),
        Exit(),
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AluLoop_Run_ReturnsKernelResult(bool trusted)
    {
        var program = InterpretedProgram.Create(Program(s_aluLoop), new ProgramOptions { Trusted = trusted });

        Assert.Equal(190_592_439u, (uint)program.Run(new RunState()));
    }

    [Fact]
    public void AluLoop_Budget_ExecutesExactly21010Instructions()
    {
        var exact = InterpretedProgram.Create(Program(s_aluLoop), new ProgramOptions { InstructionBudget = 21_010 });
        var short1 = InterpretedProgram.Create(Program(s_aluLoop), new ProgramOptions { InstructionBudget = 21_009 });

        Assert.Equal(190_592_439u, (uint)exact.Run(new RunState()));
        Assert.Throws<BpfRuntimeException>(() => short1.Run(new RunState()));
    }
}
