using System.Globalization;
using System.Text.RegularExpressions;

namespace SharpBpf.Asm;

/// <summary>Where a symbolic jump target goes once labels are known.</summary>
internal enum TargetField : byte
{
    None,
    Offset,
    Imm,
}

/// <summary>One parsed line of kernel/LLVM syntax; a label target is resolved once every label's slot is known.</summary>
internal readonly record struct Parsed(Op Op, byte Dst, byte Src, short Off, long Imm, int Line)
{
    public string? Label { get; init; }

    public TargetField Target { get; init; }

    public byte? OpcodeHint { get; init; }

    public DecodedInstruction Resolve(int pc, Dictionary<string, int> labels, string? source)
    {
        var insn = new DecodedInstruction(Op, Dst, Src, Off, Imm, pc);
        if (Label is null)
            return insn;
        if (!labels.TryGetValue(Label, out var target))
            throw new BpfAssemblyException(Line, $"unknown label '{Label}'", source);
        var rel = target - (pc + 1);
        if (Target == TargetField.Offset)
        {
            if (rel is < short.MinValue or > short.MaxValue)
                throw new BpfAssemblyException(Line, $"jump to '{Label}' out of range (offset {rel} does not fit 16 bits; use gotol)", source);
            return insn with { Offset = (short)rel };
        }

        return insn with { Imm = rel };
    }
}

/// <summary>The instruction grammar of <see cref="KernelSyntaxAssembler"/> (one regular expression per shape).</summary>
internal static partial class KernelSyntaxParser
{
    private const string Reg = @"[rw]\d+";
    private const string Num = @"[-+]?(?:0[xX][0-9a-fA-F]+|\d+)";
    private const string Target = @"(?:pc)?[-+]\d+|[A-Za-z_.][\w.]*";
    private const string SizeCast = @"\(\s*(?<size>[us](?:8|16|32|64))\s*\*\s*\)";
    private const string Size = @"\*" + SizeCast;
    private const string Mem = @"\(\s*r(?<base>\d+)\s*(?:(?<sign>[-+])\s*(?<off>0[xX][0-9a-fA-F]+|\d+))?\s*\)";
    private const string BareMem = @"r(?<base>\d+)\s*(?<sign>[-+])\s*(?<off>0[xX][0-9a-fA-F]+|\d+)";

    private readonly record struct Context(string Text, int Line, string? Source, byte? Hint)
    {
        public BpfAssemblyException Error(string reason) => new(Line, $"{reason} in '{Text}'", Source);
    }

    public static Parsed Parse(string text, byte? opcodeHint, int line, string? source)
    {
        var c = new Context(text, line, source, opcodeHint);
        var p = ParseCore(text, c);
        return p with { OpcodeHint = opcodeHint };
    }

