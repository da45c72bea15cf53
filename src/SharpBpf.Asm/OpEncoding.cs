namespace SharpBpf.Asm;

/// <summary>
/// The encoding of every <see cref="Op"/>: its opcode byte and the value of the field that tells it apart from
/// other operations sharing that opcode (the offset for <c>sdiv</c>/<c>smod</c>/<c>movsx</c>, src for calls,
/// imm for byte swaps). One table serves the decoder and the encoder, so the two cannot disagree.
/// </summary>
public static class OpEncoding
{
    /// <summary>Which field discriminates an operation from others with the same opcode.</summary>
    public enum Discriminator : byte
    {
        /// <summary>The opcode alone identifies the operation.</summary>
        None,

        /// <summary>The offset field must equal <see cref="Entry.Value"/>.</summary>
        Offset,

        /// <summary>The src field must equal <see cref="Entry.Value"/>.</summary>
        Src,

        /// <summary>The imm field must equal <see cref="Entry.Value"/>.</summary>
        Imm,
    }

    /// <summary>One row of the table.</summary>
    /// <param name="Opcode">The opcode byte.</param>
    /// <param name="Field">The discriminating field.</param>
    /// <param name="Value">Its required value.</param>
    public readonly record struct Entry(byte Opcode, Discriminator Field, int Value);

    private static readonly Entry[] s_entries = Build();

    /// <summary>The encoding of <paramref name="op"/>.</summary>
    public static Entry Of(Op op) => s_entries[(int)op];

    /// <summary>The opcode byte of <paramref name="op"/>.</summary>
    public static byte OpcodeOf(Op op) => s_entries[(int)op].Opcode;

