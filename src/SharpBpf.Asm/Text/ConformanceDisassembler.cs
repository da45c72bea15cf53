using System.Globalization;
using System.Text;
using Form = SharpBpf.Asm.ConformanceSyntax.Form;

namespace SharpBpf.Asm;

/// <summary>
/// Prints instructions in the conformance-test dialect read by <see cref="ConformanceAssembler"/>
/// (<c>ldxw %r0, [%r1+4]</c>, <c>jeq %r1, 5, +3</c>, <c>lock fetch add [%r10-8], %r1</c>). Jump targets print as
/// <c>+N</c>/<c>-N</c>, so decode, print and assemble give back the same bytes for every valid instruction except
/// two fields the dialect cannot write: the offset of <c>exit</c> and the module-BTF offset of a kfunc call.
/// </summary>
public static class ConformanceDisassembler
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    /// <summary>The text of one instruction.</summary>
    /// <exception cref="ArgumentException"><paramref name="insn"/> is <see cref="Op.Invalid"/>.</exception>
    public static string Format(in DecodedInstruction insn)
    {
        var op = insn.Op;
        if (op == Op.Invalid)
            throw new ArgumentException($"cannot print an invalid instruction at pc {insn.Pc}", nameof(insn));
        var name = ConformanceSyntax.NameOf(op);
        var d = $"%r{insn.Dst}";
        var s = $"%r{insn.Src}";
        return ConformanceSyntax.FormOf(op) switch
        {
            Form.AluImm => Inv($"{name} {d}, {insn.Imm32}"),
            Form.AluReg => $"{name} {d}, {s}",
            Form.Unary => $"{name} {d}",
            Form.Lddw => $"lddw {d}, {LddwOperand(insn)}",
            Form.LdAbs => Inv($"{name} {insn.Imm32}"),
            Form.LdInd => Inv($"{name} {s}, {insn.Imm32}"),
            Form.Ldx => $"{name} {d}, {Mem(insn.Src, insn.Offset)}",
            Form.St => Inv($"{name} {Mem(insn.Dst, insn.Offset)}, {insn.Imm32}"),
            Form.Stx => $"{name} {Mem(insn.Dst, insn.Offset)}, {s}",
            Form.Atomic => $"lock {name} {Mem(insn.Dst, insn.Offset)}, {s}",
            Form.Ja => Inv($"ja {insn.Offset:+0;-0}"),
            Form.Ja32 => Inv($"ja32 {insn.Imm32:+0;-0}"),
            Form.JmpImm => Inv($"{name} {d}, {insn.Imm32}, {insn.Offset:+0;-0}"),
            Form.JmpReg => Inv($"{name} {d}, {s}, {insn.Offset:+0;-0}"),
            Form.Call => Inv($"call {insn.Imm32}"),
            Form.CallLocal => Inv($"call local {insn.Imm32:+0;-0}"),
            Form.CallKfunc => Inv($"call runtime {insn.Imm32}"),
            Form.Callx => $"call {d}",
            Form.Exit => "exit",
            _ => throw new ArgumentException($"no conformance syntax for {op}", nameof(insn)),
        };
    }

    /// <summary>A whole program, one instruction per line; an undecodable slot is an <c># invalid</c> comment line.</summary>
    public static string Format(ReadOnlySpan<Instruction> program)
    {
        var sb = new StringBuilder();
        foreach (var insn in Decoder.Decode(program))
        {
            sb.Append(insn.Op == Op.Invalid ? $"# invalid {program[insn.Pc]}" : Format(insn));
            sb.Append('\n');
        }

        return sb.ToString();
    }

    private static string Inv(FormattableString s) => s.ToString(s_inv);

    private static string Mem(byte reg, short off) => off switch
    {
        0 => $"[%r{reg}]",
        > 0 => Inv($"[%r{reg}+{off}]"),
        _ => Inv($"[%r{reg}{off}]"),
    };

    private static string LddwOperand(in DecodedInstruction insn)
    {
        if (insn.Pseudo == PseudoKind.None)
            return Inv($"0x{(ulong)insn.Imm:x}");
        var name = (int)insn.Pseudo < ConformanceAssembler.PseudoNames.Length ? ConformanceAssembler.PseudoNames[(int)insn.Pseudo] : $"src{insn.Src}";
        return insn.NextImm == 0 ? Inv($"{name}({insn.Imm32})") : Inv($"{name}({insn.Imm32}, {insn.NextImm})");
    }
}
