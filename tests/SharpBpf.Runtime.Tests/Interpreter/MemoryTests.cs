using System.Runtime.InteropServices;
using SharpBpf.Asm;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Programs;
using static SharpBpf.Runtime.Tests.Interpreter.Asm;

namespace SharpBpf.Runtime.Tests.Interpreter;

public class MemoryTests
{
    [Fact]
    public void Run_WithMemory_PassesPointerAndLength()
    {
        var memory = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        var program = Create(MovR(0, 2), Exit());

        Assert.Equal(9UL, program.Run(new RunState(), memory));
    }

    [Fact]
    public void Run_WithoutMemory_R1AndR2AreZero()
    {
        var program = Create(MovR(0, 1), I(Op.Or64Reg, 0, 2), Exit());

        Assert.Equal(0UL, program.Run(new RunState(), Span<byte>.Empty));
    }

    [Fact]
    public void Loads_AllWidths_ZeroOrSignExtend()
    {
        var memory = new byte[] { 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88 };
        ulong Load(Op op) => Create(I(op, 0, 1), Exit()).Run(new RunState(), memory);

        Assert.Equal(0x81UL, Load(Op.LdxB));
        Assert.Equal(0x8281UL, Load(Op.LdxH));
        Assert.Equal(0x8483_8281UL, Load(Op.LdxW));
        Assert.Equal(0x8887_8685_8483_8281UL, Load(Op.LdxDW));
        Assert.Equal(0xffff_ffff_ffff_ff81UL, Load(Op.LdxsB));
        Assert.Equal(0xffff_ffff_ffff_8281UL, Load(Op.LdxsH));
        Assert.Equal(0xffff_ffff_8483_8281UL, Load(Op.LdxsW));
    }

    [Fact]
    public void Stores_IntoMemory_AreVisibleToTheCaller()
    {
        var memory = new byte[16];
        var program = Create(
            I(Op.StB, 1, off: 0, imm: 0x11),
            I(Op.StH, 1, off: 1, imm: 0x3322),
            I(Op.StW, 1, off: 3, imm: 0x77665544),
            I(Op.StDW, 1, off: 8, imm: -2),
            Mov(0, 0),
            Exit());

        program.Run(new RunState(), memory);

        Assert.Equal(new byte[] { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0 }, memory[..8]);
        Assert.Equal(0xffff_ffff_ffff_fffeUL, BitConverter.ToUInt64(memory, 8));
    }

    [Fact]
    public void Stack_StoreThenLoad_RoundTrips()
    {
        var r0 = Run(Lddw(1, 0x0102_0304_0506_0708), I(Op.StxDW, 10, 1, off: -8), I(Op.LdxW, 0, 10, off: -4), Exit());

        Assert.Equal(0x0102_0304UL, r0);
    }

    [Fact]
    public void Stack_Lowest512thByte_IsAccessible()
    {
        var r0 = Run(I(Op.StB, 10, off: -512, imm: 7), I(Op.LdxB, 0, 10, off: -512), Exit());

        Assert.Equal(7UL, r0);
    }

    [Theory]
    [InlineData(-513, 1)] // below the frame (stack overflow)
    [InlineData(0, 1)] // at r10 (stack underflow: past the top)
    [InlineData(-4, 8)] // straddles the top
    public void Stack_OutsideFrame_StopsWithOutOfBoundsStore(short offset, int size)
    {
        var op = size == 1 ? Op.StB : Op.StDW;
        var state = new RunState();

        var e = Assert.Throws<BpfRuntimeException>(() => Run(state, I(op, 10, off: offset, imm: 1), Mov(0, 0), Exit()));

        Assert.Equal(BpfRuntimeErrorKind.OutOfBoundsStore, e.Kind);
        Assert.Equal(0, e.Pc);
        Assert.Equal(state.StackTop + (ulong)(long)offset, e.Address);
        Assert.Equal(size, e.Size);
        Assert.Contains("pc 0", e.Message);
        Assert.Contains($"0x{e.Address:x}", e.Message);
    }