    private static Parsed ParseCore(string text, Context c)
    {
        Match m;
        if (text == "exit")
            return new(Op.Exit, 0, 0, 0, 0, c.Line);
        if ((m = Goto().Match(text)).Success)
        {
            return m.Groups["l"].Success
                ? WithTarget(new(Op.Ja32, 0, 0, 0, 0, c.Line), m.Groups["t"].Value, TargetField.Imm, c)
                : WithTarget(new(Op.Ja, 0, 0, 0, 0, c.Line), m.Groups["t"].Value, TargetField.Offset, c);
        }

        if ((m = Conditional().Match(text)).Success)
            return ParseConditional(m, c);
        if ((m = CallLocal().Match(text)).Success)
            return new(Op.CallLocal, 0, 1, 0, Int32(m.Groups["t"].Value, c), c.Line);
        if ((m = CallKfunc().Match(text)).Success)
        {
            var btf = m.Groups["btf"].Success ? Int16(m.Groups["btf"].Value, c, "btf index") : (short)0;
            return new(Op.CallKfunc, 0, 2, btf, Int32(m.Groups["id"].Value, c), c.Line);
        }

        if ((m = CallHelper().Match(text)).Success)
            return new(Op.Call, 0, 0, 0, Int32(m.Groups["id"].Value, c), c.Line);
        if ((m = Callx().Match(text)).Success)
            return new(Op.Callx, Register(m.Groups["r"].Value, c), 0, 0, 0, c.Line);
        if ((m = Lock().Match(text)).Success)
        {
            var alu = m.Groups["op"].Value switch { "+=" => "add", "|=" => "or", "&=" => "and", _ => "xor" };
            return Atomic(m, alu, fetch: false, m.Groups["s"].Value, c);
        }

        if ((m = AtomicFetch().Match(text)).Success)
        {
            SameRegister(m.Groups["d"].Value, m.Groups["s"].Value, c);
            return Atomic(m, m.Groups["alu"].Value, fetch: true, m.Groups["s"].Value, c);
        }

        if ((m = AtomicXchg().Match(text)).Success || (m = LlvmXchg().Match(text)).Success)
        {
            SameRegister(m.Groups["d"].Value, m.Groups["s"].Value, c);
            return Atomic(m, "xchg", fetch: true, m.Groups["s"].Value, c);
        }

        if ((m = AtomicCmpXchg().Match(text)).Success || (m = LlvmCmpXchg().Match(text)).Success)
        {
            if (Register(m.Groups["d"].Value, c) != 0 || Register(m.Groups["r0"].Value, c) != 0)
                throw c.Error("cmpxchg compares with and loads into r0");
            return Atomic(m, "cmpxchg", fetch: true, m.Groups["s"].Value, c);
        }

        if ((m = Store().Match(text)).Success)
            return ParseStore(m, c);
        if ((m = PacketLoad().Match(text)).Success)
        {
            var size = m.Groups["size"].Value;
            var ind = m.Groups["ind"].Success;
            var op = (size, ind) switch
            {
                ("u8", false) => Op.LdAbsB,
                ("u16", false) => Op.LdAbsH,
                ("u32", false) => Op.LdAbsW,
                ("u64", false) => Op.LdAbsDW,
                ("u8", true) => Op.LdIndB,
                ("u16", true) => Op.LdIndH,
                ("u32", true) => Op.LdIndW,
                ("u64", true) => Op.LdIndDW,
                _ => throw c.Error($"no packet load of size {size}"),
            };
            var imm = m.Groups["imm"].Success ? Int32(m.Groups["imm"].Value, c) : 0;
            return new(op, 0, ind ? Register("r" + m.Groups["ind"].Value, c) : (byte)0, 0, imm, c.Line);
        }

        if ((m = Load().Match(text)).Success)
            return ParseLoad(m, c);
        if ((m = PseudoLddw().Match(text)).Success)
            return ParsePseudo(m, c);
        if ((m = Negate().Match(text)).Success)
        {
            SameRegister(m.Groups["d"].Value, m.Groups["s"].Value, c);
            var w = m.Groups["d"].Value[0] == 'w';
            return new(w ? Op.Neg32 : Op.Neg64, Register(m.Groups["d"].Value, c), 0, 0, 0, c.Line);
        }

        if ((m = Endian().Match(text)).Success)
        {
            if (Register(m.Groups["d"].Value, c) != Register(m.Groups["s"].Value, c))
                throw c.Error("byte swaps work in place (same register on both sides)");
            var bits = m.Groups["n"].Value;
            var op = (m.Groups["k"].Value, bits) switch
            {
                ("be", "16") => Op.Be16,
                ("be", "32") => Op.Be32,
                ("be", _) => Op.Be64,
                ("le", "16") => Op.Le16,
                ("le", "32") => Op.Le32,
                ("le", _) => Op.Le64,
                (_, "16") => Op.Bswap16,
                (_, "32") => Op.Bswap32,
                _ => Op.Bswap64,
            };
            return new(op, Register(m.Groups["d"].Value, c), 0, 0, 0, c.Line);
        }

        if ((m = MovSx().Match(text)).Success)
        {
            var w = Width(m.Groups["d"].Value, m.Groups["s"].Value, c);
            var op = (w, m.Groups["n"].Value) switch
            {
                (false, "8") => Op.MovSx8To64,
                (false, "16") => Op.MovSx16To64,
                (false, _) => Op.MovSx32To64,
                (true, "8") => Op.MovSx8To32,
                (true, "16") => Op.MovSx16To32,
                _ => throw c.Error("(s32) needs 64-bit registers"),
            };
            return new(op, Register(m.Groups["d"].Value, c), Register(m.Groups["s"].Value, c), 0, 0, c.Line);
        }

        if ((m = MoveImmediate().Match(text)).Success)
            return ParseMoveImmediate(m, c);
        if ((m = Alu().Match(text)).Success)
            return ParseAlu(m, c);
        throw c.Error("unrecognised instruction");
    }

