using SharpBpf.Asm;
using static SharpBpf.Runtime.Tests.Interpreter.Asm;

namespace SharpBpf.Runtime.Tests.Interpreter;

public class AluSemanticsTests
{
    // (operation, dst value, src value, expected r0) with the source in a register.
    public static TheoryData<Op, ulong, ulong, ulong> RegisterCases => new()
    {
        // Division and modulo by zero: quotient 0, remainder = dividend (32-bit forms: low half, zero-extended).
        { Op.Div64Reg, 7, 0, 0 },
        { Op.Mod64Reg, 7, 0, 7 },
        { Op.SDiv64Reg, 7, 0, 0 },
        { Op.SMod64Reg, unchecked((ulong)-7L), 0, unchecked((ulong)-7L) },
        { Op.Div32Reg, 0xffff_ffff_0000_0007, 0, 0 },
        { Op.Mod32Reg, 0xffff_ffff_0000_0007, 0, 7 },
        { Op.SMod32Reg, 0x1234_5678_ffff_fff9, 0, 0xffff_fff9 },
        // Only the low half of the divisor counts for 32-bit division.
        { Op.Div32Reg, 10, 0x1_0000_0000, 0 },
        { Op.Div32Reg, 10, 0x1_0000_0002, 5 },
        // INT_MIN / -1 and INT_MIN % -1.
        { Op.SDiv64Reg, 0x8000_0000_0000_0000, ulong.MaxValue, 0x8000_0000_0000_0000 },
        { Op.SMod64Reg, 0x8000_0000_0000_0000, ulong.MaxValue, 0 },
        { Op.SDiv32Reg, 0x8000_0000, 0xffff_ffff, 0x8000_0000 },
        { Op.SMod32Reg, 0x8000_0000, 0xffff_ffff, 0 },
        { Op.Mul64Reg, 0x8000_0000_0000_0000, ulong.MaxValue, 0x8000_0000_0000_0000 },
        { Op.Mul32Reg, 0x8000_0000, 0xffff_ffff, 0x8000_0000 },
        // Signed division truncates toward zero; the remainder takes the dividend's sign.
        { Op.SDiv64Reg, unchecked((ulong)-7L), 2, unchecked((ulong)-3L) },
        { Op.SMod64Reg, unchecked((ulong)-7L), 2, unchecked((ulong)-1L) },
        { Op.SDiv32Reg, 0xffff_fff9, 2, 0xffff_fffd },
        { Op.SMod32Reg, 7, 0xffff_fffe, 1 },
        // Unsigned division sees the full 64 bits.
        { Op.Div64Reg, ulong.MaxValue, 2, 0x7fff_ffff_ffff_ffff },
        // Shift counts are masked.
        { Op.Lsh64Reg, 1, 65, 2 },
        { Op.Rsh64Reg, 0x8000_0000_0000_0000, 127, 1 },
        { Op.Arsh64Reg, 0x8000_0000_0000_0000, 64 + 63, ulong.MaxValue },
        { Op.Lsh32Reg, 1, 33, 2 },
        { Op.Rsh32Reg, 0xffff_ffff_8000_0000, 31 + 32, 1 },
        { Op.Arsh32Reg, 0x8000_0000, 31, 0xffff_ffff },
        // 32-bit results are zero-extended.
        { Op.Add32Reg, 0xffff_ffff_ffff_ffff, 1, 0 },
        { Op.Sub32Reg, 0, 1, 0xffff_ffff },
        { Op.Mov32Reg, 0, 0xffff_ffff_ffff_ffff, 0xffff_ffff },
        { Op.Or32Reg, 0xffff_ffff_0000_0000, 1, 1 },
        { Op.Xor32Reg, 0xffff_ffff_ffff_ffff, 0, 0xffff_ffff },
        { Op.And32Reg, 0xffff_ffff_ffff_ffff, 0xffff_ffff_0000_00ff, 0xff },
        // Sign-extending moves.
        { Op.MovSx8To64, 0, 0x80, 0xffff_ffff_ffff_ff80 },
        { Op.MovSx16To64, 0, 0x1_8000, 0xffff_ffff_ffff_8000 },
        { Op.MovSx32To64, 0, 0x8000_0000, 0xffff_ffff_8000_0000 },
        { Op.MovSx8To32, 0, 0x80, 0xffff_ff80 },
        { Op.MovSx16To32, 0, 0x8000, 0xffff_8000 },
        { Op.MovSx8To64, 0, 0x7f, 0x7f },
    };