    [Fact]
    public void Load_OneBytePastTheData_Stops()
    {
        var memory = new byte[4];
        var program = Create(Mov(0, 0), I(Op.LdxB, 0, 1, off: 4), Exit());

        var e = Assert.Throws<BpfRuntimeException>(() => program.Run(new RunState(), memory));

        Assert.Equal(BpfRuntimeErrorKind.OutOfBoundsLoad, e.Kind);
        Assert.Equal(1, e.Pc);
        Assert.Equal(1, e.Size);
    }

    [Fact]
    public void Load_WordOverlappingTheEnd_Stops()
    {
        var memory = new byte[6];
        var program = Create(I(Op.LdxW, 0, 1, off: 3), Exit());

        var e = Assert.Throws<BpfRuntimeException>(() => program.Run(new RunState(), memory));

        Assert.Equal(BpfRuntimeErrorKind.OutOfBoundsLoad, e.Kind);
    }

    [Fact]
    public void Load_LastWordOfTheData_Succeeds()
    {
        var memory = new byte[] { 0, 0, 1, 2, 3, 4 };
        var program = Create(I(Op.LdxW, 0, 1, off: 2), Exit());

        Assert.Equal(0x0403_0201UL, program.Run(new RunState(), memory));
    }

    [Fact]
    public void Load_TinyRegion_ByteInsideWorksWordFails()
    {
        // Regions shorter than 8 bytes are never cached; the slow path must still be exact.
        var memory = new byte[] { 0x2a, 0x2b };
        Assert.Equal(0x2bUL, Create(I(Op.LdxB, 0, 1, off: 1), Exit()).Run(new RunState(), memory));
        Assert.Throws<BpfRuntimeException>(() => Create(I(Op.LdxW, 0, 1), Exit()).Run(new RunState(), memory));
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(0xdead_beef_0000UL)]
    [InlineData(ulong.MaxValue)]
    [InlineData(0xffff_ffff_ffff_fff9UL)]
    public void Load_WildPointer_StopsWithoutTouchingIt(ulong address)
    {
        var e = Assert.Throws<BpfRuntimeException>(() => Run(Lddw(1, address), I(Op.LdxDW, 0, 1), Exit()));

        Assert.Equal(BpfRuntimeErrorKind.OutOfBoundsLoad, e.Kind);
        Assert.Equal(address, e.Address);
    }

    [Fact]
    public void Store_AddressJustBelowARegion_Stops()
    {
        // "address - start" wraps to a huge number; it must not be taken as inside.
        var memory = new byte[64];
        var program = Create(I(Op.StB, 1, off: -1, imm: 0), Mov(0, 0), Exit());

        var e = Assert.Throws<BpfRuntimeException>(() => program.Run(new RunState(), memory));

        Assert.Equal(BpfRuntimeErrorKind.OutOfBoundsStore, e.Kind);
    }

    [Fact]
    public unsafe void Store_ReadOnlyRegion_StopsButLoadWorks()
    {
        var data = GC.AllocateArray<byte>(16, pinned: true);
        data[3] = 9;
        var address = (ulong)(nint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref data[0]);
        var options = new ProgramOptions { Regions = [new MemoryRegion(address, 16, MemoryAccess.Read)] };
        var load = InterpretedProgram.Create(Program(Lddw(1, address), I(Op.LdxB, 0, 1, off: 3), Exit()), options);
        var store = InterpretedProgram.Create(Program(Lddw(1, address), I(Op.StB, 1, off: 3, imm: 1), Mov(0, 0), Exit()), options);

        Assert.Equal(9UL, load.Run(new RunState()));
        var e = Assert.Throws<BpfRuntimeException>(() => store.Run(new RunState()));
        Assert.Equal(BpfRuntimeErrorKind.OutOfBoundsStore, e.Kind);
        Assert.Equal(9, data[3]);
    }

