using SharpBpf.Asm;

namespace SharpBpf.Runtime.Tests.Programs;

/// <summary>Raw instruction builders (RFC 9669 encodings) for the hand-written programs of these tests.</summary>
internal static class ProgramAsm
{
    public const byte R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R7 = 7, R10 = 10;

    public static Instruction Mov64Imm(byte dst, int imm) => new(0xb7, dst, 0, 0, imm);

    public static Instruction Mov64Reg(byte dst, byte src) => new(0xbf, dst, src, 0, 0);

    public static Instruction Add64Imm(byte dst, int imm) => new(0x07, dst, 0, 0, imm);

    public static Instruction Add64Reg(byte dst, byte src) => new(0x0f, dst, src, 0, 0);

    /// <summary><c>*(u32 *)(dst + off) = imm</c>.</summary>
    public static Instruction StW(byte dst, short off, int imm) => new(0x62, dst, 0, off, imm);

    /// <summary><c>*(u64 *)(dst + off) = imm</c>.</summary>
    public static Instruction StDw(byte dst, short off, int imm) => new(0x7a, dst, 0, off, imm);

    /// <summary><c>*(u8 *)(dst + off) = src</c>.</summary>
    public static Instruction StxB(byte dst, byte src, short off) => new(0x73, dst, src, off, 0);

    /// <summary><c>*(u64 *)(dst + off) = src</c>.</summary>
    public static Instruction StxDw(byte dst, byte src, short off) => new(0x7b, dst, src, off, 0);

    /// <summary><c>dst = *(u8 *)(src + off)</c>.</summary>
    public static Instruction LdxB(byte dst, byte src, short off) => new(0x71, dst, src, off, 0);

    /// <summary><c>dst = *(u32 *)(src + off)</c>.</summary>
    public static Instruction LdxW(byte dst, byte src, short off) => new(0x61, dst, src, off, 0);

    /// <summary><c>dst = *(u64 *)(src + off)</c>.</summary>
    public static Instruction LdxDw(byte dst, byte src, short off) => new(0x79, dst, src, off, 0);

    /// <summary><c>if dst == imm goto +off</c>.</summary>
    public static Instruction JeqImm(byte dst, int imm, short off) => new(0x15, dst, 0, off, imm);

    /// <summary><c>goto +off</c>.</summary>
    public static Instruction Ja(short off) => new(0x05, 0, 0, off, 0);

    public static Instruction Call(int helper) => new(0x85, 0, 0, 0, helper);

    public static Instruction Exit() => new(0x95, 0, 0, 0, 0);

    /// <summary><c>lddw dst, imm64</c> (src 0).</summary>
    public static Instruction[] Lddw(byte dst, ulong imm) =>
        [new(0x18, dst, 0, 0, (int)(uint)imm), new(0x00, 0, 0, 0, (int)(uint)(imm >> 32))];

    /// <summary><c>lddw dst, map</c> with src 1 (<c>BPF_PSEUDO_MAP_FD</c>).</summary>
    public static Instruction[] LdMapFd(byte dst, int fd) => [new(0x18, dst, 1, 0, fd), new(0x00, 0, 0, 0, 0)];

    /// <summary><c>lddw dst, map value + off</c> with src 2 (<c>BPF_PSEUDO_MAP_VALUE</c>).</summary>
    public static Instruction[] LdMapValue(byte dst, int fd, int offset) => [new(0x18, dst, 2, 0, fd), new(0x00, 0, 0, 0, offset)];

    /// <summary><c>lddw</c> with any pseudo source (for the refusal tests).</summary>
    public static Instruction[] LdPseudo(byte dst, byte src, int imm, int nextImm) =>
        [new(0x18, dst, src, 0, imm), new(0x00, 0, 0, 0, nextImm)];

    /// <summary><c>r0 = value; exit</c>.</summary>
    public static Instruction[] ReturnConstant(int value) => [Mov64Imm(R0, value), Exit()];

    /// <summary>Key <paramref name="key"/> at fp-4, r2 = fp-4, r1 = the map.</summary>
    public static Instruction[] KeyAndMap(int mapFd, int key) =>
        [StW(R10, -4, key), Mov64Reg(R2, R10), Add64Imm(R2, -4), .. LdMapFd(R1, mapFd)];

    /// <summary>
    /// C.p: <c>v = lookup(map, 0); if (!v) return -1; r = *(u64 *)v; *(u64 *)v = r + add; return r</c>.
    /// </summary>
    public static Instruction[] LookupReadAdd(int mapFd, uint key, int add) =>
    [
        .. KeyAndMap(mapFd, (int)key),
        Call(1),
        JeqImm(R0, 0, 5),
        LdxDw(R1, R0, 0),
        Mov64Reg(R6, R1),
        Add64Imm(R1, add),
        StxDw(R0, R1, 0),
        Ja(1),
        Mov64Imm(R6, -1),
        Mov64Reg(R0, R6),
        Exit(),
    ];

    /// <summary>Lookup of key 0 and a non-atomic <c>*v += 1</c>; returns 0, or 1 when the lookup failed.</summary>
    public static Instruction[] CounterIncrement(int mapFd) =>
    [
        .. KeyAndMap(mapFd, 0),
        Call(1),
        JeqImm(R0, 0, 5),
        LdxDw(R1, R0, 0),
        Add64Imm(R1, 1),
        StxDw(R0, R1, 0),
        Mov64Imm(R0, 0),
        Exit(),
        Mov64Imm(R0, 1),
        Exit(),
    ];
}
