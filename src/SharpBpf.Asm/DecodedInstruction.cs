namespace SharpBpf.Asm;

/// <summary>
/// One logical instruction in normalised form. An <c>lddw</c> is a single logical instruction covering two slots;
/// its <see cref="Imm"/> is the whole 64-bit immediate (low word from the first slot, high word from the second)
/// and <see cref="Pseudo"/> says what it means.
/// </summary>
/// <param name="Op">The normalised operation.</param>
/// <param name="Dst">Destination register field.</param>
/// <param name="Src">Source register field (for <c>lddw</c> the pseudo kind, for calls the call kind).</param>
/// <param name="Offset">The signed 16-bit offset field.</param>
/// <param name="Imm">The immediate: sign-extended 32-bit for ordinary instructions, the full 64 bits for <c>lddw</c>.</param>
/// <param name="Pc">Index of the instruction's first slot in the program.</param>
public readonly record struct DecodedInstruction(Op Op, byte Dst, byte Src, short Offset, long Imm, int Pc)
{
    /// <summary>How many 8-byte slots the instruction occupies (2 for <c>lddw</c>, else 1).</summary>
    public int SlotCount => Op == Op.Lddw ? 2 : 1;

    /// <summary>For <c>lddw</c>, the meaning of the immediate.</summary>
    public PseudoKind Pseudo => Op == Op.Lddw ? (PseudoKind)Src : PseudoKind.None;

    /// <summary>The low 32 bits of the immediate (the first slot's imm field).</summary>
    public int Imm32 => (int)Imm;

    /// <summary>For <c>lddw</c>: the second slot's imm field (the high word, or the offset of a map value).</summary>
    public int NextImm => (int)(Imm >> 32);

    /// <inheritdoc/>
    public override string ToString() => $"{Pc}: {Op} dst=r{Dst} src=r{Src} off={Offset} imm={Imm}";
}