    [Fact]
    public unsafe void PacketRegion_SetThenCleared_AccessibleOnlyWhileSet()
    {
        var packet = GC.AllocateArray<byte>(32, pinned: true);
        packet[31] = 0x5a;
        var address = (nint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref packet[0]);
        var program = Create(Lddw(1, (ulong)address), I(Op.LdxB, 0, 1, off: 31), Exit());
        var state = new RunState();

        state.SetPacket(address, 32, MemoryAccess.Read);
        Assert.Equal(0x5aUL, program.Run(state));

        state.ClearPacket();
        Assert.Throws<BpfRuntimeException>(() => program.Run(state));
    }

    [Fact]
    public void CheckAccess_ForHelperAuthors_FollowsTheRegions()
    {
        var state = new RunState();

        Assert.True(state.TryCheckAccess(state.StackTop - 8, 8, write: true));
        Assert.False(state.TryCheckAccess(state.StackTop - 4, 8, write: false));
        Assert.True(state.TryCheckAccess(0, 0, write: true)); // nothing to touch
        Assert.Throws<BpfRuntimeException>(() => state.CheckAccess(state.StackTop, 1, write: false));
    }

    [Fact]
    public void Trusted_ValidAccesses_SameResults()
    {
        var memory = new byte[] { 5, 0, 0, 0, 0, 0, 0, 0 };
        var program = InterpretedProgram.Create(
            Program(I(Op.LdxDW, 0, 1), I(Op.StxDW, 10, 0, off: -8), I(Op.LdxDW, 0, 10, off: -8), I(Op.Add64Imm, 0, imm: 1), Exit()),
            new ProgramOptions { Trusted = true });

        Assert.Equal(6UL, program.Run(new RunState(), memory));
    }

    [Fact]
    public void RunState_AfterAFault_IsReusable()
    {
        var state = new RunState();
        var bad = Create(I(Op.LdxB, 0, 10, off: 1), Exit());
        var good = Create(I(Op.StB, 10, off: -1, imm: 3), I(Op.LdxB, 0, 10, off: -1), Exit());

        Assert.Throws<BpfRuntimeException>(() => bad.Run(state));

        Assert.Equal(3UL, good.Run(state));
    }

    public static TheoryData<Op, ulong, ulong, ulong, ulong> AtomicCases => new()
    {
        // op, memory before, src, expected memory after, expected src after (r0 for cmpxchg)
        { Op.AtomicAdd64, 10, 5, 15, 5 },
        { Op.AtomicFetchAdd64, 10, 5, 15, 10 },
        { Op.AtomicOr64, 0xf0, 0x0f, 0xff, 0x0f },
        { Op.AtomicFetchOr64, 0xf0, 0x0f, 0xff, 0xf0 },
        { Op.AtomicAnd64, 0xff, 0x0f, 0x0f, 0x0f },
        { Op.AtomicFetchAnd64, 0xff, 0x0f, 0x0f, 0xff },
        { Op.AtomicXor64, 0xff, 0x0f, 0xf0, 0x0f },
        { Op.AtomicFetchXor64, 0xff, 0x0f, 0xf0, 0xff },
        { Op.AtomicXchg64, 1, 2, 2, 1 },
        { Op.AtomicAdd32, 0xffff_ffff, 1, 0, 1 },
        // 32-bit fetch results are zero-extended.
        { Op.AtomicFetchAdd32, 0xffff_fffe, 1, 0xffff_ffff, 0xffff_fffe },
        { Op.AtomicFetchOr32, 0x8000_0000, 1, 0x8000_0001, 0x8000_0000 },
        { Op.AtomicFetchAnd32, 0xffff_ffff, 0xf, 0xf, 0xffff_ffff },
        { Op.AtomicFetchXor32, 0x8000_0000, 1, 0x8000_0001, 0x8000_0000 },
        { Op.AtomicXchg32, 0x8000_0000, 7, 7, 0x8000_0000 },
    };

