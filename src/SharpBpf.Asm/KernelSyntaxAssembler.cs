using System.Globalization;
using System.Text.RegularExpressions;

namespace SharpBpf.Asm;

/// <summary>
/// Assembles the kernel/LLVM C-like syntax printed by <see cref="Disassembler"/>, <c>bpftool prog dump xlated</c>
/// and <c>llvm-objdump -d</c>: one instruction per line, so their output can be pasted in.
/// </summary>
/// <remarks>
/// <para>Accepted around each instruction: a leading <c>N:</c> pc column, bpftool's <c>(b7)</c> opcode column,
/// llvm-objdump's hex byte columns and trailing <c>&lt;LBB0_2&gt;</c> symbols; <c>;</c> and <c>//</c> comments
/// (bpftool prints source lines as <c>; ...</c>); objdump's section and symbol header lines and bpftool's
/// <c>opcodes</c> byte lines are skipped. Labels (<c>name:</c> alone on a line) may be used as jump targets.</para>
/// <para>Both spellings of each instruction are read: <c>(r1 +4)</c> and <c>(r1 + 4)</c>, <c>goto pc+3</c> and
/// <c>goto +3</c>, <c>atomic64_xchg((u64 *)(r1 +0), r2)</c> and <c>xchg_64(r1 + 0, r2)</c>, <c>call name#1</c> and
/// <c>call 1</c>, <c>call pc+3</c> (local call). Hex immediates are 32-bit patterns (<c>0xfffffffd</c> is -3),
/// decimal ones signed.</para>
/// <para><c>rD = VALUE ll</c> is an <c>lddw</c>. Without <c>ll</c>, <c>rD = VALUE</c> is a 64-bit move when the
/// value fits a signed 32-bit immediate and an <c>lddw</c> otherwise, so the register gets the written value either
/// way; a bpftool <c>(18)</c> opcode column forces <c>lddw</c>. Pseudo <c>lddw</c> forms are those of
/// <see cref="Disassembler"/>, plus bpftool's <c>map[id:N]</c> and <c>map[id:N][0]+OFF</c> (read as src 1 and 2).</para>
/// </remarks>
public static partial class KernelSyntaxAssembler
{
    /// <summary>Assembles <paramref name="text"/> into instruction slots.</summary>
    /// <exception cref="BpfAssemblyException">A line is not a valid instruction; the message names the line.</exception>
    public static Instruction[] Assemble(string text) => Assemble(text, null);

    /// <summary>Assembles <paramref name="text"/>, naming <paramref name="source"/> in errors.</summary>
    /// <exception cref="BpfAssemblyException">A line is not a valid instruction; the message names the line.</exception>
    public static Instruction[] Assemble(string text, string? source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parsed = new List<Parsed>();
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        var slot = 0;
        var lineNo = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNo++;
            var line = StripNoise(rawLine, out var opcodeHint);
            if (line.Length == 0)
                continue;
            var label = LabelLine().Match(line);
            if (label.Success)
            {
                if (!labels.TryAdd(label.Groups[1].Value, slot))
                    throw new BpfAssemblyException(lineNo, $"label '{label.Groups[1].Value}' is defined twice", source);
                continue;
            }

            var p = KernelSyntaxParser.Parse(line, opcodeHint, lineNo, source);
            parsed.Add(p);
            slot += p.Op == Op.Lddw ? 2 : 1;
        }

        var program = new Instruction[slot];
        var pc = 0;
        foreach (var p in parsed)
        {
            var insn = p.Resolve(pc, labels, source);
            if (p.OpcodeHint is { } hint && hint != OpEncoding.OpcodeOf(insn.Op))
                throw new BpfAssemblyException(p.Line, $"opcode column ({hint:x2}) does not match the instruction (opcode {OpEncoding.OpcodeOf(insn.Op):x2})", source);
            pc += Encoder.Encode(insn, program.AsSpan(pc));
        }

        return program;
    }

    // Removes comments, pc / opcode / byte columns and symbol suffixes; returns "" for lines that carry no instruction.
    private static string StripNoise(string raw, out byte? opcodeHint)
    {
        opcodeHint = null;
        var line = raw;
        var cut = line.IndexOf(';', StringComparison.Ordinal);
        if (cut >= 0)
            line = line[..cut];
        cut = line.IndexOf("//", StringComparison.Ordinal);
        if (cut >= 0)
            line = line[..cut];
        line = line.Trim();
        if (line.Length == 0 || HeaderLine().IsMatch(line))
            return "";

        var m = PcColumn().Match(line);
        if (m.Success)
            line = line[m.Length..];
        m = OpcodeColumn().Match(line);
        if (m.Success)
        {
            opcodeHint = byte.Parse(m.Groups[1].ValueSpan, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            line = line[m.Length..];
        }

        m = ByteColumns().Match(line);
        if (m.Success)
            line = line[m.Length..];
        line = SymbolSuffix().Replace(line, "");
        return line.Trim();
    }

    [GeneratedRegex(@"^([A-Za-z_.][\w.]*):$")]
    private static partial Regex LabelLine();

    // objdump: "x.o:  file format elf64-bpf", "Disassembly of section xdp:", "0000000000000178 <LBB0_2>:";
    // bpftool: "int prog(struct xdp_md * ctx):" function headers and "opcodes" byte lines.
    [GeneratedRegex(@"^(?:\S+:\s+file format .*|Disassembly of section .*|[0-9a-fA-F]+ <[^>]*>:|[^:]*\(.*\):|(?:[0-9a-fA-F]{2}\s+)*[0-9a-fA-F]{2})$")]
    private static partial Regex HeaderLine();

    [GeneratedRegex(@"^\d+:\s*")]
    private static partial Regex PcColumn();

    [GeneratedRegex(@"^\(([0-9a-fA-F]{2})\)\s*")]
    private static partial Regex OpcodeColumn();

    [GeneratedRegex(@"^(?:[0-9a-fA-F]{2}[ \t]+){8}(?:(?:[0-9a-fA-F]{2}[ \t]+){8})?")]
    private static partial Regex ByteColumns();

    // Only a suffix: a line that is nothing but "<unknown>" must stay an error.
    [GeneratedRegex(@"(?<=\S)\s+<[^<>]*>$")]
    private static partial Regex SymbolSuffix();
}
