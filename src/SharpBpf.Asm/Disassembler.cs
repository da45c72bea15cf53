using System.Globalization;
using System.Text;
using SharpBpf.Abi;

namespace SharpBpf.Asm;

/// <summary>
/// Prints instructions in the kernel/LLVM C-like syntax (see <see cref="DisassemblySyntax"/>).
/// <see cref="KernelSyntaxAssembler"/> reads the output back.
/// </summary>
/// <remarks>
/// <para>Kernel syntax follows <c>kernel/bpf/disasm.c</c> character for character, with these choices where the
/// kernel prints nothing usable: a plain <c>lddw</c> prints as <c>r1 = 0x123456789 ll</c> (bpftool omits
/// <c>ll</c>, which makes <c>r1 = 0x5</c> ambiguous with a 32-bit move; the program listing keeps bpftool's exact
/// form because its <c>(18)</c> opcode column disambiguates); pseudo <c>lddw</c> prints as <c>map[fd:N]</c> (src 1),
/// <c>map[fd:N][0]+OFF</c> (src 2), <c>btf_var[id:N]</c> or <c>btf_var[id:N][btf_fd:M]</c> (src 3),
/// <c>subprog[+N]</c> (src 4), <c>map[idx:N]</c> (src 5) and <c>map[idx:N]+OFF</c> (src 6), bpftool's spellings
/// where it has one; <c>callx</c> prints as <c>callx r2</c>; a kfunc call as <c>call kernel-function#ID</c>, with
/// <c> (btf N)</c> appended when its offset (module BTF index) is not zero.</para>
/// <para>Instructions that do not decode print as <c>.invalid {op=0x.. dst=.. src=.. off=.. imm=..}</c>.</para>
/// </remarks>
public static class Disassembler
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    /// <summary>The text of one instruction, e.g. <c>r0 = *(u32 *)(r1 +4)</c>.</summary>
    public static string Format(in DecodedInstruction insn, DisassemblySyntax syntax = DisassemblySyntax.Kernel) =>
        syntax == DisassemblySyntax.Kernel ? FormatKernel(insn, withLl: true) : FormatLlvm(insn, syntax == DisassemblySyntax.LlvmAlu32);

    /// <summary>
    /// A listing of a whole program, one instruction per line. Kernel syntax uses <c>bpftool prog dump xlated</c>'s
    /// layout (<c>   0: (b7) r0 = 0</c>); LLVM syntax uses llvm-objdump's without the byte columns (<c>       0:	r0 = 0</c>).
    /// </summary>
    public static string Format(ReadOnlySpan<Instruction> program, DisassemblySyntax syntax = DisassemblySyntax.Kernel) =>
        Format(Decoder.Decode(program), program, syntax);

    /// <summary>A listing of decoded instructions (see <see cref="Format(ReadOnlySpan{Instruction}, DisassemblySyntax)"/>).</summary>
    public static string Format(ReadOnlySpan<DecodedInstruction> program, DisassemblySyntax syntax = DisassemblySyntax.Kernel) =>
        Format(program, [], syntax);

    private static string Format(ReadOnlySpan<DecodedInstruction> program, ReadOnlySpan<Instruction> slots, DisassemblySyntax syntax)
    {
        var sb = new StringBuilder();
        foreach (var insn in program)
        {
            if (syntax != DisassemblySyntax.Kernel)
            {
                sb.Append(s_inv, $"{insn.Pc,8}:\t{FormatLlvm(insn, syntax == DisassemblySyntax.LlvmAlu32)}\n");
                continue;
            }

            var opcode = insn.Op != Op.Invalid ? OpEncoding.OpcodeOf(insn.Op) : insn.Pc < slots.Length ? slots[insn.Pc].Opcode : 0;
            var text = insn.Op == Op.Invalid && insn.Pc < slots.Length ? Invalid(slots[insn.Pc]) : FormatKernel(insn, withLl: false);
            sb.Append(s_inv, $"{insn.Pc,4}: ({opcode:x2}) {text}\n");
        }

        return sb.ToString();
    }

    internal static string Invalid(Instruction raw) => $".invalid {raw}";

    private static string FormatKernel(in DecodedInstruction i, bool withLl)
    {
        var op = i.Op;
        var w = Is32(op) ? 'w' : 'r';
        switch (op)
        {
            case Op.Invalid:
                return Invalid(new Instruction(0, i.Dst, i.Src, i.Offset, i.Imm32));
            case Op.Neg64 or Op.Neg32:
                return $"{w}{i.Dst} = -{w}{i.Dst}";
            case >= Op.MovSx8To64 and <= Op.MovSx16To32:
                return $"{w}{i.Dst} = (s{MovSxBits(op)}){w}{i.Src}";
            case >= Op.Le16 and <= Op.Be64:
                return $"r{i.Dst} = {(op >= Op.Be16 ? "be" : "le")}{SwapBits(op)} r{i.Dst}";
            case >= Op.Bswap16 and <= Op.Bswap64:
                return $"r{i.Dst} = bswap{SwapBits(op)} r{i.Dst}";
            case >= Op.Add64Imm and <= Op.Arsh32Reg:
                return IsRegAlu(op)
                    ? $"{w}{i.Dst} {AluOperator(op)} {w}{i.Src}"
                    : Inv($"{w}{i.Dst} {AluOperator(op)} {i.Imm32}");
            case Op.Lddw:
                return $"r{i.Dst} = {LddwValue(i)}" + (withLl && i.Pseudo == PseudoKind.None ? " ll" : "");
            case >= Op.LdAbsB and <= Op.LdAbsDW:
                return Inv($"r0 = *({Size(op)} *)skb[{i.Imm32}]");
            case >= Op.LdIndB and <= Op.LdIndDW:
                return Inv($"r0 = *({Size(op)} *)skb[r{i.Src} + {i.Imm32}]");
            case >= Op.LdxB and <= Op.LdxsW:
                return Inv($"r{i.Dst} = *({Size(op)} *)(r{i.Src} {i.Offset:+0;-0})");
            case >= Op.StB and <= Op.StDW:
                return Inv($"*({Size(op)} *)(r{i.Dst} {i.Offset:+0;-0}) = {i.Imm32}");
            case >= Op.StxB and <= Op.StxDW:
                return Inv($"*({Size(op)} *)(r{i.Dst} {i.Offset:+0;-0}) = r{i.Src}");
            case >= Op.AtomicAdd32 and <= Op.AtomicCmpXchg64:
                return KernelAtomic(i);
            case Op.Ja:
                return Inv($"goto pc{i.Offset:+0;-0}");
            case Op.Ja32:
                return Inv($"gotol pc{i.Imm32:+0;-0}");
            case >= Op.Jeq64Imm and <= Op.Jsle32Reg:
                return IsRegJump(op)
                    ? Inv($"if {w}{i.Dst} {JumpOperator(op)} {w}{i.Src} goto pc{i.Offset:+0;-0}")
                    : Inv($"if {w}{i.Dst} {JumpOperator(op)} 0x{(uint)i.Imm32:x} goto pc{i.Offset:+0;-0}");
            case Op.Call:
                return Inv($"call {KernelHelperName(i.Imm32)}#{i.Imm32}");
            case Op.CallLocal:
                return Inv($"call pc{i.Imm32:+0;-0}");
            case Op.CallKfunc:
                return i.Offset == 0 ? Inv($"call kernel-function#{i.Imm32}") : Inv($"call kernel-function#{i.Imm32} (btf {i.Offset})");
            case Op.Callx:
                return $"callx r{i.Dst}";
            case Op.Exit:
                return "exit";
            default:
                return Invalid(new Instruction(OpEncoding.OpcodeOf(op), i.Dst, i.Src, i.Offset, i.Imm32));
        }
    }

    private static string KernelAtomic(in DecodedInstruction i)
    {
        var size = Size(i.Op);
        var mem = Inv($"(({size} *)(r{i.Dst} {i.Offset:+0;-0})");
        var width = size == "u64" ? "64" : "";
        return AtomicKind(i.Op) switch
        {
            (false, var alu) when alu is not null => Inv($"lock *({size} *)(r{i.Dst} {i.Offset:+0;-0}) {AtomicOperator(alu)} r{i.Src}"),
            (true, var alu) when alu is not null => $"r{i.Src} = atomic{width}_fetch_{alu}{mem}, r{i.Src})",
            (_, _) when i.Op is Op.AtomicXchg32 or Op.AtomicXchg64 => $"r{i.Src} = atomic{width}_xchg{mem}, r{i.Src})",
            _ => $"r0 = atomic{width}_cmpxchg{mem}, r0, r{i.Src})",
        };
    }

    private static string FormatLlvm(in DecodedInstruction i, bool alu32)
    {
        var op = i.Op;
        var w = Is32(op) ? 'w' : 'r';
        // With alu32, LLVM names the value register of a sub-64-bit load, store or atomic wN.
        var v = alu32 && Size(op) is not ("u64" or "s8" or "s16" or "s32") ? 'w' : 'r';
        switch (op)
        {
            case >= Op.Add64Imm and <= Op.Bswap64: // ALU, neg, movsx, endianness: LLVM and the kernel agree
            case >= Op.LdAbsB and <= Op.LdAbsDW:
            case Op.Exit:
                return FormatKernel(i, withLl: true);
            case Op.Lddw:
                return Inv($"r{i.Dst} = {i.Imm} ll");
            case >= Op.LdIndB and <= Op.LdIndDW:
                return $"r0 = *({Size(op)} *)skb[r{i.Src}]";
            case >= Op.LdxB and <= Op.LdxDW:
                return $"{v}{i.Dst} = *({Size(op)} *){LlvmMem(i.Src, i.Offset)}";
            case >= Op.LdxsB and <= Op.LdxsW:
                return $"r{i.Dst} = *({Size(op)} *){LlvmMem(i.Src, i.Offset)}";
            case >= Op.StB and <= Op.StDW:
                return Inv($"*({Size(op)} *){LlvmMem(i.Dst, i.Offset)} = {i.Imm32}");
            case >= Op.StxB and <= Op.StxDW:
                return $"*({Size(op)} *){LlvmMem(i.Dst, i.Offset)} = {v}{i.Src}";
            case >= Op.AtomicAdd32 and <= Op.AtomicCmpXchg64:
            {
                var r = Size(op) == "u64" ? 'r' : 'w';
                var size = Size(op);
                return AtomicKind(op) switch
                {
                    (false, var alu) when alu is not null => $"lock *({size} *){LlvmMem(i.Dst, i.Offset)} {AtomicOperator(alu)} {v}{i.Src}",
                    (true, var alu) when alu is not null => $"{r}{i.Src} = atomic_fetch_{alu}(({size} *){LlvmMem(i.Dst, i.Offset)}, {r}{i.Src})",
                    _ when op is Op.AtomicXchg64 => $"r{i.Src} = xchg_64({LlvmMem(i.Dst, i.Offset)[1..^1]}, r{i.Src})",
                    _ when op is Op.AtomicXchg32 => $"w{i.Src} = xchg32_32({LlvmMem(i.Dst, i.Offset)[1..^1]}, w{i.Src})",
                    _ when op is Op.AtomicCmpXchg64 => $"r0 = cmpxchg_64({LlvmMem(i.Dst, i.Offset)[1..^1]}, r0, r{i.Src})",
                    _ => $"w0 = cmpxchg32_32({LlvmMem(i.Dst, i.Offset)[1..^1]}, w0, w{i.Src})",
                };
            }

            case Op.Ja:
                return Inv($"goto {i.Offset:+0;-0}");
            case Op.Ja32:
                return Inv($"gotol {i.Imm32:+0;-0}");
            case >= Op.Jeq64Imm and <= Op.Jsle32Reg:
                return IsRegJump(op)
                    ? Inv($"if {w}{i.Dst} {JumpOperator(op)} {w}{i.Src} goto {i.Offset:+0;-0}")
                    : Inv($"if {w}{i.Dst} {JumpOperator(op)} {i.Imm32} goto {i.Offset:+0;-0}");
            case Op.Call or Op.CallLocal or Op.CallKfunc:
                return Inv($"call {i.Imm32}");
            case Op.Callx:
                return $"callx r{i.Dst}";
            default:
                return FormatKernel(i, withLl: true);
        }
    }

    private static string Inv(FormattableString s) => s.ToString(s_inv);


    private static string LlvmMem(byte reg, short off) =>
        off < 0 ? Inv($"(r{reg} - {-off})") : Inv($"(r{reg} + {off})");

    private static string LddwValue(in DecodedInstruction i) => i.Pseudo switch
    {
        // Handles, ids and indices print unsigned, as bpftool's %u does.
        PseudoKind.MapByFd => Inv($"map[fd:{(uint)i.Imm32}]"),
        PseudoKind.MapValueByFd => Inv($"map[fd:{(uint)i.Imm32}][0]+{(uint)i.NextImm}"),
        PseudoKind.Variable when i.NextImm == 0 => Inv($"btf_var[id:{(uint)i.Imm32}]"),
        PseudoKind.Variable => Inv($"btf_var[id:{(uint)i.Imm32}][btf_fd:{i.NextImm}]"),
        PseudoKind.CodeAddress => Inv($"subprog[{i.Imm32:+0;-0}]"),
        PseudoKind.MapByIndex => Inv($"map[idx:{(uint)i.Imm32}]"),
        PseudoKind.MapValueByIndex => Inv($"map[idx:{(uint)i.Imm32}]+{(uint)i.NextImm}"),
        PseudoKind.None => Inv($"0x{(ulong)i.Imm:x}"),
        _ => Inv($"0x{(ulong)i.Imm:x} /* src {i.Src} */"),
    };

    private static string KernelHelperName(int id)
    {
        // disasm.c prints func_id_str[id] for known helpers and "unknown" otherwise.
        var name = HelperNames.Of(id);
        return name.StartsWith("helper#", StringComparison.Ordinal) ? "unknown" : name;
    }

    internal static bool Is32(Op op) => op switch
    {
        >= Op.Add32Imm and <= Op.Neg32 => true,
        Op.MovSx8To32 or Op.MovSx16To32 => true,
        >= Op.Jeq32Imm and <= Op.Jsle32Reg => true,
        _ => false,
    };

    // Immediate and register forms alternate within the ALU and jump groups of the Op enum (immediate first).
    internal static bool IsRegAlu(Op op) => op < Op.Neg64 ? (op - Op.Add64Imm) % 2 == 1 : (op - Op.Add32Imm) % 2 == 1;

    internal static bool IsRegJump(Op op) => (op - Op.Jeq64Imm) % 2 == 1;

    internal static int MovSxBits(Op op) => op switch
    {
        Op.MovSx8To64 or Op.MovSx8To32 => 8,
        Op.MovSx16To64 or Op.MovSx16To32 => 16,
        _ => 32,
    };

    internal static int SwapBits(Op op) => OpEncoding.Of(op).Value;

    internal static string AluOperator(Op op)
    {
        var o = op < Op.Neg64 ? (op - Op.Add64Imm) / 2 : (op - Op.Add32Imm) / 2;
        return o switch
        {
            0 => "+=",
            1 => "-=",
            2 => "*=",
            3 => "/=",
            4 => "s/=",
            5 => "|=",
            6 => "&=",
            7 => "<<=",
            8 => ">>=",
            9 => "%=",
            10 => "s%=",
            11 => "^=",
            12 => "=",
            _ => "s>>=",
        };
    }

    internal static string JumpOperator(Op op) => ((op - Op.Jeq64Imm) / 2 % 11) switch
    {
        0 => "==",
        1 => ">",
        2 => ">=",
        3 => "&",
        4 => "!=",
        5 => "s>",
        6 => "s>=",
        7 => "<",
        8 => "<=",
        9 => "s<",
        _ => "s<=",
    };

    internal static string Size(Op op) => op switch
    {
        Op.LdAbsB or Op.LdIndB or Op.LdxB or Op.StB or Op.StxB => "u8",
        Op.LdAbsH or Op.LdIndH or Op.LdxH or Op.StH or Op.StxH => "u16",
        Op.LdAbsW or Op.LdIndW or Op.LdxW or Op.StW or Op.StxW => "u32",
        Op.LdxsB => "s8",
        Op.LdxsH => "s16",
        Op.LdxsW => "s32",
        >= Op.AtomicAdd32 and <= Op.AtomicCmpXchg32 => "u32",
        _ => "u64",
    };

    // (fetch?, "add"/"or"/"and"/"xor" or null for xchg/cmpxchg)
    internal static (bool Fetch, string? Alu) AtomicKind(Op op) => op switch
    {
        Op.AtomicAdd32 or Op.AtomicAdd64 => (false, "add"),
        Op.AtomicOr32 or Op.AtomicOr64 => (false, "or"),
        Op.AtomicAnd32 or Op.AtomicAnd64 => (false, "and"),
        Op.AtomicXor32 or Op.AtomicXor64 => (false, "xor"),
        Op.AtomicFetchAdd32 or Op.AtomicFetchAdd64 => (true, "add"),
        Op.AtomicFetchOr32 or Op.AtomicFetchOr64 => (true, "or"),
        Op.AtomicFetchAnd32 or Op.AtomicFetchAnd64 => (true, "and"),
        Op.AtomicFetchXor32 or Op.AtomicFetchXor64 => (true, "xor"),
        _ => (true, null),
    };

    internal static string AtomicOperator(string alu) => alu switch
    {
        "add" => "+=",
        "or" => "|=",
        "and" => "&=",
        _ => "^=",
    };
}
