using CsCheck;
using SharpBpf.Asm;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Helpers;
using SharpBpf.Runtime.Programs;

namespace SharpBpf.Runtime.Tests.Interpreter;

/// <summary>
/// Random programs never crash or hang the host: every run either returns, or stops with a
/// <see cref="BpfRuntimeException"/>, and every refused program is refused with a <see cref="BpfProgramException"/>.
/// (A wild native access would kill the test process, so "the test finished" is part of the evidence.)
/// </summary>
public class PropertyTests
{
    private const long Budget = 5_000;
    private const int DataLength = 64;

    private static readonly Op[] s_alu =
    [
        Op.Add64Imm, Op.Add64Reg, Op.Sub64Imm, Op.Sub64Reg, Op.Mul64Imm, Op.Mul64Reg, Op.Div64Imm, Op.Div64Reg,
        Op.SDiv64Imm, Op.SDiv64Reg, Op.Or64Imm, Op.Or64Reg, Op.And64Imm, Op.And64Reg, Op.Lsh64Imm, Op.Lsh64Reg,
        Op.Rsh64Imm, Op.Rsh64Reg, Op.Mod64Imm, Op.Mod64Reg, Op.SMod64Imm, Op.SMod64Reg, Op.Xor64Imm, Op.Xor64Reg,
        Op.Mov64Imm, Op.Mov64Reg, Op.Arsh64Imm, Op.Arsh64Reg, Op.Neg64,
        Op.Add32Imm, Op.Add32Reg, Op.Sub32Imm, Op.Sub32Reg, Op.Mul32Imm, Op.Mul32Reg, Op.Div32Imm, Op.Div32Reg,
        Op.SDiv32Imm, Op.SDiv32Reg, Op.Or32Imm, Op.Or32Reg, Op.And32Imm, Op.And32Reg, Op.Lsh32Imm, Op.Lsh32Reg,
        Op.Rsh32Imm, Op.Rsh32Reg, Op.Mod32Imm, Op.Mod32Reg, Op.SMod32Imm, Op.SMod32Reg, Op.Xor32Imm, Op.Xor32Reg,
        Op.Mov32Imm, Op.Mov32Reg, Op.Arsh32Imm, Op.Arsh32Reg, Op.Neg32,
        Op.MovSx8To64, Op.MovSx16To64, Op.MovSx32To64, Op.MovSx8To32, Op.MovSx16To32,
        Op.Le16, Op.Le32, Op.Le64, Op.Be16, Op.Be32, Op.Be64, Op.Bswap16, Op.Bswap32, Op.Bswap64,
    ];

    private static readonly Op[] s_loads = [Op.LdxB, Op.LdxH, Op.LdxW, Op.LdxDW, Op.LdxsB, Op.LdxsH, Op.LdxsW];

    private static readonly Op[] s_stores =
        [Op.StB, Op.StH, Op.StW, Op.StDW, Op.StxB, Op.StxH, Op.StxW, Op.StxDW];

    private static readonly Op[] s_atomics =
    [
        Op.AtomicAdd32, Op.AtomicFetchAdd32, Op.AtomicOr32, Op.AtomicFetchOr32, Op.AtomicAnd32, Op.AtomicFetchAnd32,
        Op.AtomicXor32, Op.AtomicFetchXor32, Op.AtomicXchg32, Op.AtomicCmpXchg32,
        Op.AtomicAdd64, Op.AtomicFetchAdd64, Op.AtomicOr64, Op.AtomicFetchOr64, Op.AtomicAnd64, Op.AtomicFetchAnd64,
        Op.AtomicXor64, Op.AtomicFetchXor64, Op.AtomicXchg64, Op.AtomicCmpXchg64,
    ];

    private static readonly Op[] s_jumps = Enum.GetValues<Op>()
        .Where(o => o.ToString().StartsWith('J') && o != Op.Ja32).ToArray();

    // One random choice per instruction: what kind, and four raw numbers it is built from.
    private static readonly Gen<(int Kind, int A, int B, int C, int D)> s_choice =
        Gen.Select(Gen.Int[0, 11], Gen.Int[0, 10], Gen.Int[0, 10], Gen.Int, Gen.Int);

    private static readonly Gen<((int, int, int, int, int)[] Main, (int, int, int, int, int)[] Callee)> s_program =
        Gen.Select(s_choice.Array[1, 30], s_choice.Array[0, 12]);

    /// <summary>The well-formed random programs of this class (also the JIT's differential tests' input).</summary>
    internal static Gen<DecodedInstruction[]> WellFormedPrograms { get; } = s_program.Select(p => Build(p.Main, p.Callee));