    [Theory]
    [MemberData(nameof(AtomicCases))]
    public void Atomic_OnStack_UpdatesMemoryAndFetches(Op op, ulong before, ulong src, ulong after, ulong fetched)
    {
        var is32 = op.ToString().EndsWith("32", StringComparison.Ordinal);
        var r0 = Run(
            Lddw(1, before), I(Op.StxDW, 10, 1, off: -8),
            Lddw(2, src), I(op, 10, 2, off: -8),
            I(is32 ? Op.LdxW : Op.LdxDW, 3, 10, off: -8),
            // r0 = (memory after == expected) && (src after == expected)
            Mov(0, 0),
            Lddw(4, after), I(Op.Jne64Reg, 3, 4, off: 3),
            Lddw(4, fetched), I(Op.Jne64Reg, 2, 4, off: 1),
            Mov(0, 1),
            Exit());

        Assert.Equal(1UL, r0);
    }

    [Theory]
    [InlineData(Op.AtomicCmpXchg64, 5UL, 5UL, 9UL, 5UL)] // equal: stores src, r0 = old
    [InlineData(Op.AtomicCmpXchg64, 5UL, 6UL, 5UL, 5UL)] // different: unchanged, r0 = old
    [InlineData(Op.AtomicCmpXchg32, 0x8000_0005UL, 0xffff_ffff_8000_0005UL, 9UL, 0x8000_0005UL)] // compares low halves, zero-extends r0
    public void CmpXchg_OnStack_ComparesR0(Op op, ulong memory, ulong r0Before, ulong memoryAfter, ulong r0After)
    {
        var state = new RunState();
        var program = Create(
            Lddw(1, memory), I(Op.StxDW, 10, 1, off: -8), Lddw(0, r0Before), Mov(2, 9),
            I(op, 10, 2, off: -8),
            I(op == Op.AtomicCmpXchg32 ? Op.LdxW : Op.LdxDW, 0, 10, off: -8),
            Exit());

        var memAfter = program.Run(state);
        var r0 = Run(
            Lddw(1, memory), I(Op.StxDW, 10, 1, off: -8), Lddw(0, r0Before), Mov(2, 9),
            I(op, 10, 2, off: -8), Exit());

        Assert.Equal(memoryAfter, memAfter);
        Assert.Equal(r0After, r0);
    }

    [Fact]
    public void Atomic_Misaligned_Stops()
    {
        var e = Assert.Throws<BpfRuntimeException>(() =>
            Run(Mov(1, 0), I(Op.StxDW, 10, 1, off: -16), I(Op.StxDW, 10, 1, off: -8), Mov(2, 1),
                I(Op.AtomicAdd64, 10, 2, off: -12), Mov(0, 0), Exit()));

        Assert.Equal(BpfRuntimeErrorKind.MisalignedAtomic, e.Kind);
        Assert.Equal(4, e.Pc);
    }

    [Fact]
    public void Atomic_OutsideRegions_Stops()
    {
        var e = Assert.Throws<BpfRuntimeException>(() => Run(Mov(1, 64), Mov(2, 1), I(Op.AtomicAdd64, 1, 2), Mov(0, 0), Exit()));

        Assert.Equal(BpfRuntimeErrorKind.OutOfBoundsAtomic, e.Kind);
    }

    [Fact]
    public void Atomic_OnContextMemory_IsRealAndVisible()
    {
        var memory = new byte[16];
        MemoryMarshal.Write(memory.AsSpan(8), 40L);
        var program = Create(Mov(2, 2), I(Op.AtomicFetchAdd64, 1, 2, off: 8), MovR(0, 2), Exit());

        Assert.Equal(40UL, program.Run(new RunState(), memory));
        Assert.Equal(42L, MemoryMarshal.Read<long>(memory.AsSpan(8)));
    }
}
