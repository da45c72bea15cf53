namespace SharpBpf.Asm;

/// <summary>Encodes <see cref="DecodedInstruction"/>s back into raw slots, bit for bit.</summary>
public static class Encoder
{
    /// <summary>
    /// Encodes one logical instruction into <paramref name="destination"/> (two slots for <c>lddw</c>) and returns
    /// the number of slots written. The discriminating field of the operation (offset of <c>sdiv</c>, src of calls,
    /// imm of byte swaps and atomics) is taken from the operation; every other field from the instruction.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="insn"/> is <see cref="Op.Invalid"/> or the destination is too small.</exception>
    public static int Encode(in DecodedInstruction insn, Span<Instruction> destination)
    {
        if (insn.Op == Op.Invalid)
            throw new ArgumentException($"cannot encode an invalid instruction at pc {insn.Pc}", nameof(insn));
        var e = OpEncoding.Of(insn.Op);
        var src = e.Field == OpEncoding.Discriminator.Src ? (byte)e.Value : insn.Src;
        var off = e.Field == OpEncoding.Discriminator.Offset ? (short)e.Value : insn.Offset;
        var imm = e.Field == OpEncoding.Discriminator.Imm ? e.Value : (int)insn.Imm;
        var slots = insn.SlotCount;
        if (destination.Length < slots)
            throw new ArgumentException("destination too small", nameof(destination));
        destination[0] = new Instruction(e.Opcode, insn.Dst, src, off, imm);
        if (slots == 2)
            destination[1] = new Instruction(0, 0, 0, 0, insn.NextImm);
        return slots;
    }

    /// <summary>Encodes a whole program.</summary>
    public static Instruction[] Encode(ReadOnlySpan<DecodedInstruction> program)
    {
        var count = 0;
        foreach (var insn in program)
            count += insn.SlotCount;
        var result = new Instruction[count];
        var at = 0;
        foreach (var insn in program)
            at += Encode(insn, result.AsSpan(at));
        return result;
    }
}
