using SharpBpf.Asm;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Programs;
using static SharpBpf.Runtime.Tests.Interpreter.Asm;

namespace SharpBpf.Runtime.Tests.Interpreter;

public class CreationTests
{
    private static BpfProgramException Refused(params DecodedInstruction[] insns) =>
        Assert.Throws<BpfProgramException>(() => Create(insns));

    [Fact]
    public void Create_Empty_Refused()
    {
        Assert.Throws<BpfProgramException>(() => InterpretedProgram.Create([]));
    }

    [Fact]
    public void Create_TooLarge_Refused()
    {
        var e = Assert.Throws<BpfProgramException>(() => InterpretedProgram.Create(
            Program(Mov(0, 0), Mov(0, 0), Exit()), new ProgramOptions { MaxSlots = 2 }));

        Assert.Contains("too large", e.Message);
    }

    [Theory]
    [InlineData(Op.LdAbsB)]
    [InlineData(Op.LdAbsW)]
    [InlineData(Op.LdIndH)]
    [InlineData(Op.LdIndW)]
    public void Create_LegacyPacketLoad_RefusedAsUnsupported(Op op)
    {
        var e = Refused(Mov(6, 0), I(op, imm: 0), Exit());

        Assert.Contains("ld_abs/ld_ind", e.Message);
        Assert.Equal(1, e.Pc);
    }

    [Fact]
    public void Create_Kfunc_Refused()
    {
        Assert.Contains("kfunc", Refused(I(Op.CallKfunc, src: 2, imm: 1234), Exit()).Message);
    }

    [Theory]
    [InlineData(PseudoKind.MapByFd)]
    [InlineData(PseudoKind.MapValueByFd)]
    [InlineData(PseudoKind.MapByIndex)]
    [InlineData(PseudoKind.MapValueByIndex)]
    public void Create_MapLddwWithoutResolver_Refused(PseudoKind kind)
    {
        var e = Refused(I(Op.Lddw, 0, (byte)kind, imm: 3), Exit());

        Assert.Contains("no map resolver", e.Message);
    }

    [Fact]
    public void Create_LddwBtfVariable_RefusedAsUnsupported()
    {
        Assert.Contains("not supported", Refused(I(Op.Lddw, 0, (byte)PseudoKind.Variable, imm: 3), Exit()).Message);
    }

    [Fact]
    public void Create_LddwCodeAddressIntoAnLddw_Refused()
    {
        // A code address (bpf_loop callbacks) must name an instruction, not the second half of an lddw.
        var e = Refused(I(Op.Lddw, 0, (byte)PseudoKind.CodeAddress, imm: 3), Exit(), I(Op.Lddw, 0, 0, imm: 1), Exit());

        Assert.Contains("middle", e.Message);
    }

    [Fact]
    public void Create_MapLddwWithResolver_LoadsResolvedValue()
    {
        var seen = new List<(PseudoKind, int, int)>();
        var program = InterpretedProgram.Create(
            Program(I(Op.Lddw, 0, (byte)PseudoKind.MapValueByIndex, imm: (16L << 32) | 2), Exit()),
            new ProgramOptions
            {
                LddwResolver = insn =>
                {
                    seen.Add((insn.Pseudo, insn.Imm32, insn.NextImm));
                    return 0x1000UL + (ulong)insn.NextImm;
                },
            });

        Assert.Equal(0x1010UL, program.Run(new RunState()));
        Assert.Equal([(PseudoKind.MapValueByIndex, 2, 16)], seen);
    }

    [Fact]
    public void Create_ResolverThrows_RefusedNamingPc()
    {
        var e = Assert.Throws<BpfProgramException>(() => InterpretedProgram.Create(
            Program(Mov(0, 0), I(Op.Lddw, 1, (byte)PseudoKind.MapByFd, imm: 99), Exit()),
            new ProgramOptions { LddwResolver = _ => throw new KeyNotFoundException("no map with fd 99") }));

        Assert.Equal(1, e.Pc);
        Assert.Contains("no map with fd 99", e.Message);
    }

    [Fact]
    public void Create_JumpOutOfRange_Refused()
    {
        Assert.Contains("out of range", Refused(I(Op.Ja, off: 5), Exit()).Message);
        Assert.Contains("out of range", Refused(I(Op.Ja, off: -2), Exit()).Message);
    }

    [Fact]
    public void Create_JumpIntoLddw_Refused()
    {
        var e = Refused(I(Op.Ja, off: 1), Lddw(0, 1), Exit());

        Assert.Contains("middle of", e.Message);
        Assert.Equal(0, e.Pc);
    }

    [Fact]
    public void Create_LocalCallOutOfRange_Refused()
    {
        Assert.Contains("out of range", Refused(I(Op.CallLocal, src: 1, imm: 10), Exit()).Message);
    }

    [Fact]
    public void Create_FallsOffTheEnd_Refused()
    {
        var e = Refused(Mov(0, 0));

        Assert.Contains("fall off the end", e.Message);
        Assert.Equal(0, e.Pc);
    }

    [Fact]
    public void Create_FunctionNotEndingInExit_Refused()
    {
        // The main function (pc 0-1) runs into the callee.
        var e = Refused(Mov(0, 1), I(Op.CallLocal, src: 1, imm: 0), Exit());

        Assert.Contains("fall off the end", e.Message);
        Assert.Equal(1, e.Pc);
    }

    [Fact]
    public void Create_JumpLeavingItsFunction_Refused()
    {
        var e = Refused(I(Op.CallLocal, src: 1, imm: 1), Exit(), I(Op.Ja, off: -3), Exit());

        Assert.Contains("out of its function", e.Message);
        Assert.Equal(2, e.Pc);
    }

    [Fact]
    public void Create_TruncatedLddw_Refused()
    {
        var slots = Program(Mov(0, 0), Exit(), Lddw(0, 5));

        Assert.Throws<BpfProgramException>(() => InterpretedProgram.Create(slots.AsSpan(0, 3)));
    }

    [Fact]
    public void Create_UnknownOpcode_Refused()
    {
        var slots = new[] { new Instruction(0xff, 0, 0, 0, 0), new Instruction(0x95, 0, 0, 0, 0) };

        Assert.Contains("unknown opcode 0xff", Assert.Throws<BpfProgramException>(() => InterpretedProgram.Create(slots)).Message);
    }

    [Fact]
    public void Run_InfiniteLoop_StopsAtBudget()
    {
        var program = InterpretedProgram.Create(Program(I(Op.Ja, off: -1), Exit()),
            new ProgramOptions { InstructionBudget = 1000 });

        var e = Assert.Throws<BpfRuntimeException>(() => program.Run(new RunState()));

        Assert.Equal(BpfRuntimeErrorKind.InstructionBudgetExceeded, e.Kind);
        Assert.Equal(0, e.Pc);
    }

    [Fact]
    public void Run_ExactlyTheBudget_Succeeds()
    {
        var program = InterpretedProgram.Create(Program(Mov(0, 1), Mov(0, 2), Exit()),
            new ProgramOptions { InstructionBudget = 3 });

        Assert.Equal(2UL, program.Run(new RunState()));
    }

    [Fact]
    public void Run_OneOverTheBudget_Stops()
    {
        var program = InterpretedProgram.Create(Program(Mov(0, 1), Mov(0, 2), Exit()),
            new ProgramOptions { InstructionBudget = 2 });

        Assert.Throws<BpfRuntimeException>(() => program.Run(new RunState()));
    }
}
