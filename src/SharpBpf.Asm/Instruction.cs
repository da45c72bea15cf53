using System.Runtime.InteropServices;

namespace SharpBpf.Asm;

/// <summary>
/// One raw 8-byte eBPF instruction slot exactly as it is encoded (RFC 9669 section 3, little-endian):
/// opcode, dst (low nibble) and src (high nibble), a signed 16-bit offset and a signed 32-bit immediate.
/// A 64-bit immediate load (<c>lddw</c>) occupies two slots.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1, Size = 8)]
public readonly record struct Instruction
{
    /// <summary>Creates an instruction from its fields.</summary>
    public Instruction(byte opcode, byte dst, byte src, short offset, int imm)
    {
        Opcode = opcode;
        Registers = (byte)((dst & 0xf) | (src << 4));
        Offset = offset;
        Imm = imm;
    }

    /// <summary>The opcode byte: class in the low 3 bits.</summary>
    public byte Opcode { get; init; }

    /// <summary>dst in the low nibble, src in the high nibble.</summary>
    public byte Registers { get; init; }

    /// <summary>Signed 16-bit offset.</summary>
    public short Offset { get; init; }

    /// <summary>Signed 32-bit immediate.</summary>
    public int Imm { get; init; }

    /// <summary>Destination register field (0-15; only 0-10 are valid registers).</summary>
    public byte Dst => (byte)(Registers & 0xf);

    /// <summary>Source register field (0-15; only 0-10 are valid registers).</summary>
    public byte Src => (byte)(Registers >> 4);

    /// <summary>The instruction class (the low 3 bits of the opcode).</summary>
    public byte Class => (byte)(Opcode & 0x07);

    /// <summary>The 64-bit little-endian word of this slot.</summary>
    public ulong Raw => Opcode | ((ulong)Registers << 8) | ((ulong)(ushort)Offset << 16) | ((ulong)(uint)Imm << 32);

    /// <summary>Builds an instruction from its 64-bit little-endian word.</summary>
    public static Instruction FromRaw(ulong raw) => new()
    {
        Opcode = (byte)raw,
        Registers = (byte)(raw >> 8),
        Offset = (short)(ushort)(raw >> 16),
        Imm = (int)(uint)(raw >> 32),
    };

    /// <summary>Reinterprets a byte buffer (a multiple of 8 bytes) as instruction slots.</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of 8.</exception>
    public static Instruction[] FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % 8 != 0)
            throw new ArgumentException($"BPF bytecode length {bytes.Length} is not a multiple of 8", nameof(bytes));
        return MemoryMarshal.Cast<byte, Instruction>(bytes).ToArray();
    }

    /// <summary>The little-endian bytes of <paramref name="program"/>.</summary>
    public static byte[] ToBytes(ReadOnlySpan<Instruction> program) => MemoryMarshal.AsBytes(program).ToArray();

    /// <inheritdoc/>
    public override string ToString() => $"{{op=0x{Opcode:x2} dst=r{Dst} src=r{Src} off={Offset} imm={Imm}}}";
}
