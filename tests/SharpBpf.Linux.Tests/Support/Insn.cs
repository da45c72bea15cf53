using SharpBpf.Asm;

namespace SharpBpf.Linux.Tests.Support;

/// <summary>
/// Raw instruction builders for the small hand-written programs of the kernel tests (and of the differential suite,
/// which runs the same slots on both backends). Opcodes are the RFC 9669 encodings.
/// </summary>
public static class Insn
{
    public const byte R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R10 = 10;

    /// <summary><c>BPF_PSEUDO_MAP_FD</c>: lddw src that makes the immediate a map fd.</summary>
    public const byte PseudoMapFd = 1;

    public static Instruction Mov64Imm(byte dst, int imm) => new(0xb7, dst, 0, 0, imm);

    /// <summary><c>w(dst) = imm</c>: the upper half is zeroed (how <c>BPF_F_CURRENT_CPU</c> = 0xffffffff is built).</summary>
    public static Instruction Mov32Imm(byte dst, int imm) => new(0xb4, dst, 0, 0, imm);

    public static Instruction Mov64Reg(byte dst, byte src) => new(0xbf, dst, src, 0, 0);

    public static Instruction Add64Imm(byte dst, int imm) => new(0x07, dst, 0, 0, imm);

    /// <summary><c>*(u32 *)(dst + off) = imm</c>.</summary>
    public static Instruction StW(byte dst, short off, int imm) => new(0x62, dst, 0, off, imm);

    /// <summary><c>*(u64 *)(dst + off) = imm</c>.</summary>
    public static Instruction StDw(byte dst, short off, int imm) => new(0x7a, dst, 0, off, imm);

    /// <summary><c>dst = *(u64 *)(src + off)</c>.</summary>
    public static Instruction LdxDw(byte dst, byte src, short off) => new(0x79, dst, src, off, 0);

    /// <summary><c>*(u64 *)(dst + off) = src</c>.</summary>
    public static Instruction StxDw(byte dst, byte src, short off) => new(0x7b, dst, src, off, 0);

    /// <summary><c>if dst == imm goto +off</c>.</summary>
    public static Instruction JeqImm(byte dst, int imm, short off) => new(0x15, dst, 0, off, imm);

    public static Instruction Call(int helper) => new(0x85, 0, 0, 0, helper);

    public static Instruction Exit() => new(0x95, 0, 0, 0, 0);

    /// <summary>The two slots of <c>lddw dst, map_fd</c> (<c>src = BPF_PSEUDO_MAP_FD</c>).</summary>
    public static Instruction[] LdMapFd(byte dst, int fd) =>
        [new(0x18, dst, PseudoMapFd, 0, fd), new(0x00, 0, 0, 0, 0)];

    /// <summary><c>r0 = value; exit</c>.</summary>
    public static Instruction[] ReturnConstant(int value) => [Mov64Imm(R0, value), Exit()];

    /// <summary>
    /// Looks up u32 key <paramref name="key"/> of the map in <paramref name="mapFd"/>, returns 0 when it is missing,
    /// else adds <paramref name="increment"/> to the u64 at offset 0 of the value and returns the old value.
    /// </summary>
    public static Instruction[] LookupAndAdd(int mapFd, int key, int increment) =>
    [
        StW(R10, -4, key),
        Mov64Reg(R2, R10),
        Add64Imm(R2, -4),
        .. LdMapFd(R1, mapFd),
        Call(1), // bpf_map_lookup_elem
        JeqImm(R0, 0, 5),
        LdxDw(R1, R0, 0),
        Mov64Reg(R6, R1),
        Add64Imm(R1, increment),
        StxDw(R0, R1, 0),
        Mov64Reg(R0, R6),
        Exit(),
    ];

    /// <summary>
    /// <c>bpf_perf_event_output(ctx, map, BPF_F_CURRENT_CPU, &amp;data, size)</c> of the low <paramref name="size"/>
    /// bytes of the u64 <paramref name="data"/> (sign-extended from 32 bits); returns the helper's result.
    /// </summary>
    public static Instruction[] PerfOutput(int mapFd, int data, int size) =>
    [
        Mov64Reg(R6, R1),
        StDw(R10, -8, data),
        Mov64Reg(R1, R6),
        .. LdMapFd(R2, mapFd),
        Mov32Imm(R3, -1),
        Mov64Reg(R4, R10),
        Add64Imm(R4, -8),
        Mov64Imm(R5, size),
        Call(25), // bpf_perf_event_output
        Exit(),
    ];
}