    private static Parsed ParseConditional(Match m, Context c)
    {
        var d = m.Groups["d"].Value;
        var s = m.Groups["s"].Value;
        var isReg = IsRegister(s);
        var w = isReg ? Width(d, s, c) : d[0] == 'w';
        var index = m.Groups["op"].Value switch
        {
            "==" => 0,
            ">" => 1,
            ">=" => 2,
            "&" => 3,
            "!=" => 4,
            "s>" => 5,
            "s>=" => 6,
            "<" => 7,
            "<=" => 8,
            "s<" => 9,
            _ => 10,
        };
        var op = (Op)((int)Op.Jeq64Imm + (w ? 22 : 0) + (index * 2) + (isReg ? 1 : 0));
        var p = isReg
            ? new Parsed(op, Register(d, c), Register(s, c), 0, 0, c.Line)
            : new Parsed(op, Register(d, c), 0, 0, Int32(s, c), c.Line);
        return WithTarget(p, m.Groups["t"].Value, TargetField.Offset, c);
    }

    private static Parsed ParseStore(Match m, Context c)
    {
        var size = m.Groups["size"].Value;
        var (dst, off) = Memory(m, c);
        var value = m.Groups["v"].Value;
        if (IsRegister(value))
        {
            CheckSized(value, size, c);
            var op = size switch { "u8" => Op.StxB, "u16" => Op.StxH, "u32" => Op.StxW, "u64" => Op.StxDW, _ => throw c.Error($"cannot store {size}") };
            return new(op, dst, Register(value, c), off, 0, c.Line);
        }

        var stOp = size switch { "u8" => Op.StB, "u16" => Op.StH, "u32" => Op.StW, "u64" => Op.StDW, _ => throw c.Error($"cannot store {size}") };
        return new(stOp, dst, 0, off, Int32(value, c), c.Line);
    }

    private static Parsed ParseLoad(Match m, Context c)
    {
        var size = m.Groups["size"].Value;
        var d = m.Groups["d"].Value;
        CheckSized(d, size, c);
        var op = size switch
        {
            "u8" => Op.LdxB,
            "u16" => Op.LdxH,
            "u32" => Op.LdxW,
            "u64" => Op.LdxDW,
            "s8" => Op.LdxsB,
            "s16" => Op.LdxsH,
            "s32" => Op.LdxsW,
            _ => throw c.Error("there is no sign-extending 64-bit load"),
        };
        var (src, off) = Memory(m, c);
        return new(op, Register(d, c), src, off, 0, c.Line);
    }

    private static Parsed Atomic(Match m, string alu, bool fetch, string srcText, Context c)
    {
        var size = m.Groups["size"].Success ? m.Groups["size"].Value : m.Groups["w"].Value == "32_32" ? "u32" : "u64";
        CheckSized(srcText, size, c);
        if (size is not ("u32" or "u64"))
            throw c.Error($"atomic operations are 32 or 64 bits, not {size}");
        var name = (fetch && alu is not ("xchg" or "cmpxchg") ? "fetch " : "") + alu + (size == "u32" ? "32" : "");
        if (!ConformanceSyntax.TryLookupAtomic(name, out var op))
            throw c.Error($"unknown atomic operation {alu}");
        var (dst, off) = Memory(m, c);
        return new(op, dst, Register(srcText, c), off, 0, c.Line);
    }

