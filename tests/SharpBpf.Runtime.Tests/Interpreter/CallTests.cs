using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Helpers;
using SharpBpf.Runtime.Programs;
using static SharpBpf.Runtime.Tests.Interpreter.Asm;

namespace SharpBpf.Runtime.Tests.Interpreter;

public unsafe class CallTests
{
    [Fact]
    public void CallLocal_CalleeClobbersR6ToR9_CallerSeesThemRestored()
    {
        var r0 = Run(
            Mov(6, 6), Mov(7, 7), Mov(8, 8), Mov(9, 9), Mov(1, 100),
            I(Op.CallLocal, src: 1, imm: 5),
            // r0 = callee result + r6 + r7 + r8 + r9
            I(Op.Add64Reg, 0, 6), I(Op.Add64Reg, 0, 7), I(Op.Add64Reg, 0, 8), I(Op.Add64Reg, 0, 9),
            Exit(),
            // callee: r0 = r1 + 1; zero r6-r9
            MovR(0, 1), I(Op.Add64Imm, 0, imm: 1), Mov(6, 0), Mov(7, 0), Mov(8, 0), Mov(9, 0), Exit());

        Assert.Equal(101UL + 6 + 7 + 8 + 9, r0);
    }

    [Fact]
    public void CallLocal_EachFrame_HasItsOwnStack()
    {
        var r0 = Run(
            Mov(0, 0x55), I(Op.StxW, 10, 0, off: -4),
            I(Op.CallLocal, src: 1, imm: 2),
            I(Op.LdxW, 0, 10, off: -4),
            Exit(),
            Mov(0, 0x66), I(Op.StxW, 10, 0, off: -4), Exit());

        Assert.Equal(0x55UL, r0);
    }

    [Fact]
    public void CallLocal_CalleeReadsCallerStackThroughPointer()
    {
        var r0 = Run(
            Mov(1, 0x77), I(Op.StxDW, 10, 1, off: -8),
            MovR(1, 10), I(Op.Add64Imm, 1, imm: -8),
            I(Op.CallLocal, src: 1, imm: 1),
            Exit(),
            I(Op.LdxDW, 0, 1), Exit());

        Assert.Equal(0x77UL, r0);
    }

    [Fact]
    public void CallLocal_CallerFrameGone_AfterReturnCalleeStackIsOutside()
    {
        // The callee returns its own r10; the caller then writes there, below its own frame.
        var e = Assert.Throws<BpfRuntimeException>(() => Run(
            I(Op.CallLocal, src: 1, imm: 3),
            I(Op.StB, 0, off: -1, imm: 1),
            Mov(0, 0),
            Exit(),
            MovR(0, 10), Exit()));

        Assert.Equal(BpfRuntimeErrorKind.OutOfBoundsStore, e.Kind);
    }

    // A chain of `depth` nested local calls (function k calls function k+1); the last returns 7.
    private static DecodedInstruction[] Chain(int calls)
    {
        var insns = new List<DecodedInstruction>();
        for (var k = 0; k < calls; k++)
        {
            insns.Add(I(Op.CallLocal, src: 1, imm: 1));
            insns.Add(Exit());
        }

        insns.Add(Mov(0, 7));
        insns.Add(Exit());
        return [.. insns];
    }

    [Fact]
    public void CallLocal_EightFrames_Allowed()
    {
        Assert.Equal(7UL, Run(Chain(RunState.MaxFrames - 1)));
    }

    [Fact]
    public void CallLocal_NineFrames_StopsWithCallDepth()
    {
        var e = Assert.Throws<BpfRuntimeException>(() => Run(Chain(RunState.MaxFrames)));

        Assert.Equal(BpfRuntimeErrorKind.CallDepthExceeded, e.Kind);
        Assert.Equal(2 * (RunState.MaxFrames - 1), e.Pc);
    }

    [Fact]
    public void CallLocal_Recursion_StopsWithCallDepth()
    {
        var e = Assert.Throws<BpfRuntimeException>(() => Run(I(Op.CallLocal, src: 1, imm: -1), Exit()));

        Assert.Equal(BpfRuntimeErrorKind.CallDepthExceeded, e.Kind);
    }

    [Fact]
    public void CallHelper_GatherBytes_PassesR1ToR5()
    {
        var r0 = Run(Mov(1, 1), Mov(2, 2), Mov(3, 3), Mov(4, 4), Mov(5, 5), I(Op.Call, imm: 0), Exit());

        Assert.Equal(0x01_0203_0405UL, r0);
    }

    [Fact]
    public void CallHelper_R6ToR9_Preserved_R1ToR5_Clobbered()
    {
        var r0 = Run(
            Mov(1, 1), Mov(2, 2), Mov(3, 3), Mov(4, 4), Mov(5, 5), Mov(6, 6), Mov(7, 7), Mov(8, 8), Mov(9, 9),
            I(Op.Call, imm: 2),
            MovR(0, 6), I(Op.Add64Reg, 0, 7), I(Op.Add64Reg, 0, 8), I(Op.Add64Reg, 0, 9),
            I(Op.Add64Reg, 0, 1), I(Op.Add64Reg, 0, 2), I(Op.Add64Reg, 0, 3), I(Op.Add64Reg, 0, 4), I(Op.Add64Reg, 0, 5),
            Exit());

        Assert.Equal(30UL, r0);
    }

