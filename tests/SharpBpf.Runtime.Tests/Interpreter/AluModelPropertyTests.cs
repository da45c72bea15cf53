using System.Numerics;
using CsCheck;
using SharpBpf.Asm;
using static SharpBpf.Runtime.Tests.Interpreter.Asm;

namespace SharpBpf.Runtime.Tests.Interpreter;

/// <summary>
/// Every ALU and jump operation on random operands against a model written from RFC 9669's definitions with exact
/// (BigInteger) arithmetic, rather than the interpreter's machine-word tricks.
/// </summary>
public class AluModelPropertyTests
{
    private static readonly Op[] s_binary =
    [
        Op.Add64Reg, Op.Sub64Reg, Op.Mul64Reg, Op.Div64Reg, Op.SDiv64Reg, Op.Mod64Reg, Op.SMod64Reg, Op.Or64Reg,
        Op.And64Reg, Op.Xor64Reg, Op.Lsh64Reg, Op.Rsh64Reg, Op.Arsh64Reg, Op.Mov64Reg,
        Op.Add32Reg, Op.Sub32Reg, Op.Mul32Reg, Op.Div32Reg, Op.SDiv32Reg, Op.Mod32Reg, Op.SMod32Reg, Op.Or32Reg,
        Op.And32Reg, Op.Xor32Reg, Op.Lsh32Reg, Op.Rsh32Reg, Op.Arsh32Reg, Op.Mov32Reg,
    ];

    // Operands biased toward the interesting edges: 0, 1, -1, INT_MIN of both widths, small shift counts.
    private static readonly Gen<ulong> s_operand = Gen.Frequency(
        (4, Gen.ULong),
        (2, Gen.OneOfConst(0UL, 1UL, ulong.MaxValue, 0x8000_0000_0000_0000UL, 0x8000_0000UL, 0xffff_ffffUL,
            0x1_0000_0000UL, 0x7fff_ffff_ffff_ffffUL)),
        (2, Gen.ULong[0, 130]),
        (1, Gen.Int.Select(i => (ulong)(long)i)));

    [Fact]
    public void BinaryAlu_RandomOperands_MatchesModel()
    {
        Gen.Select(Gen.OneOfConst(s_binary), s_operand, s_operand).Sample((op, a, b) =>
        {
            var actual = Run(Lddw(0, a), Lddw(1, b), I(op, 0, 1), Exit());

            Assert.Equal(Model(op, a, b), actual);
        }, iter: 8_000, threads: 1);
    }

    [Fact]
    public void BinaryAluImmediate_RandomOperands_MatchesModel()
    {
        // The immediate form of each operation: the model sees the immediate sign-extended to 64 bits.
        Gen.Select(Gen.OneOfConst(s_binary), s_operand, Gen.Frequency((3, Gen.Int), (1, Gen.Int[-2, 70]))).Sample((op, a, imm) =>
        {
            var immOp = Enum.Parse<Op>(op.ToString().Replace("Reg", "Imm", StringComparison.Ordinal));

            var actual = Run(Lddw(0, a), I(immOp, 0, imm: imm), Exit());

            Assert.Equal(Model(op, a, (ulong)(long)imm), actual);
        }, iter: 8_000, threads: 1);
    }

    private static readonly (Op Op, Func<BigInteger, BigInteger, bool> Taken, bool Signed)[] s_conditions =
    [
        (Op.Jeq64Reg, (x, y) => x == y, false), (Op.Jne64Reg, (x, y) => x != y, false),
        (Op.Jgt64Reg, (x, y) => x > y, false), (Op.Jge64Reg, (x, y) => x >= y, false),
        (Op.Jlt64Reg, (x, y) => x < y, false), (Op.Jle64Reg, (x, y) => x <= y, false),
        (Op.Jsgt64Reg, (x, y) => x > y, true), (Op.Jsge64Reg, (x, y) => x >= y, true),
        (Op.Jslt64Reg, (x, y) => x < y, true), (Op.Jsle64Reg, (x, y) => x <= y, true),
        (Op.Jset64Reg, (x, y) => (x & y) != 0, false),
    ];

    [Fact]
    public void ConditionalJumps_RandomOperands_MatchModel()
    {
        Gen.Select(Gen.Int[0, s_conditions.Length - 1], Gen.Bool, s_operand, s_operand).Sample((k, is32, a, b) =>
        {
            var (op64, taken, signed) = s_conditions[k];
            var op = is32 ? Enum.Parse<Op>(op64.ToString().Replace("64", "32", StringComparison.Ordinal)) : op64;
            var width = is32 ? 32 : 64;

            var actual = Run(Lddw(1, a), Lddw(2, b), Mov(0, 0), I(op, 1, 2, off: 1), Exit(), Mov(0, 1), Exit());

            var expected = taken(Interpret(a, width, signed), Interpret(b, width, signed)) ? 1UL : 0UL;
            Assert.Equal(expected, actual);
        }, iter: 8_000, threads: 1);
    }

    /// <summary>The value of the low <paramref name="width"/> bits of <paramref name="v"/>, signed or unsigned.</summary>
    private static BigInteger Interpret(ulong v, int width, bool signed)
    {
        var mask = (BigInteger.One << width) - 1;
        var u = new BigInteger(v) & mask;
        return signed && u >= BigInteger.One << (width - 1) ? u - (BigInteger.One << width) : u;
    }

    /// <summary>Reduces an exact result to <paramref name="width"/> bits, zero-extended to 64.</summary>
    private static ulong Wrap(BigInteger value, int width)
    {
        var modulus = BigInteger.One << width;
        var r = BigInteger.Remainder(value, modulus);
        if (r.Sign < 0)
            r += modulus;
        return (ulong)r;
    }

    private static ulong Model(Op op, ulong dst, ulong src)
    {
        var name = op.ToString();
        var width = name.Contains("32", StringComparison.Ordinal) ? 32 : 64;
        var a = Interpret(dst, width, signed: false);
        var b = Interpret(src, width, signed: false);
        var sa = Interpret(dst, width, signed: true);
        var sb = Interpret(src, width, signed: true);
        var shift = (int)(b % width); // shift counts are masked to the operand width
        var result = name[..^5] switch // strip "64Reg" / "32Reg"
        {
            "Add" => a + b,
            "Sub" => a - b,
            "Mul" => a * b,
            "Div" => b.IsZero ? 0 : a / b,
            "SDiv" => sb.IsZero ? 0 : BigInteger.Divide(sa, sb), // truncates toward zero
            "Mod" => b.IsZero ? a : a % b,
            "SMod" => sb.IsZero ? sa : sa - (BigInteger.Divide(sa, sb) * sb),
            "Or" => a | b,
            "And" => a & b,
            "Xor" => a ^ b,
            "Lsh" => a << shift,
            "Rsh" => a >> shift,
            "Arsh" => sa >> shift, // BigInteger shifts are arithmetic
            "Mov" => b,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
        };
        return Wrap(result, width);
    }
}
