using CsCheck;

namespace SharpBpf.Asm.Tests;

/// <summary>
/// CsCheck generators: well-formed programs (every operation of the model except the refused 64-bit legacy packet
/// loads, with fields restated here independently of the validator from RFC 9669), and near-valid slots that mix
/// real opcodes with random fields.
/// </summary>
internal static class ProgramGen
{
    private static readonly Op[] s_ops = Enum.GetValues<Op>()
        .Where(op => op is not (Op.Invalid or Op.LdAbsDW or Op.LdIndDW or Op.CallLocal))
        .ToArray();

    private static readonly byte[] s_opcodes = Enum.GetValues<Op>().Where(op => op != Op.Invalid)
        .Select(OpEncoding.OpcodeOf).Distinct().ToArray();

    /// <summary>Raw choices for one instruction; mapped to a valid instruction by <see cref="Build"/>.</summary>
    internal readonly record struct Spec(int Op, int Dst, int Src, short Off, int Imm, int High, int Pick);

    private static readonly Gen<Spec> s_spec = Gen.Select(Gen.Int[0, s_ops.Length - 1], Gen.Int[0, 15], Gen.Int[0, 15], Gen.Short, Gen.Int, Gen.Int, Gen.Int[0, 1 << 20])
        .Select(t => new Spec(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6, t.Item7));

    /// <summary>Well-formed programs: a main function and, half the time, a second one it calls.</summary>
    public static Gen<Instruction[]> Valid { get; } =
        Gen.Select(s_spec.Array[0, 40], s_spec.Array[0, 20], Gen.Bool).Select(t => Build(t.Item1, t.Item2, t.Item3));

    /// <summary>Slots with real opcodes (mostly) and random fields biased towards small values.</summary>
    public static Gen<Instruction[]> NearValid { get; } =
        Gen.Select(Gen.Frequency((8, Gen.OneOfConst(s_opcodes)), (1, Gen.Byte)), Gen.Frequency((6, Gen.Int[0, 10]), (1, Gen.Int[0, 15])),
                Gen.Frequency((6, Gen.Const(0)), (4, Gen.Int[0, 10]), (1, Gen.Int[0, 15])),
                Gen.Frequency((6, Gen.Const((short)0)), (3, Gen.Short[-3, 3]), (1, Gen.Short)),
                Gen.Frequency((4, Gen.Const(0)), (3, Gen.OneOfConst(1, 8, 16, 32, 64, 0x41, 0xe1, 0xf1)), (1, Gen.Int)))
            .Select(t => new Instruction(t.Item1, (byte)t.Item2, (byte)t.Item3, t.Item4, t.Item5))
            .Array[0, 8]
            .Select(slots => slots.Append(new Instruction(0x95, 0, 0, 0, 0)).ToArray());

    internal static Instruction[] Build(Spec[] main, Spec[] function, bool withFunction)
    {
        // Lay out: [call local f]? main... exit [f: function... exit]
        var mainOps = new List<(Op Op, Spec S)>();
        if (withFunction)
            mainOps.Add((Op.CallLocal, default));
        mainOps.AddRange(main.Select(s => (s_ops[s.Op], s)));
        mainOps.Add((Op.Exit, default));
        var funcOps = withFunction ? function.Select(s => (s_ops[s.Op], s)).Append((Op.Exit, default(Spec))).ToList() : [];

        var mainStarts = Starts(mainOps, 0);
        var funcStart = mainStarts[^1] + 1;
        var funcStarts = Starts(funcOps, funcStart);

        var result = new List<DecodedInstruction>();
        Emit(mainOps, mainStarts, withFunction ? funcStart : -1, result);
        Emit(funcOps, funcStarts, funcStart, result);
        return Encoder.Encode(result.ToArray());
    }

    private static List<int> Starts(List<(Op Op, Spec S)> ops, int first)
    {
        var starts = new List<int>();
        var pc = first;
        foreach (var (op, _) in ops)
        {
            starts.Add(pc);
            pc += op == Op.Lddw ? 2 : 1;
        }

        return starts;
    }

    private static void Emit(List<(Op Op, Spec S)> ops, List<int> starts, int funcStart, List<DecodedInstruction> output)
    {
        for (var i = 0; i < ops.Count; i++)
        {
            var (op, s) = ops[i];
            var pc = starts[i];
            var target = starts[s.Pick % starts.Count] - (pc + 1); // a jump stays inside its own function
            byte W(int r) => (byte)(r % 10);   // a written register: r0-r9
            byte R(int r) => (byte)(r % 11);   // a read register: r0-r10
            DecodedInstruction I(byte dst = 0, byte src = 0, short off = 0, long imm = 0) => new(op, dst, src, off, imm, pc);

            output.Add(op switch
            {
                Op.Neg64 or Op.Neg32 or (>= Op.Le16 and <= Op.Bswap64) => I(W(s.Dst)),
                >= Op.Add64Imm and <= Op.Arsh32Reg when op.ToString().EndsWith("Reg", StringComparison.Ordinal) => I(W(s.Dst), R(s.Src)),
                >= Op.Add64Imm and <= Op.Arsh32Reg => I(W(s.Dst), imm: s.Imm),
                >= Op.MovSx8To64 and <= Op.MovSx16To32 => I(W(s.Dst), R(s.Src)),
                Op.Lddw => Lddw(I(W(s.Dst)), s, pc, funcStart),
                >= Op.LdAbsB and <= Op.LdAbsW => I(imm: s.Imm),
                >= Op.LdIndB and <= Op.LdIndW => I(src: R(s.Src), imm: s.Imm),
                >= Op.LdxB and <= Op.LdxsW => I(W(s.Dst), R(s.Src), s.Off),
                >= Op.StB and <= Op.StDW => I(R(s.Dst), off: s.Off, imm: s.Imm),
                >= Op.StxB and <= Op.StxDW => I(R(s.Dst), R(s.Src), s.Off),
                >= Op.AtomicAdd32 and <= Op.AtomicCmpXchg64 => I(R(s.Dst), W(s.Src), s.Off),
                Op.Ja => I(off: (short)target),
                Op.Ja32 => I(imm: target),
                >= Op.Jeq64Imm and <= Op.Jsle32Reg when op.ToString().EndsWith("Reg", StringComparison.Ordinal) => I(R(s.Dst), R(s.Src), (short)target),
                >= Op.Jeq64Imm and <= Op.Jsle32Reg => I(R(s.Dst), off: (short)target, imm: s.Imm),
                Op.Call => I(imm: s.Imm),
                Op.CallKfunc => I(off: s.Off, imm: s.Imm),
                Op.Callx => I(R(s.Dst)),
                Op.CallLocal => I(imm: funcStart - (pc + 1)),
                Op.Exit => I(),
                _ => throw new InvalidOperationException(op.ToString()),
            });
        }
    }

    private static DecodedInstruction Lddw(DecodedInstruction insn, Spec s, int pc, int funcStart)
    {
        var kind = (PseudoKind)(s.Pick % 7);
        if (kind == PseudoKind.CodeAddress && funcStart < 0)
            kind = PseudoKind.None;
        long imm = kind switch
        {
            PseudoKind.None => ((long)s.High << 32) | (uint)s.Imm,
            PseudoKind.MapByFd or PseudoKind.MapByIndex => (uint)s.Imm,
            PseudoKind.CodeAddress => (uint)(funcStart - (pc + 1)),
            _ => ((long)s.High << 32) | (uint)s.Imm,
        };
        return insn with { Src = (byte)kind, Imm = imm };
    }
}