    private static Entry[] Build()
    {
        var t = new Entry[Enum.GetValues<Op>().Length];
        const byte alu = 0x04, alu64 = 0x07, jmp = 0x05, jmp32 = 0x06, k = 0x00, x = 0x08;

        void Alu(Op imm64, Op reg64, Op imm32, Op reg32, byte code, Discriminator field = Discriminator.None, int value = 0)
        {
            t[(int)imm64] = new((byte)(alu64 | code | k), field, value);
            t[(int)reg64] = new((byte)(alu64 | code | x), field, value);
            t[(int)imm32] = new((byte)(alu | code | k), field, value);
            t[(int)reg32] = new((byte)(alu | code | x), field, value);
        }

        Alu(Op.Add64Imm, Op.Add64Reg, Op.Add32Imm, Op.Add32Reg, 0x00);
        Alu(Op.Sub64Imm, Op.Sub64Reg, Op.Sub32Imm, Op.Sub32Reg, 0x10);
        Alu(Op.Mul64Imm, Op.Mul64Reg, Op.Mul32Imm, Op.Mul32Reg, 0x20);
        Alu(Op.Div64Imm, Op.Div64Reg, Op.Div32Imm, Op.Div32Reg, 0x30, Discriminator.Offset, 0);
        Alu(Op.SDiv64Imm, Op.SDiv64Reg, Op.SDiv32Imm, Op.SDiv32Reg, 0x30, Discriminator.Offset, 1);
        Alu(Op.Or64Imm, Op.Or64Reg, Op.Or32Imm, Op.Or32Reg, 0x40);
        Alu(Op.And64Imm, Op.And64Reg, Op.And32Imm, Op.And32Reg, 0x50);
        Alu(Op.Lsh64Imm, Op.Lsh64Reg, Op.Lsh32Imm, Op.Lsh32Reg, 0x60);
        Alu(Op.Rsh64Imm, Op.Rsh64Reg, Op.Rsh32Imm, Op.Rsh32Reg, 0x70);
        Alu(Op.Mod64Imm, Op.Mod64Reg, Op.Mod32Imm, Op.Mod32Reg, 0x90, Discriminator.Offset, 0);
        Alu(Op.SMod64Imm, Op.SMod64Reg, Op.SMod32Imm, Op.SMod32Reg, 0x90, Discriminator.Offset, 1);
        Alu(Op.Xor64Imm, Op.Xor64Reg, Op.Xor32Imm, Op.Xor32Reg, 0xa0);
        Alu(Op.Mov64Imm, Op.Mov64Reg, Op.Mov32Imm, Op.Mov32Reg, 0xb0, Discriminator.Offset, 0);
        Alu(Op.Arsh64Imm, Op.Arsh64Reg, Op.Arsh32Imm, Op.Arsh32Reg, 0xc0);
        t[(int)Op.Neg64] = new(alu64 | 0x80, Discriminator.None, 0);
        t[(int)Op.Neg32] = new(alu | 0x80, Discriminator.None, 0);
        t[(int)Op.MovSx8To64] = new(alu64 | 0xb0 | x, Discriminator.Offset, 8);
        t[(int)Op.MovSx16To64] = new(alu64 | 0xb0 | x, Discriminator.Offset, 16);
        t[(int)Op.MovSx32To64] = new(alu64 | 0xb0 | x, Discriminator.Offset, 32);
        t[(int)Op.MovSx8To32] = new(alu | 0xb0 | x, Discriminator.Offset, 8);
        t[(int)Op.MovSx16To32] = new(alu | 0xb0 | x, Discriminator.Offset, 16);
        t[(int)Op.Le16] = new(alu | 0xd0, Discriminator.Imm, 16);
        t[(int)Op.Le32] = new(alu | 0xd0, Discriminator.Imm, 32);
        t[(int)Op.Le64] = new(alu | 0xd0, Discriminator.Imm, 64);
        t[(int)Op.Be16] = new(alu | 0xd0 | x, Discriminator.Imm, 16);
        t[(int)Op.Be32] = new(alu | 0xd0 | x, Discriminator.Imm, 32);
        t[(int)Op.Be64] = new(alu | 0xd0 | x, Discriminator.Imm, 64);
        t[(int)Op.Bswap16] = new(alu64 | 0xd0, Discriminator.Imm, 16);
        t[(int)Op.Bswap32] = new(alu64 | 0xd0, Discriminator.Imm, 32);
        t[(int)Op.Bswap64] = new(alu64 | 0xd0, Discriminator.Imm, 64);

        t[(int)Op.Lddw] = new(0x18, Discriminator.None, 0);
        t[(int)Op.LdAbsW] = new(0x20, Discriminator.None, 0);
        t[(int)Op.LdAbsH] = new(0x28, Discriminator.None, 0);
        t[(int)Op.LdAbsB] = new(0x30, Discriminator.None, 0);
        t[(int)Op.LdAbsDW] = new(0x38, Discriminator.None, 0);
        t[(int)Op.LdIndW] = new(0x40, Discriminator.None, 0);
        t[(int)Op.LdIndH] = new(0x48, Discriminator.None, 0);
        t[(int)Op.LdIndB] = new(0x50, Discriminator.None, 0);
        t[(int)Op.LdIndDW] = new(0x58, Discriminator.None, 0);
        t[(int)Op.LdxW] = new(0x61, Discriminator.None, 0);
        t[(int)Op.LdxH] = new(0x69, Discriminator.None, 0);
        t[(int)Op.LdxB] = new(0x71, Discriminator.None, 0);
        t[(int)Op.LdxDW] = new(0x79, Discriminator.None, 0);
        t[(int)Op.LdxsW] = new(0x81, Discriminator.None, 0);
        t[(int)Op.LdxsH] = new(0x89, Discriminator.None, 0);
        t[(int)Op.LdxsB] = new(0x91, Discriminator.None, 0);
        t[(int)Op.StW] = new(0x62, Discriminator.None, 0);
        t[(int)Op.StH] = new(0x6a, Discriminator.None, 0);
        t[(int)Op.StB] = new(0x72, Discriminator.None, 0);
        t[(int)Op.StDW] = new(0x7a, Discriminator.None, 0);
        t[(int)Op.StxW] = new(0x63, Discriminator.None, 0);
        t[(int)Op.StxH] = new(0x6b, Discriminator.None, 0);
        t[(int)Op.StxB] = new(0x73, Discriminator.None, 0);
        t[(int)Op.StxDW] = new(0x7b, Discriminator.None, 0);

        void Atomic(Op op, byte code, int imm) => t[(int)op] = new(code, Discriminator.Imm, imm);
        foreach (var (code, w32) in new[] { ((byte)0xc3, true), ((byte)0xdb, false) })
        {
            Atomic(w32 ? Op.AtomicAdd32 : Op.AtomicAdd64, code, 0x00);
            Atomic(w32 ? Op.AtomicFetchAdd32 : Op.AtomicFetchAdd64, code, 0x01);
            Atomic(w32 ? Op.AtomicOr32 : Op.AtomicOr64, code, 0x40);
            Atomic(w32 ? Op.AtomicFetchOr32 : Op.AtomicFetchOr64, code, 0x41);
            Atomic(w32 ? Op.AtomicAnd32 : Op.AtomicAnd64, code, 0x50);
            Atomic(w32 ? Op.AtomicFetchAnd32 : Op.AtomicFetchAnd64, code, 0x51);
            Atomic(w32 ? Op.AtomicXor32 : Op.AtomicXor64, code, 0xa0);
            Atomic(w32 ? Op.AtomicFetchXor32 : Op.AtomicFetchXor64, code, 0xa1);
            Atomic(w32 ? Op.AtomicXchg32 : Op.AtomicXchg64, code, 0xe1);
            Atomic(w32 ? Op.AtomicCmpXchg32 : Op.AtomicCmpXchg64, code, 0xf1);
        }

        t[(int)Op.Ja] = new(jmp | 0x00, Discriminator.None, 0);
        t[(int)Op.Ja32] = new(jmp32 | 0x00, Discriminator.None, 0);
        void Jmp(Op imm64, Op reg64, Op imm32, Op reg32, byte code)
        {
            t[(int)imm64] = new((byte)(jmp | code | k), Discriminator.None, 0);
            t[(int)reg64] = new((byte)(jmp | code | x), Discriminator.None, 0);
            t[(int)imm32] = new((byte)(jmp32 | code | k), Discriminator.None, 0);
            t[(int)reg32] = new((byte)(jmp32 | code | x), Discriminator.None, 0);
        }

        Jmp(Op.Jeq64Imm, Op.Jeq64Reg, Op.Jeq32Imm, Op.Jeq32Reg, 0x10);
        Jmp(Op.Jgt64Imm, Op.Jgt64Reg, Op.Jgt32Imm, Op.Jgt32Reg, 0x20);
        Jmp(Op.Jge64Imm, Op.Jge64Reg, Op.Jge32Imm, Op.Jge32Reg, 0x30);
        Jmp(Op.Jset64Imm, Op.Jset64Reg, Op.Jset32Imm, Op.Jset32Reg, 0x40);
        Jmp(Op.Jne64Imm, Op.Jne64Reg, Op.Jne32Imm, Op.Jne32Reg, 0x50);
        Jmp(Op.Jsgt64Imm, Op.Jsgt64Reg, Op.Jsgt32Imm, Op.Jsgt32Reg, 0x60);
        Jmp(Op.Jsge64Imm, Op.Jsge64Reg, Op.Jsge32Imm, Op.Jsge32Reg, 0x70);
        Jmp(Op.Jlt64Imm, Op.Jlt64Reg, Op.Jlt32Imm, Op.Jlt32Reg, 0xa0);
        Jmp(Op.Jle64Imm, Op.Jle64Reg, Op.Jle32Imm, Op.Jle32Reg, 0xb0);
        Jmp(Op.Jslt64Imm, Op.Jslt64Reg, Op.Jslt32Imm, Op.Jslt32Reg, 0xc0);
        Jmp(Op.Jsle64Imm, Op.Jsle64Reg, Op.Jsle32Imm, Op.Jsle32Reg, 0xd0);
        t[(int)Op.Call] = new(jmp | 0x80, Discriminator.Src, 0);
        t[(int)Op.CallLocal] = new(jmp | 0x80, Discriminator.Src, 1);
        t[(int)Op.CallKfunc] = new(jmp | 0x80, Discriminator.Src, 2);
        t[(int)Op.Callx] = new(jmp | 0x80 | x, Discriminator.None, 0);
        t[(int)Op.Exit] = new(jmp | 0x90, Discriminator.None, 0);
        return t;
    }
}
