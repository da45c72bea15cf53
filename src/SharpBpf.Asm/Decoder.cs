namespace SharpBpf.Asm;

/// <summary>
/// Decodes raw instruction slots into <see cref="DecodedInstruction"/>s. Decoding never fails: an opcode (or
/// discriminating field) with no meaning decodes to <see cref="Op.Invalid"/>, and a truncated <c>lddw</c> keeps its
/// low word only; the validator turns those into precise errors.
/// </summary>
public static class Decoder
{
    // opcode -> the operations that share it (at most a handful), in table order.
    private static readonly Op[][] s_byOpcode = BuildIndex();

    /// <summary>The operation encoded by one slot (for an <c>lddw</c>, its first slot).</summary>
    public static Op DecodeOp(Instruction insn)
    {
        foreach (var op in s_byOpcode[insn.Opcode])
        {
            var e = OpEncoding.Of(op);
            var ok = e.Field switch
            {
                OpEncoding.Discriminator.None => true,
                OpEncoding.Discriminator.Offset => insn.Offset == e.Value,
                OpEncoding.Discriminator.Src => insn.Src == e.Value,
                OpEncoding.Discriminator.Imm => insn.Imm == e.Value,
                _ => false,
            };
            if (ok)
                return op;
        }

        return Op.Invalid;
    }

    /// <summary>Decodes a whole program into logical instructions (an <c>lddw</c> consumes two slots).</summary>
    public static DecodedInstruction[] Decode(ReadOnlySpan<Instruction> slots)
    {
        var result = new List<DecodedInstruction>(slots.Length);
        for (var pc = 0; pc < slots.Length;)
        {
            var insn = slots[pc];
            var op = DecodeOp(insn);
            long imm = insn.Imm;
            if (op == Op.Lddw)
            {
                var high = pc + 1 < slots.Length ? (uint)slots[pc + 1].Imm : 0u;
                imm = (long)(((ulong)high << 32) | (uint)insn.Imm);
            }

            result.Add(new DecodedInstruction(op, insn.Dst, insn.Src, insn.Offset, imm, pc));
            pc += op == Op.Lddw ? 2 : 1;
        }

        return [.. result];
    }

    private static Op[][] BuildIndex()
    {
        var lists = new List<Op>[256];
        foreach (var op in Enum.GetValues<Op>())
        {
            if (op == Op.Invalid)
                continue;
            var code = OpEncoding.OpcodeOf(op);
            (lists[code] ??= []).Add(op);
        }

        return [.. lists.Select(l => l is null ? [] : l.ToArray())];
    }
}