    [Theory]
    [MemberData(nameof(RegisterCases))]
    public void AluRegister_Corner_MatchesRfc9669(Op op, ulong dst, ulong src, ulong expected)
    {
        var r0 = Run(Lddw(0, dst), Lddw(1, src), I(op, 0, 1), Exit());

        Assert.Equal(expected, r0);
    }

    // (operation, dst value, imm, expected r0) with the source an immediate.
    public static TheoryData<Op, ulong, int, ulong> ImmediateCases => new()
    {
        // 64-bit operations sign-extend the immediate.
        { Op.Mov64Imm, 0, -1, ulong.MaxValue },
        { Op.Add64Imm, 1, -2, ulong.MaxValue },
        { Op.And64Imm, ulong.MaxValue, unchecked((int)0x8000_0000), 0xffff_ffff_8000_0000 },
        { Op.Mov32Imm, 0, -1, 0xffff_ffff },
        // Unsigned 64-bit division by a negative immediate divides by the sign-extended value.
        { Op.Div64Imm, ulong.MaxValue, -1, 1 },
        { Op.Div32Imm, 0xffff_ffff, -1, 1 },
        { Op.Mod64Imm, 5, 0, 5 },
        { Op.Div64Imm, 5, 0, 0 },
        { Op.Mod32Imm, 0xffff_ffff_0000_0005, 0, 5 },
        { Op.SDiv64Imm, 0x8000_0000_0000_0000, -1, 0x8000_0000_0000_0000 },
        { Op.SMod32Imm, 0x8000_0000, -1, 0 },
        { Op.SDiv32Imm, 6, -3, 0xffff_fffe },
        // Immediate shift counts are masked too, negative ones included.
        { Op.Lsh64Imm, 1, -60, 16 },
        { Op.Rsh64Imm, 0x100, 68, 0x10 },
        { Op.Lsh32Imm, 1, 36, 16 },
        { Op.Arsh32Imm, 0x8000_0000, -1, 0xffff_ffff },
        // Byte order.
        { Op.Be16, 0x1122_3344_5566_7788, 16, 0x8877 },
        { Op.Be32, 0x1122_3344_5566_7788, 32, 0x8877_6655 },
        { Op.Be64, 0x1122_3344_5566_7788, 64, 0x8877_6655_4433_2211 },
        { Op.Le16, 0x1122_3344_5566_7788, 16, 0x7788 },
        { Op.Le32, 0x1122_3344_5566_7788, 32, 0x5566_7788 },
        { Op.Le64, 0x1122_3344_5566_7788, 64, 0x1122_3344_5566_7788 },
        { Op.Bswap16, 0x1122_3344_5566_7788, 16, 0x8877 },
        { Op.Bswap32, 0x1122_3344_5566_7788, 32, 0x8877_6655 },
        { Op.Bswap64, 0x1122_3344_5566_7788, 64, 0x8877_6655_4433_2211 },
        { Op.Neg64, 1, 0, ulong.MaxValue },
        { Op.Neg32, 1, 0, 0xffff_ffff },
        { Op.Neg64, 0x8000_0000_0000_0000, 0, 0x8000_0000_0000_0000 },
    };

