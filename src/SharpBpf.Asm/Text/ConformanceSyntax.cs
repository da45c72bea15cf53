namespace SharpBpf.Asm;

/// <summary>
/// The mnemonic table of the conformance assembly dialect (testdata/conformance/FORMAT.md section 4), shared by
/// <see cref="ConformanceAssembler"/> and <see cref="ConformanceDisassembler"/> so the two cannot disagree.
/// </summary>
internal static class ConformanceSyntax
{
    /// <summary>The operand shape of an operation in this dialect.</summary>
    internal enum Form : byte
    {
        None,
        AluImm,   // mn %d, imm
        AluReg,   // mn %d, %s
        Unary,    // mn %d            (neg, endianness, byte swap)
        Lddw,     // lddw %d, imm64   (or a pseudo form, see ConformanceAssembler)
        LdAbs,    // ldabsw imm
        LdInd,    // ldindw %s, imm
        Ldx,      // ldxw %d, [%s+off]
        St,       // stw [%d+off], imm
        Stx,      // stxw [%d+off], %s
        Atomic,   // lock [fetch] op [%d+off], %s
        Ja,       // ja target            (offset)
        Ja32,     // ja32 target          (imm)
        JmpImm,   // jeq %d, imm, target
        JmpReg,   // jeq %d, %s, target
        Call,     // call N
        CallLocal, // call local target
        CallKfunc, // call runtime N
        Callx,    // call %rN
        Exit,     // exit
    }

    private static readonly string[] s_names = new string[Enum.GetValues<Op>().Length];
    private static readonly Form[] s_forms = new Form[Enum.GetValues<Op>().Length];

    /// <summary>mnemonic -> (operation with an immediate source, operation with a register source).</summary>
    private static readonly Dictionary<string, (Op Imm, Op Reg)> s_byName = new(StringComparer.Ordinal);

    /// <summary>The word after <c>lock</c> [<c>fetch</c>] -> atomic operation.</summary>
    private static readonly Dictionary<string, Op> s_atomics = new(StringComparer.Ordinal);