    [Fact]
    public void CallHelper_MemfrobOnStack_ChangesStackBytes()
    {
        var r0 = Run(
            Mov(1, 0), I(Op.StxDW, 10, 1, off: -8),
            MovR(1, 10), I(Op.Add64Imm, 1, imm: -8), Mov(2, 2),
            I(Op.Call, imm: 1),
            I(Op.LdxDW, 0, 10, off: -8),
            Exit());

        Assert.Equal(0x2a2aUL, r0);
    }

    [Fact]
    public void CallHelper_MemfrobOutsideRegions_StopsNamingTheCall()
    {
        var e = Assert.Throws<BpfRuntimeException>(() => Run(
            MovR(1, 10), Mov(2, 1), I(Op.Call, imm: 1), Exit()));

        Assert.Equal(BpfRuntimeErrorKind.OutOfBoundsStore, e.Kind);
        Assert.Equal(2, e.Pc);
    }

    [Fact]
    public void CallHelper_FaultAfterLddw_NamesTheCallsSlotIndex()
    {
        // The lddw takes two slots, so the call is logical instruction 3 but slot 4.
        var e = Assert.Throws<BpfRuntimeException>(() => Run(
            Lddw(6, 1), MovR(1, 10), Mov(2, 1), I(Op.Call, imm: 1), Exit()));

        Assert.Equal(4, e.Pc);
        Assert.StartsWith("pc 4:", e.Message);
    }

    [Fact]
    public void CallHelper_UnwindWithZero_EndsProgramWithZero()
    {
        Assert.Equal(0UL, Run(Mov(1, 0), I(Op.Call, imm: 5), Mov(0, 2), Exit()));
    }

    [Fact]
    public void CallHelper_UnwindWithNonZero_Continues()
    {
        Assert.Equal(2UL, Run(Mov(1, -1), I(Op.Call, imm: 5), Mov(0, 2), Exit()));
    }

    [Fact]
    public void CallHelper_UnwindInsideLocalCall_EndsWholeProgram()
    {
        var r0 = Run(I(Op.CallLocal, src: 1, imm: 2), Mov(0, 9), Exit(), Mov(1, 0), I(Op.Call, imm: 5), Mov(0, 3), Exit());

        Assert.Equal(0UL, r0);
    }

    [Fact]
    public void Callx_RegisterHoldsHelperId_CallsIt()
    {
        Assert.Equal(0x01_0000_0000UL, Run(Mov(1, 1), Mov(2, 0), Mov(3, 0), Mov(4, 0), Mov(5, 0), Mov(6, 0), I(Op.Callx, dst: 6), Exit()));
    }

    [Fact]
    public void Callx_UnknownId_StopsAtRunTime()
    {
        var e = Assert.Throws<BpfRuntimeException>(() => Run(Mov(6, 63), I(Op.Callx, dst: 6), Exit()));

        Assert.Equal(BpfRuntimeErrorKind.UnknownHelper, e.Kind);
        Assert.Equal(1, e.Pc);
        Assert.Contains("63", e.Message);
    }

    [Fact]
    public void Call_UnknownHelper_RefusedAtCreationWithName()
    {
        var e = Assert.Throws<BpfProgramException>(() => Create(I(Op.Call, imm: 64), Exit()));

        Assert.Contains("unknown helper 64 (bpf_bind)", e.Message);
        Assert.Equal(0, e.Pc);
    }

    [Fact]
    public void DefaultTable_GetSmpProcessorId_ReturnsStateCpu()
    {
        var program = InterpretedProgram.Create(Program(I(Op.Call, imm: (int)HelperId.GetSmpProcessorId), Exit()));

        Assert.Equal(3UL, program.Run(new RunState(cpu: 3)));
    }

    [Fact]
    public void DefaultTable_Helpers_AreRegisteredUnderLinuxIdsAndNames()
    {
        var table = HelperTable.CreateDefault();

        Assert.Equal([(int)HelperId.KtimeGetNs, (int)HelperId.GetPrandomU32, (int)HelperId.GetSmpProcessorId], table.Ids);
        Assert.Equal("bpf_ktime_get_ns", table.NameOf((int)HelperId.KtimeGetNs));
    }

    [Fact]
    public void DefaultTable_KtimeGetNs_IsMonotonic()
    {
        var program = InterpretedProgram.Create(Program(I(Op.Call, imm: (int)HelperId.KtimeGetNs), Exit()));
        var state = new RunState();

        var first = program.Run(state);
        var second = program.Run(state);

        Assert.True(second >= first && first > 0);
    }

    [Fact]
    public void DefaultTable_DoesNotHaveTestHelpers()
    {
        Assert.False(HelperTable.CreateDefault().Contains(0));
        Assert.Throws<BpfProgramException>(() => InterpretedProgram.Create(Program(I(Op.Call, imm: 0), Exit())));
    }

    private static ulong AddR1R2(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5) => r1 + r2;

    [Fact]
    public void HelperTable_CustomHelper_IsCalled()
    {
        var table = new HelperTable();
        table.Register(1000, &AddR1R2, "add");
        var program = InterpretedProgram.Create(
            Program(Mov(1, 40), Mov(2, 2), I(Op.Call, imm: 1000), Exit()),
            new ProgramOptions { Helpers = table });

        Assert.Equal(42UL, program.Run(new RunState()));
        Assert.Equal("add", table.NameOf(1000));
    }
}
