using System.Globalization;
using Form = SharpBpf.Asm.ConformanceSyntax.Form;

namespace SharpBpf.Asm;

/// <summary>
/// Assembles the conformance-test dialect (<c>mov %r0, 1</c>, <c>ldxw %r0, [%r1+4]</c>, <c>jeq %r1, 0, exit</c>,
/// <c>lock fetch add [%r10-8], %r1</c> ...) described in testdata/conformance/FORMAT.md section 4.
/// </summary>
/// <remarks>
/// <para>Labels are <c>name:</c> lines; a label's value is the slot of the next instruction. The label <c>exit</c>
/// is predefined as the first <c>exit</c> instruction (unless the text defines it). Jump targets are labels or
/// <c>+N</c>/<c>-N</c> slot offsets counted from the next instruction. Commas are optional.</para>
/// <para>Immediates: decimal must fit a signed 32-bit value; <c>0x</c> hex is a 32-bit pattern (so
/// <c>0xffffffff</c> is -1). <c>lddw</c> takes any 64-bit value. Registers <c>%r11</c>-<c>%r15</c> are accepted
/// (they are encodable) so that bad-register programs can be built; <see cref="Validator"/> rejects them.</para>
/// <para>Extensions beyond the upstream dialect, so that every instruction can be written:
/// <c>call runtime N</c> (kfunc call, src 2), <c>ldabsw imm</c> / <c>ldindw %rS, imm</c> (legacy packet loads) and
/// pseudo <c>lddw</c> forms <c>lddw %rD, map_fd(N)</c>, <c>map_value(N, OFF)</c>, <c>btf_id(N)</c>,
/// <c>func(N)</c>, <c>map_idx(N)</c>, <c>map_idx_value(N, OFF)</c> for src 1 to 6 (the optional second value is the
/// second slot's imm).</para>
/// </remarks>
public static class ConformanceAssembler
{
    internal static readonly string[] PseudoNames = ["", "map_fd", "map_value", "btf_id", "func", "map_idx", "map_idx_value"];

    /// <summary>Assembles <paramref name="text"/> into instruction slots.</summary>
    /// <exception cref="BpfAssemblyException">The text is not valid assembly; the message names the line.</exception>
    public static Instruction[] Assemble(string text) => Assemble(text, null, 1);

    /// <summary>
    /// Assembles <paramref name="text"/>, numbering its lines from <paramref name="firstLine"/> and naming
    /// <paramref name="source"/> in errors (used for assembly embedded in a larger file).
    /// </summary>
    /// <exception cref="BpfAssemblyException">The text is not valid assembly; the message names the line.</exception>
    public static Instruction[] Assemble(string text, string? source, int firstLine)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = new List<(int Line, List<string> Tokens)>();
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstExit = -1;
        var slot = 0;
        var lineNo = firstLine - 1;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNo++;
            var line = StripComment(rawLine).Trim();
            if (line.Length == 0)
                continue;
            if (line.EndsWith(':') && IsLabelName(line.AsSpan(0, line.Length - 1)))
            {
                var name = line[..^1];
                if (!labels.TryAdd(name, slot))
                    throw new BpfAssemblyException(lineNo, $"label '{name}' is defined twice", source);
                continue;
            }