    [Fact]
    public void RandomWellFormedPrograms_NeverCrashOrHang()
    {
        var outcomes = new int[3];
        s_program.Sample(p =>
        {
            var insns = Build(p.Main, p.Callee);
            outcomes[(int)RunExpectingOnlyDocumentedErrors(Encoder.Encode(insns))]++;
        }, iter: 3000, threads: 1, print: p => string.Join("\n", Build(p.Main, p.Callee)));

        // The generator must keep producing programs that run to the end and programs that fault, or the
        // property says little.
        Assert.True(outcomes[(int)Outcome.Returned] > 300, $"only {outcomes[(int)Outcome.Returned]} programs returned");
        Assert.True(outcomes[(int)Outcome.Faulted] > 300, $"only {outcomes[(int)Outcome.Faulted]} programs faulted");
    }

    [Fact]
    public void RandomSlots_NeverCrashOrHang()
    {
        // Opcodes from the valid set most of the time, any byte sometimes; every field random.
        var opcodes = Enum.GetValues<Op>().Where(o => o != Op.Invalid).Select(o => (int)OpEncoding.OpcodeOf(o)).Distinct().ToArray();
        var slot = Gen.Select(Gen.Frequency((9, Gen.OneOfConst(opcodes)), (1, Gen.Int[0, 255])),
            Gen.Int[0, 15], Gen.Int[0, 15], Gen.Short[-8, 8], Gen.Frequency((3, Gen.Int[-8, 8]), (1, Gen.Int)));
        var program = slot.Array[1, 24].Select(a => a
            .Select(s => new Instruction((byte)s.Item1, (byte)s.Item2, (byte)s.Item3, s.Item4, s.Item5))
            .Append(new Instruction(0x95, 0, 0, 0, 0)).ToArray());

        program.Sample(p => RunExpectingOnlyDocumentedErrors(p), iter: 5000, threads: 1,
            print: p => string.Join(" ", p.Select(i => i.Raw.ToString("x16"))));
    }

    private enum Outcome
    {
        Refused,
        Returned,
        Faulted,
    }

    private static Outcome RunExpectingOnlyDocumentedErrors(Instruction[] slots)
    {
        InterpretedProgram program;
        try
        {
            program = InterpretedProgram.Create(slots, new ProgramOptions
            {
                Helpers = TestHelpers.CreateTable(),
                InstructionBudget = Budget,
            });
        }
        catch (BpfProgramException)
        {
            return Outcome.Refused;
        }

        var data = new byte[DataLength];
        try
        {
            program.Run(new RunState(), data);
            return Outcome.Returned;
        }
        catch (BpfRuntimeException)
        {
            return Outcome.Faulted;
        }
    }

    private static DecodedInstruction[] Build((int, int, int, int, int)[] main, (int, int, int, int, int)[] callee)
    {
        // Layout: main body, exit, [callee body, exit]. Jumps stay inside their function; local calls target the
        // callee. Targets are chosen as logical indices and turned into slot offsets at the end (lddw takes two slots).
        var mainLength = main.Length + 1;
        var calleeStart = callee.Length > 0 ? mainLength : -1;
        var result = new List<(DecodedInstruction Insn, int Target)>();
        Emit(main, 0, mainLength);
        if (callee.Length > 0)
            Emit(callee, mainLength, callee.Length + 1);

        var slotOf = new int[result.Count + 1];
        for (var k = 0; k < result.Count; k++)
            slotOf[k + 1] = slotOf[k] + result[k].Insn.SlotCount;
        return [.. result.Select((x, k) => x.Target < 0 ? x.Insn
            : x.Insn.Op == Op.CallLocal ? x.Insn with { Imm = slotOf[x.Target] - (slotOf[k] + 1) }
            : x.Insn with { Offset = (short)(slotOf[x.Target] - (slotOf[k] + 1)) })];

        void Emit((int, int, int, int, int)[] body, int start, int length)
        {
            for (var k = 0; k < body.Length; k++)
            {
                var (insn, target) = MakeRaw(body[k], start + k, start, length, calleeStart);
                result.Add((WellFormed(insn), target));
            }

            result.Add((new DecodedInstruction(Op.Exit, 0, 0, 0, 0, 0), -1));
        }
    }

