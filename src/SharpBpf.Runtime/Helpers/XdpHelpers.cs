using System.Diagnostics.CodeAnalysis;
using SharpBpf.Abi;
using SharpBpf.Runtime.Contexts;
using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Helpers;

/// <summary>
/// The XDP packet helpers: <c>bpf_xdp_adjust_head</c> (44) and <c>bpf_xdp_adjust_tail</c> (65), with the kernel's
/// bounds (probed on 6.18): the head may grow into the headroom down to the frame header (256 - 40 bytes, less any
/// metadata) and shrink while an Ethernet header remains; the tail may grow to the page less its 320 bytes of
/// tailroom (grown bytes zeroed) and shrink to an Ethernet header. Out of bounds: -EINVAL, packet unchanged.
/// The moved bounds are the packet region of the rest of the run and of later repeats, and show in <c>data_out</c>.
/// </summary>
public static unsafe class XdpHelpers
{
    /// <summary>Registers the helpers under their Linux ids.</summary>
    public static void Register(HelperTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Register(HelperId.XdpAdjustHead, &XdpAdjustHead);
        table.Register(HelperId.XdpAdjustTail, &XdpAdjustTail);
    }

    /// <summary><c>long bpf_xdp_adjust_head(struct xdp_md *ctx, int delta)</c>.</summary>
    public static ulong XdpAdjustHead(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5) =>
        (ulong)RunOf(state, r1, "bpf_xdp_adjust_head").AdjustHead((int)r2);

    /// <summary><c>long bpf_xdp_adjust_tail(struct xdp_md *ctx, int delta)</c>.</summary>
    public static ulong XdpAdjustTail(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5) =>
        (ulong)RunOf(state, r1, "bpf_xdp_adjust_tail").AdjustTail((int)r2);

    private static XdpRun RunOf(RunState state, ulong ctx, string helper)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.ContextRun is XdpRun run && run.IsContext(ctx))
            return run;
        return ThrowNotContext(state, ctx, helper);
    }

    [DoesNotReturn]
    private static XdpRun ThrowNotContext(RunState state, ulong ctx, string helper) =>
        throw new BpfRuntimeException(
            $"pc {state.CurrentPc}: {helper}: r1 (0x{ctx:x}) is not the XDP context of this run",
            BpfRuntimeErrorKind.HelperFault, state.CurrentPc);
}