    private static Parsed ParsePseudo(Match m, Context c)
    {
        var dst = Register(m.Groups["d"].Value, c);
        var low = m.Groups["n"].Success ? UInt32(m.Groups["n"].Value, c) : 0;
        var high = m.Groups["off"].Success ? UInt32(m.Groups["off"].Value, c) : 0;
        PseudoKind kind;
        if (m.Groups["sub"].Success)
        {
            kind = PseudoKind.CodeAddress;
            low = Int32(m.Groups["sub"].Value, c);
        }
        else if (m.Groups["btf"].Success)
        {
            kind = PseudoKind.Variable;
            high = m.Groups["btffd"].Success ? Int32(m.Groups["btffd"].Value, c) : 0;
        }
        else if (m.Groups["k"].Value == "idx")
        {
            kind = m.Groups["off"].Success ? PseudoKind.MapValueByIndex : PseudoKind.MapByIndex;
        }
        else
        {
            kind = m.Groups["off"].Success ? PseudoKind.MapValueByFd : PseudoKind.MapByFd;
        }

        return new(Op.Lddw, dst, (byte)kind, 0, ((long)high << 32) | (uint)low, c.Line);
    }

    private static Parsed ParseMoveImmediate(Match m, Context c)
    {
        var d = m.Groups["d"].Value;
        var value = m.Groups["v"].Value;
        var isLddw = m.Groups["ll"].Success || c.Hint == OpEncoding.OpcodeOf(Op.Lddw);
        if (d[0] == 'w')
        {
            if (isLddw)
                throw c.Error("lddw loads a 64-bit register (rN)");
            return new(Op.Mov32Imm, Register(d, c), 0, 0, Int32(value, c), c.Line);
        }

        var v = Int64(value, c);
        // Without "ll" a value a 32-bit immediate cannot hold must be an lddw: the register gets the written value.
        return isLddw || v is < int.MinValue or > int.MaxValue
            ? new(Op.Lddw, Register(d, c), 0, 0, v, c.Line)
            : new(Op.Mov64Imm, Register(d, c), 0, 0, v, c.Line);
    }

    private static Parsed ParseAlu(Match m, Context c)
    {
        var d = m.Groups["d"].Value;
        var v = m.Groups["v"].Value;
        var isReg = IsRegister(v);
        var w = isReg ? Width(d, v, c) : d[0] == 'w';
        var index = m.Groups["op"].Value switch
        {
            "+=" => 0,
            "-=" => 1,
            "*=" => 2,
            "/=" => 3,
            "s/=" => 4,
            "|=" => 5,
            "&=" => 6,
            "<<=" => 7,
            ">>=" => 8,
            "%=" => 9,
            "s%=" => 10,
            "^=" => 11,
            "=" => 12,
            _ => 13,
        };
        var op = (Op)((int)(w ? Op.Add32Imm : Op.Add64Imm) + (index * 2) + (isReg ? 1 : 0));
        return isReg
            ? new(op, Register(d, c), Register(v, c), 0, 0, c.Line)
            : new(op, Register(d, c), 0, 0, Int32(v, c), c.Line);
    }

    private static Parsed WithTarget(Parsed p, string target, TargetField field, Context c)
    {
        var t = target.StartsWith("pc", StringComparison.Ordinal) ? target[2..] : target;
        if (t.Length > 0 && t[0] is '+' or '-')
        {
            var rel = Int64(t, c);
            if (field == TargetField.Offset)
            {
                if (rel is < short.MinValue or > short.MaxValue)
                    throw c.Error($"jump offset {rel} out of range (16-bit; use gotol)");
                return p with { Off = (short)rel };
            }

            if (rel is < int.MinValue or > int.MaxValue)
                throw c.Error($"jump offset {rel} out of range (32-bit)");
            return p with { Imm = rel };
        }

        return p with { Label = target, Target = field };
    }