    static ConformanceSyntax()
    {
        void Alu(string name, Op imm64, Op reg64, Op imm32, Op reg32)
        {
            Pair(name, imm64, reg64);
            Pair(name + "32", imm32, reg32);
        }

        void Pair(string name, Op imm, Op reg)
        {
            Set(imm, name, Form.AluImm);
            Set(reg, name, Form.AluReg);
            s_byName[name] = (imm, reg);
        }

        Alu("add", Op.Add64Imm, Op.Add64Reg, Op.Add32Imm, Op.Add32Reg);
        Alu("sub", Op.Sub64Imm, Op.Sub64Reg, Op.Sub32Imm, Op.Sub32Reg);
        Alu("mul", Op.Mul64Imm, Op.Mul64Reg, Op.Mul32Imm, Op.Mul32Reg);
        Alu("div", Op.Div64Imm, Op.Div64Reg, Op.Div32Imm, Op.Div32Reg);
        Alu("sdiv", Op.SDiv64Imm, Op.SDiv64Reg, Op.SDiv32Imm, Op.SDiv32Reg);
        Alu("or", Op.Or64Imm, Op.Or64Reg, Op.Or32Imm, Op.Or32Reg);
        Alu("and", Op.And64Imm, Op.And64Reg, Op.And32Imm, Op.And32Reg);
        Alu("lsh", Op.Lsh64Imm, Op.Lsh64Reg, Op.Lsh32Imm, Op.Lsh32Reg);
        Alu("rsh", Op.Rsh64Imm, Op.Rsh64Reg, Op.Rsh32Imm, Op.Rsh32Reg);
        Alu("mod", Op.Mod64Imm, Op.Mod64Reg, Op.Mod32Imm, Op.Mod32Reg);
        Alu("smod", Op.SMod64Imm, Op.SMod64Reg, Op.SMod32Imm, Op.SMod32Reg);
        Alu("xor", Op.Xor64Imm, Op.Xor64Reg, Op.Xor32Imm, Op.Xor32Reg);
        Alu("mov", Op.Mov64Imm, Op.Mov64Reg, Op.Mov32Imm, Op.Mov32Reg);
        Alu("arsh", Op.Arsh64Imm, Op.Arsh64Reg, Op.Arsh32Imm, Op.Arsh32Reg);

        Single(Op.Neg64, "neg", Form.Unary);
        Single(Op.Neg32, "neg32", Form.Unary);
        Single(Op.MovSx8To64, "movsx864", Form.AluReg);
        Single(Op.MovSx16To64, "movsx1664", Form.AluReg);
        Single(Op.MovSx32To64, "movsx3264", Form.AluReg);
        Single(Op.MovSx8To32, "movsx832", Form.AluReg);
        Single(Op.MovSx16To32, "movsx1632", Form.AluReg);
        Single(Op.Le16, "le16", Form.Unary);
        Single(Op.Le32, "le32", Form.Unary);
        Single(Op.Le64, "le64", Form.Unary);
        Single(Op.Be16, "be16", Form.Unary);
        Single(Op.Be32, "be32", Form.Unary);
        Single(Op.Be64, "be64", Form.Unary);
        Single(Op.Bswap16, "bswap16", Form.Unary);
        Single(Op.Bswap32, "bswap32", Form.Unary);
        Single(Op.Bswap64, "bswap64", Form.Unary);
        Alias("swap16", Op.Bswap16);
        Alias("swap32", Op.Bswap32);
        Alias("swap64", Op.Bswap64);

        Single(Op.Lddw, "lddw", Form.Lddw);
        Single(Op.LdAbsB, "ldabsb", Form.LdAbs);
        Single(Op.LdAbsH, "ldabsh", Form.LdAbs);
        Single(Op.LdAbsW, "ldabsw", Form.LdAbs);
        Single(Op.LdAbsDW, "ldabsdw", Form.LdAbs);
        Single(Op.LdIndB, "ldindb", Form.LdInd);
        Single(Op.LdIndH, "ldindh", Form.LdInd);
        Single(Op.LdIndW, "ldindw", Form.LdInd);
        Single(Op.LdIndDW, "ldinddw", Form.LdInd);
        Single(Op.LdxB, "ldxb", Form.Ldx);
        Single(Op.LdxH, "ldxh", Form.Ldx);
        Single(Op.LdxW, "ldxw", Form.Ldx);
        Single(Op.LdxDW, "ldxdw", Form.Ldx);
        Single(Op.LdxsB, "ldxsb", Form.Ldx);
        Single(Op.LdxsH, "ldxsh", Form.Ldx);
        Single(Op.LdxsW, "ldxsw", Form.Ldx);
        Single(Op.StB, "stb", Form.St);
        Single(Op.StH, "sth", Form.St);
        Single(Op.StW, "stw", Form.St);
        Single(Op.StDW, "stdw", Form.St);
        Single(Op.StxB, "stxb", Form.Stx);
        Single(Op.StxH, "stxh", Form.Stx);
        Single(Op.StxW, "stxw", Form.Stx);
        Single(Op.StxDW, "stxdw", Form.Stx);

        Atomic(Op.AtomicAdd64, "add");
        Atomic(Op.AtomicFetchAdd64, "fetch add");
        Atomic(Op.AtomicOr64, "or");
        Atomic(Op.AtomicFetchOr64, "fetch or");
        Atomic(Op.AtomicAnd64, "and");
        Atomic(Op.AtomicFetchAnd64, "fetch and");
        Atomic(Op.AtomicXor64, "xor");
        Atomic(Op.AtomicFetchXor64, "fetch xor");
        Atomic(Op.AtomicXchg64, "xchg");
        Atomic(Op.AtomicCmpXchg64, "cmpxchg");
        Atomic(Op.AtomicAdd32, "add32");
        Atomic(Op.AtomicFetchAdd32, "fetch add32");
        Atomic(Op.AtomicOr32, "or32");
        Atomic(Op.AtomicFetchOr32, "fetch or32");
        Atomic(Op.AtomicAnd32, "and32");
        Atomic(Op.AtomicFetchAnd32, "fetch and32");
        Atomic(Op.AtomicXor32, "xor32");
        Atomic(Op.AtomicFetchXor32, "fetch xor32");
        Atomic(Op.AtomicXchg32, "xchg32");
        Atomic(Op.AtomicCmpXchg32, "cmpxchg32");

        Single(Op.Ja, "ja", Form.Ja);
        Single(Op.Ja32, "ja32", Form.Ja32);
        void Jmp(string name, Op imm64, Op reg64, Op imm32, Op reg32)
        {
            Set(imm64, name, Form.JmpImm);
            Set(reg64, name, Form.JmpReg);
            Set(imm32, name + "32", Form.JmpImm);
            Set(reg32, name + "32", Form.JmpReg);
            s_byName[name] = (imm64, reg64);
            s_byName[name + "32"] = (imm32, reg32);
        }

        Jmp("jeq", Op.Jeq64Imm, Op.Jeq64Reg, Op.Jeq32Imm, Op.Jeq32Reg);
        Jmp("jgt", Op.Jgt64Imm, Op.Jgt64Reg, Op.Jgt32Imm, Op.Jgt32Reg);
        Jmp("jge", Op.Jge64Imm, Op.Jge64Reg, Op.Jge32Imm, Op.Jge32Reg);
        Jmp("jset", Op.Jset64Imm, Op.Jset64Reg, Op.Jset32Imm, Op.Jset32Reg);
        Jmp("jne", Op.Jne64Imm, Op.Jne64Reg, Op.Jne32Imm, Op.Jne32Reg);
        Jmp("jsgt", Op.Jsgt64Imm, Op.Jsgt64Reg, Op.Jsgt32Imm, Op.Jsgt32Reg);
        Jmp("jsge", Op.Jsge64Imm, Op.Jsge64Reg, Op.Jsge32Imm, Op.Jsge32Reg);
        Jmp("jlt", Op.Jlt64Imm, Op.Jlt64Reg, Op.Jlt32Imm, Op.Jlt32Reg);
        Jmp("jle", Op.Jle64Imm, Op.Jle64Reg, Op.Jle32Imm, Op.Jle32Reg);
        Jmp("jslt", Op.Jslt64Imm, Op.Jslt64Reg, Op.Jslt32Imm, Op.Jslt32Reg);
        Jmp("jsle", Op.Jsle64Imm, Op.Jsle64Reg, Op.Jsle32Imm, Op.Jsle32Reg);

        // "call" is parsed specially (helper id, "local", "runtime", register); the names are for printing.
        Set(Op.Call, "call", Form.Call);
        Set(Op.CallLocal, "call", Form.CallLocal);
        Set(Op.CallKfunc, "call", Form.CallKfunc);
        Set(Op.Callx, "call", Form.Callx);
        Single(Op.Exit, "exit", Form.Exit);
    }

