namespace SharpBpf.Asm;

/// <summary>Knobs for <see cref="Validator"/>. The defaults follow RFC 9669 and, where they differ, Linux.</summary>
public sealed record ValidationOptions
{
    /// <summary>The defaults.</summary>
    public static ValidationOptions Default { get; } = new();

    /// <summary>The largest program accepted, in slots. Default 1,000,000 (Linux's <c>BPF_COMPLEXITY_LIMIT_INSNS</c> for privileged loaders).</summary>
    public int MaxSlots { get; init; } = 1_000_000;

    /// <summary>Accept <c>callx</c> (opcode 0x8d: call through a register). Not in RFC 9669 and refused by Linux, but uBPF and the conformance suite's <c>callx.data</c> use it. Default true.</summary>
    public bool AllowCallx { get; init; } = true;

    /// <summary>Accept the legacy packet loads (<c>ld_abs</c>/<c>ld_ind</c> with sizes B, H, W). Default true.</summary>
    public bool AllowLegacyPacketLoads { get; init; } = true;

    /// <summary>Accept kfunc calls (call with src 2). Default true.</summary>
    public bool AllowKfuncCalls { get; init; } = true;

    /// <summary>
    /// Reject <c>exit</c> with a non-zero offset field. RFC 9669 says unused fields are zero, but Linux 6.18 accepts
    /// a non-zero offset on <c>exit</c> (testdata/conformance/FORMAT.md section 7), and we follow the kernel by default.
    /// </summary>
    public bool RequireZeroExitOffset { get; init; }

    /// <summary>
    /// Apply Linux's per-function rules: the program is split into functions at every local-call target (and
    /// <c>lddw</c> code address); every function must end with <c>exit</c> or an unconditional jump, and jumps must
    /// stay inside their function. Default true. When false, only the whole program's last instruction is checked.
    /// </summary>
    public bool CheckFunctions { get; init; } = true;

    /// <summary>If set, helper calls (src 0) whose id this returns false for are rejected.</summary>
    public Func<int, bool>? HelperExists { get; init; }
}