    private static (byte Reg, short Off) Memory(Match m, Context c)
    {
        var reg = Register("r" + m.Groups["base"].Value, c);
        if (!m.Groups["off"].Success)
            return (reg, 0);
        var magnitude = Int64(m.Groups["off"].Value, c);
        var off = m.Groups["sign"].Value == "-" ? -magnitude : magnitude;
        if (off is < short.MinValue or > short.MaxValue)
            throw c.Error($"offset {off} out of range (signed 16-bit)");
        return (reg, (short)off);
    }

    private static bool IsRegister(string s) => s.Length >= 2 && s[0] is 'r' or 'w' && char.IsAsciiDigit(s[1]);

    private static byte Register(string s, Context c)
    {
        if (int.TryParse(s.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 15)
            return (byte)n;
        throw c.Error($"invalid register '{s}' (registers are r0 to r10)");
    }

    // Both operands must be 64-bit (rN) or both 32-bit (wN); returns true for 32-bit.
    private static bool Width(string a, string b, Context c)
    {
        if (a[0] != b[0])
            throw c.Error($"'{a}' and '{b}' mix 64-bit (rN) and 32-bit (wN) registers");
        return a[0] == 'w';
    }

    private static void SameRegister(string a, string b, Context c)
    {
        if (Register(a, c) != Register(b, c))
            throw c.Error($"'{a}' and '{b}' must be the same register");
    }

    // wN is LLVM's alu32 spelling for sub-64-bit memory operands.
    private static void CheckSized(string reg, string size, Context c)
    {
        if (reg[0] == 'w' && size is "u64" or "s64")
            throw c.Error($"a 64-bit access needs rN, not '{reg}'");
    }

    private static long Int64(string s, Context c)
    {
        var negative = s.StartsWith('-');
        var body = s.TrimStart('+', '-');
        var hex = body.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        if (!(hex
                ? ulong.TryParse(body.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var magnitude)
                : ulong.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out magnitude)))
        {
            throw c.Error($"invalid number '{s}'");
        }

        if (negative && magnitude > 1UL << 63)
            throw c.Error($"number {s} out of range");
        return negative ? unchecked(-(long)magnitude) : unchecked((long)magnitude);
    }

    // Hex is a 32-bit pattern (0xfffffffd == -3); decimal must fit a signed 32-bit value.
    private static int Int32(string s, Context c)
    {
        var v = Int64(s, c);
        var hex = s.TrimStart('+', '-').StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        if (hex && !s.StartsWith('-') && v is >= 0 and <= uint.MaxValue)
            return unchecked((int)(uint)v);
        if (v is < int.MinValue or > int.MaxValue)
            throw c.Error($"immediate {s} out of range (32-bit)");
        return (int)v;
    }

    private static int UInt32(string s, Context c)
    {
        var v = Int64(s, c);
        if (v is < int.MinValue or > uint.MaxValue)
            throw c.Error($"value {s} out of range (32-bit)");
        return unchecked((int)v);
    }

    private static short Int16(string s, Context c, string what)
    {
        var v = Int64(s, c);
        if (v is < short.MinValue or > short.MaxValue)
            throw c.Error($"{what} {s} out of range (16-bit)");
        return (short)v;
    }

    [GeneratedRegex($@"^goto(?<l>l)?\s+(?<t>{Target})$")]
    private static partial Regex Goto();

    [GeneratedRegex($@"^if\s+(?<d>{Reg})\s*(?<op>s>=|s<=|s>|s<|==|!=|>=|<=|>|<|&)\s*(?<s>{Reg}|{Num})\s+goto\s+(?<t>{Target})$")]
    private static partial Regex Conditional();

    [GeneratedRegex(@"^call\s+pc(?<t>[-+]\d+)(?:#\S*)?$")]
    private static partial Regex CallLocal();

    [GeneratedRegex(@"^call\s+kernel-function#(?<id>-?\d+)(?:\s*\(btf\s+(?<btf>-?\d+)\))?$")]
    private static partial Regex CallKfunc();

    [GeneratedRegex($@"^call\s+(?:[A-Za-z_]\w*#)?(?<id>{Num})$")]
    private static partial Regex CallHelper();