    /// <summary>The mnemonic printed for <paramref name="op"/> (for atomics, the words after <c>lock</c>).</summary>
    internal static string NameOf(Op op) => s_names[(int)op];

    /// <summary>The operand shape of <paramref name="op"/>.</summary>
    internal static Form FormOf(Op op) => s_forms[(int)op];

    /// <summary>Looks up a one-word mnemonic (not <c>lock</c> or <c>call</c>).</summary>
    internal static bool TryLookup(string mnemonic, out Op imm, out Op reg)
    {
        if (s_byName.TryGetValue(mnemonic, out var pair))
        {
            (imm, reg) = pair;
            return true;
        }

        imm = reg = Op.Invalid;
        return false;
    }

    /// <summary>Looks up the words after <c>lock</c> (<c>add</c>, <c>fetch add32</c>, <c>cmpxchg</c> ...).</summary>
    internal static bool TryLookupAtomic(string words, out Op op) => s_atomics.TryGetValue(words, out op);

    private static void Set(Op op, string name, Form form)
    {
        s_names[(int)op] = name;
        s_forms[(int)op] = form;
    }

    // An operation whose mnemonic does not depend on the operand kind.
    private static void Single(Op op, string name, Form form)
    {
        Set(op, name, form);
        s_byName[name] = (op, op);
    }

    private static void Alias(string name, Op op) => s_byName[name] = (op, op);

    private static void Atomic(Op op, string words)
    {
        Set(op, words, Form.Atomic);
        s_atomics[words] = op;
    }
}