            var tokens = Tokenize(line, lineNo, source);
            if (tokens.Count == 0)
                throw new BpfAssemblyException(lineNo, $"expected an instruction, got '{line}'", source);
            var mnemonic = tokens[0].ToLowerInvariant();
            if (mnemonic == "exit" && firstExit < 0)
                firstExit = slot;
            lines.Add((lineNo, tokens));
            slot += mnemonic == "lddw" ? 2 : 1;
        }

        if (firstExit >= 0)
            labels.TryAdd("exit", firstExit);

        var program = new Instruction[slot];
        var pc = 0;
        foreach (var (line, tokens) in lines)
        {
            var ctx = new Context(line, source, pc, labels);
            var insn = AssembleOne(tokens, ctx);
            pc += Encoder.Encode(insn, program.AsSpan(pc));
        }

        return program;
    }

    internal static string StripComment(string line)
    {
        var hash = line.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? line : line[..hash];
    }

    private static bool IsLabelName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || !(char.IsAsciiLetter(name[0]) || name[0] is '_' or '.'))
            return false;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.'))
                return false;
        }

        return true;
    }

    // Splits on white space and commas, except inside [...] and (...), whose spaces are dropped.
    private static List<string> Tokenize(string line, int lineNo, string? source)
    {
        var tokens = new List<string>();
        var current = new System.Text.StringBuilder();
        var depth = 0;
        foreach (var c in line)
        {
            if (c is '[' or '(')
                depth++;
            else if (c is ']' or ')')
                depth--;
            if (depth < 0)
                throw new BpfAssemblyException(lineNo, $"unbalanced '{c}'", source);
            if (depth == 0 && (char.IsWhiteSpace(c) || c == ','))
            {
                if (current.Length > 0)
                    tokens.Add(current.ToString());
                current.Clear();
            }
            else if (!char.IsWhiteSpace(c))
            {
                current.Append(c);
            }
        }

        if (depth != 0)
            throw new BpfAssemblyException(lineNo, "unbalanced brackets", source);
        if (current.Length > 0)
            tokens.Add(current.ToString());
        return tokens;
    }

    private readonly record struct Context(int Line, string? Source, int Pc, Dictionary<string, int> Labels)
    {
        public BpfAssemblyException Error(string reason) => new(Line, reason, Source);
    }

    private static DecodedInstruction AssembleOne(List<string> tokens, Context ctx)
    {
        var mnemonic = tokens[0].ToLowerInvariant();
        var operands = tokens.GetRange(1, tokens.Count - 1);
        switch (mnemonic)
        {
            case "lock":
                return AssembleAtomic(operands, ctx);
            case "call":
                return AssembleCall(operands, ctx);
            case "exit":
                Expect(operands, 0, "exit", ctx);
                return new(Op.Exit, 0, 0, 0, 0, ctx.Pc);
        }

        if (!ConformanceSyntax.TryLookup(mnemonic, out var immOp, out var regOp))
            throw ctx.Error($"unknown mnemonic '{tokens[0]}'");

        switch (ConformanceSyntax.FormOf(immOp))
        {
            case Form.AluImm:
            case Form.AluReg:
            {
                Expect(operands, 2, $"{mnemonic} %rD, %rS|IMM", ctx);
                var dst = Register(operands[0], ctx);
                if (IsRegister(operands[1]))
                    return new(regOp, dst, Register(operands[1], ctx), 0, 0, ctx.Pc);
                if (ConformanceSyntax.FormOf(immOp) == Form.AluReg)
                    throw ctx.Error($"{mnemonic} needs a register source, not '{operands[1]}'");
                return new(immOp, dst, 0, 0, Imm32(operands[1], ctx), ctx.Pc);
            }

            case Form.Unary:
                Expect(operands, 1, $"{mnemonic} %rD", ctx);
                return new(immOp, Register(operands[0], ctx), 0, 0, 0, ctx.Pc);
            case Form.Lddw:
                return AssembleLddw(operands, ctx);
            case Form.LdAbs:
                Expect(operands, 1, $"{mnemonic} IMM", ctx);
                return new(immOp, 0, 0, 0, Imm32(operands[0], ctx), ctx.Pc);
            case Form.LdInd:
                Expect(operands, 2, $"{mnemonic} %rS, IMM", ctx);
                return new(immOp, 0, Register(operands[0], ctx), 0, Imm32(operands[1], ctx), ctx.Pc);
            case Form.Ldx:
            {
                Expect(operands, 2, $"{mnemonic} %rD, [%rS+OFF]", ctx);
                var dst = Register(operands[0], ctx);
                var (src, off) = Memory(operands[1], ctx);
                return new(immOp, dst, src, off, 0, ctx.Pc);
            }

            case Form.St:
            {
                Expect(operands, 2, $"{mnemonic} [%rD+OFF], IMM", ctx);
                var (dst, off) = Memory(operands[0], ctx);
                return new(immOp, dst, 0, off, Imm32(operands[1], ctx), ctx.Pc);
            }

            case Form.Stx:
            {
                Expect(operands, 2, $"{mnemonic} [%rD+OFF], %rS", ctx);
                var (dst, off) = Memory(operands[0], ctx);
                return new(immOp, dst, Register(operands[1], ctx), off, 0, ctx.Pc);
            }

            case Form.Ja:
                Expect(operands, 1, $"{mnemonic} TARGET", ctx);
                return new(Op.Ja, 0, 0, Offset16(Target(operands[0], ctx), ctx), 0, ctx.Pc);
            case Form.Ja32:
                Expect(operands, 1, $"{mnemonic} TARGET", ctx);
                return new(Op.Ja32, 0, 0, 0, Target(operands[0], ctx), ctx.Pc);
            case Form.JmpImm:
            case Form.JmpReg:
            {
                Expect(operands, 3, $"{mnemonic} %rD, %rS|IMM, TARGET", ctx);
                var dst = Register(operands[0], ctx);
                var off = Offset16(Target(operands[2], ctx), ctx);
                return IsRegister(operands[1])
                    ? new(regOp, dst, Register(operands[1], ctx), off, 0, ctx.Pc)
                    : new(immOp, dst, 0, off, Imm32(operands[1], ctx), ctx.Pc);
            }

            default:
                throw ctx.Error($"unknown mnemonic '{tokens[0]}'");
        }
    }

    private static DecodedInstruction AssembleAtomic(List<string> operands, Context ctx)
    {
        // lock [fetch] op [%rD+OFF], %rS: the words before the memory operand name the operation.
        var memAt = operands.FindIndex(t => t.StartsWith('['));
        if (memAt < 1 || operands.Count - memAt != 2)
            throw ctx.Error("invalid number of operands for lock (expected 'lock [fetch] OP [%rD+OFF], %rS')");
        var words = string.Join(' ', operands.GetRange(0, memAt)).ToLowerInvariant();
        if (!ConformanceSyntax.TryLookupAtomic(words, out var op))
            throw ctx.Error($"unknown atomic operation 'lock {words}'");
        var (dst, off) = Memory(operands[memAt], ctx);
        return new(op, dst, Register(operands[memAt + 1], ctx), off, 0, ctx.Pc);
    }

    private static DecodedInstruction AssembleCall(List<string> operands, Context ctx)
    {
        if (operands.Count == 2 && operands[0].Equals("local", StringComparison.OrdinalIgnoreCase))
            return new(Op.CallLocal, 0, 1, 0, Target(operands[1], ctx), ctx.Pc);
        if (operands.Count == 2 && operands[0].Equals("runtime", StringComparison.OrdinalIgnoreCase))
            return new(Op.CallKfunc, 0, 2, 0, Imm32(operands[1], ctx), ctx.Pc);
        if (operands.Count == 2 && operands[0].Equals("helper", StringComparison.OrdinalIgnoreCase))
            operands = operands.GetRange(1, 1);
        if (operands.Count != 1)
            throw ctx.Error("wrong operand count for call (expected 'call N', 'call local TARGET', 'call runtime N' or 'call %rN')");
        return IsRegister(operands[0])
            ? new(Op.Callx, Register(operands[0], ctx), 0, 0, 0, ctx.Pc)
            : new(Op.Call, 0, 0, 0, Imm32(operands[0], ctx), ctx.Pc);
    }

    private static DecodedInstruction AssembleLddw(List<string> operands, Context ctx)
    {
        Expect(operands, 2, "lddw %rD, IMM64", ctx);
        var dst = Register(operands[0], ctx);
        var value = operands[1];
        var open = value.IndexOf('(', StringComparison.Ordinal);
        if (open < 0)
            return new(Op.Lddw, dst, 0, 0, Imm64(value, ctx), ctx.Pc);

        var kind = Array.IndexOf(PseudoNames, value[..open].ToLowerInvariant());
        if (kind <= 0 || !value.EndsWith(')'))
            throw ctx.Error($"unknown lddw operand '{value}' (expected a number or one of {string.Join(", ", PseudoNames[1..])}(N[, N]))");
        var args = value[(open + 1)..^1].Split(',');
        if (args.Length is < 1 or > 2)
            throw ctx.Error($"'{value}' takes one or two values");
        var low = Imm32(args[0], ctx);
        var high = args.Length == 2 ? Imm32(args[1], ctx) : 0;
        return new(Op.Lddw, dst, (byte)kind, 0, ((long)high << 32) | (uint)low, ctx.Pc);
    }

    private static void Expect(List<string> operands, int count, string shape, Context ctx)
    {
        if (operands.Count != count)
            throw ctx.Error($"wrong operand count: expected {count} ('{shape}'), got {operands.Count}");
    }

    private static bool IsRegister(string token) =>
        token.StartsWith("%r", StringComparison.OrdinalIgnoreCase)
        || (token.Length >= 2 && token[0] is 'r' or 'R' && char.IsAsciiDigit(token[1]));

    private static byte Register(string token, Context ctx)
    {
        var digits = token.StartsWith('%') ? token.AsSpan(1) : token.AsSpan();
        if (digits.Length >= 2 && digits[0] is 'r' or 'R'
            && int.TryParse(digits[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n <= 15)
        {
            return (byte)n;
        }

        throw ctx.Error($"invalid register '{token}' (expected %r0 to %r10)");
    }

    // "[%rN]", "[%rN+off]", "[%rN-off]"
    private static (byte Reg, short Off) Memory(string token, Context ctx)
    {
        if (token.Length < 3 || token[0] != '[' || token[^1] != ']')
            throw ctx.Error($"expected a memory operand like [%r1+8], got '{token}'");
        var inner = token[1..^1];
        var sign = inner.IndexOfAny(['+', '-']);
        if (sign < 0)
            return (Register(inner, ctx), 0);
        var reg = Register(inner[..sign], ctx);
        if (!TryParseSigned(inner[sign..], out var value, out _))
            throw ctx.Error($"invalid offset in '{token}'");
        if (value is < short.MinValue or > short.MaxValue)
            throw ctx.Error($"offset {inner[sign..]} out of range (signed 16-bit) in '{token}'");
        return (reg, (short)value);
    }

    private static int Imm32(string token, Context ctx)
    {
        if (!TryParseSigned(token, out var value, out var isHex))
            throw ctx.Error($"invalid immediate '{token}'");
        // Unsigned hex is a 32-bit pattern (0xffffffff == -1); decimal and negative hex are signed values.
        if (isHex && !token.StartsWith('-') && value is >= 0 and <= uint.MaxValue)
            return unchecked((int)(uint)value);
        if (value is < int.MinValue or > int.MaxValue)
            throw ctx.Error($"immediate {token} out of range (32-bit)");
        return (int)value;
    }

    private static long Imm64(string token, Context ctx)
    {
        var negative = token.StartsWith('-');
        var body = token.TrimStart('+', '-');
        var isHex = body.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        var ok = isHex
            ? ulong.TryParse(body.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var magnitude)
            : ulong.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out magnitude);
        if (!ok || body.Length == (isHex ? 2 : 0))
            throw ctx.Error($"invalid 64-bit immediate '{token}'");
        if (negative && magnitude > 1UL << 63)
            throw ctx.Error($"immediate {token} out of range (64-bit)");
        return negative ? unchecked(-(long)magnitude) : unchecked((long)magnitude);
    }

    // A signed decimal or hex number; hex magnitudes up to 32 bits, decimal up to 64 bits (range checks by callers).
    private static bool TryParseSigned(string token, out long value, out bool isHex)
    {
        value = 0;
        var negative = token.StartsWith('-');
        var body = token.StartsWith('-') || token.StartsWith('+') ? token[1..] : token;
        isHex = body.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        if (isHex)
        {
            var digits = body.AsSpan(2);
            if (digits.IsEmpty || !ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex) || hex > 1UL << 40)
                return false;
            value = negative ? -(long)hex : (long)hex;
            return true;
        }

        if (body.Length == 0 || !ulong.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out var dec) || dec > 1UL << 40)
            return false;
        value = negative ? -(long)dec : (long)dec;
        return true;
    }

    // A jump or call target: +N / -N / N (slots after the next instruction) or a label.
    private static int Target(string token, Context ctx)
    {
        if (token.Length > 0 && (char.IsAsciiDigit(token[0]) || token[0] is '+' or '-'))
        {
            if (!TryParseSigned(token, out var rel, out _) || rel is < int.MinValue or > int.MaxValue)
                throw ctx.Error($"invalid jump offset '{token}'");
            return (int)rel;
        }

        if (!ctx.Labels.TryGetValue(token, out var target))
            throw ctx.Error($"unknown label '{token}'");
        return target - (ctx.Pc + 1);
    }

    private static short Offset16(int offset, Context ctx)
    {
        if (offset is < short.MinValue or > short.MaxValue)
            throw ctx.Error($"jump offset {offset} out of range (16-bit; use ja32 for long jumps)");
        return (short)offset;
    }
}