    [GeneratedRegex(@"^callx\s+(?<r>r\d+)$")]
    private static partial Regex Callx();

    [GeneratedRegex($@"^lock\s+{Size}\s*{Mem}\s*(?<op>\+=|\|=|&=|\^=)\s*(?<s>{Reg})$")]
    private static partial Regex Lock();

    [GeneratedRegex($@"^(?<d>{Reg})\s*=\s*atomic(?:64)?_fetch_(?<alu>add|or|and|xor)\(\s*{SizeCast}\s*{Mem}\s*,\s*(?<s>{Reg})\s*\)$")]
    private static partial Regex AtomicFetch();

    [GeneratedRegex($@"^(?<d>{Reg})\s*=\s*atomic(?:64)?_xchg\(\s*{SizeCast}\s*{Mem}\s*,\s*(?<s>{Reg})\s*\)$")]
    private static partial Regex AtomicXchg();

    [GeneratedRegex($@"^(?<d>{Reg})\s*=\s*atomic(?:64)?_cmpxchg\(\s*{SizeCast}\s*{Mem}\s*,\s*(?<r0>{Reg})\s*,\s*(?<s>{Reg})\s*\)$")]
    private static partial Regex AtomicCmpXchg();

    [GeneratedRegex($@"^(?<d>{Reg})\s*=\s*xchg(?<w>32_32|_64)\(\s*{BareMem}\s*,\s*(?<s>{Reg})\s*\)$")]
    private static partial Regex LlvmXchg();

    [GeneratedRegex($@"^(?<d>{Reg})\s*=\s*cmpxchg(?<w>32_32|_64)\(\s*{BareMem}\s*,\s*(?<r0>{Reg})\s*,\s*(?<s>{Reg})\s*\)$")]
    private static partial Regex LlvmCmpXchg();

    [GeneratedRegex($@"^{Size}\s*{Mem}\s*=\s*(?<v>{Reg}|{Num})$")]
    private static partial Regex Store();

    [GeneratedRegex($@"^r0\s*=\s*{Size}\s*skb\[\s*(?:r(?<ind>\d+)\s*(?:\+\s*(?<imm>{Num}))?|(?<imm>{Num}))\s*\]$")]
    private static partial Regex PacketLoad();

    [GeneratedRegex($@"^(?<d>{Reg})\s*=\s*{Size}\s*{Mem}$")]
    private static partial Regex Load();

    [GeneratedRegex(@"^(?<d>r\d+)\s*=\s*(?:map\[(?<k>fd|id):(?<n>\d+)\](?:\[0\]\+(?<off>\d+))?|map\[(?<k>idx):(?<n>\d+)\](?:\+(?<off>\d+))?|subprog\[(?<sub>[-+]\d+)\]|btf_var\[id:(?<btf>(?<n>\d+))\](?:\[btf_fd:(?<btffd>-?\d+)\])?)$")]
    private static partial Regex PseudoLddw();

    [GeneratedRegex($@"^(?<d>{Reg})\s*=\s*-(?<s>{Reg})$")]
    private static partial Regex Negate();

    [GeneratedRegex($@"^(?<d>{Reg})\s*=\s*(?<k>be|le|bswap)(?<n>16|32|64)\s+(?<s>{Reg})$")]
    private static partial Regex Endian();

    [GeneratedRegex($@"^(?<d>{Reg})\s*=\s*\(s(?<n>8|16|32)\)\s*(?<s>{Reg})$")]
    private static partial Regex MovSx();

    [GeneratedRegex($@"^(?<d>{Reg})\s*=\s*(?<v>{Num})(?<ll>\s+ll)?$")]
    private static partial Regex MoveImmediate();

    [GeneratedRegex($@"^(?<d>{Reg})\s*(?<op>s>>=|s/=|s%=|<<=|>>=|\+=|-=|\*=|/=|\|=|&=|%=|\^=|=)\s*(?<v>{Reg}|{Num})$")]
    private static partial Regex Alu();
}