    // Clears the fields an operation does not use, so the validator accepts the instruction (RFC 9669: unused
    // fields are zero) and the property exercises execution rather than refusal.
    private static DecodedInstruction WellFormed(DecodedInstruction d)
    {
        var name = d.Op.ToString();
        var isJump = ProgramBuilderJumps.Contains(d.Op);
        var imm = d.Imm;
        var src = d.Src;
        var off = d.Offset;
        if (name.EndsWith("Imm", StringComparison.Ordinal))
            src = 0;
        if (name.EndsWith("Reg", StringComparison.Ordinal) || name.StartsWith("MovSx", StringComparison.Ordinal))
            imm = 0;
        if (!isJump && (name.EndsWith("Imm", StringComparison.Ordinal) || name.EndsWith("Reg", StringComparison.Ordinal)
            || name.StartsWith("Neg", StringComparison.Ordinal) || name.StartsWith("Le", StringComparison.Ordinal)
            || name.StartsWith("Be", StringComparison.Ordinal) || name.StartsWith("Bswap", StringComparison.Ordinal)))
        {
            off = 0;
        }

        if (name.StartsWith("Neg", StringComparison.Ordinal) || name.StartsWith("Le", StringComparison.Ordinal)
            || name.StartsWith("Be", StringComparison.Ordinal) || name.StartsWith("Bswap", StringComparison.Ordinal))
        {
            src = 0;
            imm = name.StartsWith("Neg", StringComparison.Ordinal) ? 0 : imm;
        }

        if (name.StartsWith("St", StringComparison.Ordinal) && !name.StartsWith("Stx", StringComparison.Ordinal))
            src = 0;
        if (name.StartsWith("Stx", StringComparison.Ordinal) || name.StartsWith("Ldx", StringComparison.Ordinal))
            imm = 0;
        if (name.StartsWith("Ldx", StringComparison.Ordinal))
            imm = 0;
        if (d.Op is Op.Ja)
            (imm, src) = (0, 0);
        if (d.Op is Op.Call or Op.CallLocal)
            off = 0;
        if (d.Op is Op.Callx)
            (src, off, imm) = (0, 0, 0);
        if (d.Op is Op.Lddw)
            (src, off) = (0, 0);
        return d with { Src = src, Offset = off, Imm = imm };
    }

    private static readonly HashSet<Op> ProgramBuilderJumps = [.. s_jumps];

    // An instruction and, for jumps and local calls, the logical index it goes to (else -1).
    private static (DecodedInstruction, int) MakeRaw((int Kind, int A, int B, int C, int D) c, int index, int start,
        int length, int calleeStart)
    {
        var dst = (byte)(c.A % 10); // r10 is never written
        var src = (byte)c.B; // r0-r10
        var u = (uint)c.C;
        (DecodedInstruction, int) I(Op op, byte d, byte s, int off, long imm, int target = -1) =>
            (new(op, d, s, (short)off, imm, 0), target);
        var nearStack = -(int)(u % 530); // down to a little below the 512-byte frame
        var nearData = (int)(u % (DataLength + 16)) - 8;
        switch (c.Kind)
        {
            case 0:
            case 1:
                return I(s_alu[u % (uint)s_alu.Length], dst, src, 0, c.D % 3 == 0 ? c.D % 70 : c.D);
            case 2: // pointer into the stack or the data
                return c.D % 2 == 0 ? I(Op.Mov64Reg, dst, 10, 0, 0) : I(Op.Mov64Reg, dst, 1, 0, 0);
            case 3: // small pointer adjustment
                return I(Op.Add64Imm, dst, 0, 0, (c.D % 1100) - 550);
            case 4:
                return I(s_loads[u % (uint)s_loads.Length], dst, c.D % 2 == 0 ? (byte)10 : src, c.D % 2 == 0 ? nearStack : nearData, 0);
            case 5:
                return I(s_stores[u % (uint)s_stores.Length], c.D % 2 == 0 ? (byte)10 : dst, src, c.D % 2 == 0 ? nearStack : nearData, c.D);
            case 6:
                // src % 10: a fetching atomic writes its source register, and r10 is read-only.
                return I(s_atomics[u % (uint)s_atomics.Length], c.D % 2 == 0 ? (byte)10 : dst, (byte)(src % 10), c.D % 2 == 0 ? nearStack : nearData, 0);
            case 7:
            case 8:
            {
                // A jump to anywhere in the same function (including backwards: loops end at the budget).
                var target = start + (int)((uint)c.D % (uint)length);
                var op = s_jumps[u % (uint)s_jumps.Length];
                return op == Op.Ja ? I(op, 0, 0, 0, 0, target) : I(op, dst, src, 0, c.D % 16, target);
            }

            case 9:
                return I(Op.Call, 0, 0, 0, (int)(u % 6));
            case 10:
                return calleeStart >= 0 && calleeStart > index
                    ? I(Op.CallLocal, 0, 1, 0, 0, calleeStart)
                    : I(Op.Callx, dst, 0, 0, 0);
            default:
                return I(Op.Lddw, dst, 0, 0, ((long)c.C << 32) | (uint)c.D);
        }
    }
}
