using SharpBpf.Asm;
using SharpBpf.Linux.Tests.Support;
using static SharpBpf.Linux.Tests.Support.Insn;

namespace SharpBpf.Linux.Tests.Differential;

/// <summary>
/// The small programs of the tail-call and perf-output differential scenarios, as raw instruction slots (RFC 9669
/// encodings), so the same bytes load on both backends.
/// </summary>
public static class TailAsm
{
    /// <summary>The caller's return value when a tail call falls through (as in the spec D probes).</summary>
    public const int Fallthrough = 111;

    /// <summary>The return value of the usual tail-call target.</summary>
    public const int Target = 222;

    /// <summary><c>bpf_tail_call</c> (helper 12).</summary>
    public const int TailCallHelper = 12;

    public const byte R7 = 7, R8 = 8, R9 = 9;

    /// <summary><c>lddw dst, imm64</c> (two slots).</summary>
    public static Instruction[] Lddw(byte dst, ulong imm) =>
        [new(0x18, dst, 0, 0, (int)(uint)imm), new(0x00, 0, 0, 0, (int)(uint)(imm >> 32))];

    /// <summary><c>if dst != imm goto +off</c>.</summary>
    public static Instruction JneImm(byte dst, int imm, short off) => new(0x55, dst, 0, off, imm);

    /// <summary><c>goto +off</c>.</summary>
    public static Instruction Ja(short off) => new(0x05, 0, 0, off, 0);

    /// <summary>A bpf-to-bpf call (<c>src = BPF_PSEUDO_CALL</c>) to the slot <paramref name="offset"/> after the next.</summary>
    public static Instruction CallLocal(int offset) => new(0x85, 0, 1, 0, offset);

    /// <summary>Adds 1 to the u64 at key <paramref name="key"/> of the ARRAY <paramref name="counterFd"/>; clobbers r0-r5.</summary>
    public static Instruction[] Count(int counterFd, int key) =>
    [
        StW(R10, -4, key),
        Mov64Reg(R2, R10),
        Add64Imm(R2, -4),
        .. LdMapFd(R1, counterFd),
        Call(1), // bpf_map_lookup_elem
        JeqImm(R0, 0, 3),
        LdxDw(R1, R0, 0),
        Add64Imm(R1, 1),
        StxDw(R0, R1, 0),
    ];

    /// <summary><c>bpf_tail_call(ctx in r6, progArray, index)</c> with a 64-bit constant index.</summary>
    public static Instruction[] TailCall(int progArrayFd, ulong index) =>
    [
        Mov64Reg(R1, R6),
        .. LdMapFd(R2, progArrayFd),
        .. Lddw(R3, index),
        Call(TailCallHelper),
    ];

    /// <summary>Caller: <c>bpf_tail_call(ctx, map, index); return 111</c>.</summary>
    public static Instruction[] Caller(int progArrayFd, ulong index) =>
        [Mov64Reg(R6, R1), .. TailCall(progArrayFd, index), Mov64Imm(R0, Fallthrough), Exit()];

    /// <summary>
    /// Caller whose index the verifier cannot know: the u64 at key 0 of the ARRAY <paramref name="indexMapFd"/>;
    /// returns 111 when the tail call falls through (or 99 if the lookup failed).
    /// </summary>
    public static Instruction[] CallerFromMap(int progArrayFd, int indexMapFd) =>
    [
        Mov64Reg(R6, R1),
        StW(R10, -4, 0),
        Mov64Reg(R2, R10),
        Add64Imm(R2, -4),
        .. LdMapFd(R1, indexMapFd),
        Call(1),
        JneImm(R0, 0, 2),
        Mov64Imm(R0, 99),
        Exit(),
        LdxDw(R3, R0, 0),
        Mov64Reg(R1, R6),
        .. LdMapFd(R2, progArrayFd),
        Call(TailCallHelper),
        Mov64Imm(R0, Fallthrough),
        Exit(),
    ];

    /// <summary>Link <paramref name="i"/> of a chain: counts itself at key i, tail-calls slot i + 1, returns 1000 + i.</summary>
    public static Instruction[] ChainLink(int counterFd, int progArrayFd, int i) =>
    [
        Mov64Reg(R6, R1),
        .. Count(counterFd, i),
        .. TailCall(progArrayFd, (ulong)(i + 1)),
        Mov64Imm(R0, 1000 + i),
        Exit(),
    ];

    /// <summary>Counts itself at key 0, tail-calls slot <paramref name="slot"/> (itself), returns 7 on fall-through.</summary>
    public static Instruction[] SelfCounting(int counterFd, int progArrayFd, int slot = 0) =>
    [
        Mov64Reg(R6, R1),
        .. Count(counterFd, 0),
        .. TailCall(progArrayFd, (ulong)slot),
        Mov64Imm(R0, 7),
        Exit(),
    ];

    /// <summary>
    /// Entry of the "what counts against the limit" row: tail-calls an empty slot (1) and an out-of-range index
    /// (1000), both falling through, then slot 0; returns 5 if that falls through too.
    /// </summary>
    public static Instruction[] EmptyThenSlot0(int progArrayFd) =>
    [
        Mov64Reg(R6, R1),
        .. TailCall(progArrayFd, 1),
        .. TailCall(progArrayFd, 1000),
        .. TailCall(progArrayFd, 0),
        Mov64Imm(R0, 5),
        Exit(),
    ];

    /// <summary>
    /// main: <c>return sub(ctx) + 100</c>; sub: <c>bpf_tail_call(ctx, map, 0); return 5</c>. Where the tail call
    /// lands decides what main gets back.
    /// </summary>
    public static Instruction[] TailCallFromSubprogram(int progArrayFd)
    {
        Instruction[] sub = [Mov64Reg(R6, R1), .. TailCall(progArrayFd, 0), Mov64Imm(R0, 5), Exit()];
        Instruction[] main = [CallLocal(2), Add64Imm(R0, 100), Exit()];
        return [.. main, .. sub];
    }
}