    [Theory]
    [MemberData(nameof(ImmediateCases))]
    public void AluImmediate_Corner_MatchesRfc9669(Op op, ulong dst, int imm, ulong expected)
    {
        var r0 = Run(Lddw(0, dst), I(op, 0, imm: imm), Exit());

        Assert.Equal(expected, r0);
    }

    // (jump, dst, src, taken?)
    public static TheoryData<Op, ulong, ulong, bool> JumpCases => new()
    {
        { Op.Jeq32Reg, 0x1_0000_0005, 0x2_0000_0005, true },
        { Op.Jeq64Reg, 0x1_0000_0005, 0x2_0000_0005, false },
        { Op.Jgt32Reg, 0x0_ffff_ffff, 0x1_0000_0000, true },
        { Op.Jgt64Reg, 0x0_ffff_ffff, 0x1_0000_0000, false },
        { Op.Jsgt64Reg, 1, ulong.MaxValue, true },
        { Op.Jsgt32Reg, 0xffff_ffff_0000_0001, 0x0000_0000_ffff_ffff, true },
        { Op.Jslt32Reg, 0x0000_0000_8000_0000, 0, true },
        { Op.Jslt64Reg, 0x0000_0000_8000_0000, 0, false },
        { Op.Jset64Reg, 0x1_0000_0000, 0x1_0000_0000, true },
        { Op.Jset32Reg, 0x1_0000_0000, 0x1_0000_0000, false },
        { Op.Jge64Reg, 5, 5, true },
        { Op.Jle32Reg, 0x5_0000_0006, 5, false },
        { Op.Jsge32Reg, 0xffff_ffff, 0xffff_ffff, true },
        { Op.Jsle64Reg, ulong.MaxValue, 0, true },
        { Op.Jne32Reg, 0x1_0000_0000, 0, false },
        { Op.Jlt64Reg, 4, 5, true },
    };

    [Theory]
    [MemberData(nameof(JumpCases))]
    public void ConditionalJump_Operands_TakenAsRfc9669Says(Op op, ulong dst, ulong src, bool taken)
    {
        var r0 = Run(
            Lddw(1, dst), Lddw(2, src), Mov(0, 0),
            I(op, 1, 2, off: 1),
            Exit(),
            Mov(0, 1),
            Exit());

        Assert.Equal(taken ? 1UL : 0UL, r0);
    }

    [Fact]
    public void JumpImmediate_64Bit_ComparesWithSignExtendedImmediate()
    {
        var r0 = Run(Mov(0, 0), Mov(1, -1), I(Op.Jeq64Imm, 1, off: 1, imm: -1), Exit(), Mov(0, 1), Exit());

        Assert.Equal(1UL, r0);
    }

    [Fact]
    public void JumpImmediate_32Bit_ComparesLowHalves()
    {
        var r0 = Run(Mov(0, 0), Lddw(1, 0x7_ffff_ffff), I(Op.Jeq32Imm, 1, off: 1, imm: -1), Exit(), Mov(0, 1), Exit());

        Assert.Equal(1UL, r0);
    }

    [Fact]
    public void Ja32_LongOffsetInImmediate_Jumps()
    {
        var r0 = Run(Mov(0, 1), I(Op.Ja32, imm: 1), Mov(0, 2), Exit());

        Assert.Equal(1UL, r0);
    }

    [Fact]
    public void Lddw_SixtyFourBitValue_LoadsWhole()
    {
        Assert.Equal(0x1122_3344_5566_7788UL, Run(Lddw(0, 0x1122_3344_5566_7788), Exit()));
    }

    [Fact]
    public void Loop_CountsDown_ExecutesBackwardJumps()
    {
        // r0 = sum of 1..10
        var r0 = Run(Mov(0, 0), Mov(1, 10), I(Op.Add64Reg, 0, 1), I(Op.Sub64Imm, 1, imm: 1),
            I(Op.Jne64Imm, 1, off: -3, imm: 0), Exit());

        Assert.Equal(55UL, r0);
    }
}
