using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Contexts;

/// <summary>
/// The test run of packet programs (XDP and the skb types) until their real context layouts exist: the packet is
/// the run's packet region and <c>r1</c> points to it, or to the copy of <c>ctx_in</c> when one is given (then the
/// context region). Programs that never read their context (the bench suite) run unchanged.
/// </summary>
internal sealed class PacketContext(PacketContext.Family family) : IProgramContext
{
    /// <summary><c>ETH_HLEN</c>: the kernel refuses a shorter packet for both families.</summary>
    private const int EthernetHeaderLength = 14;

    /// <summary>
    /// The largest skb test packet: a page minus the headroom (<c>NET_SKB_PAD + NET_IP_ALIGN</c>, 64) and the
    /// shared-info tailroom (320); larger is EINVAL (probed on 6.18 x86-64).
    /// </summary>
    private const int MaxSkbData = 4096 - 64 - 320;

    /// <summary>
    /// The largest XDP test packet: the linear part (a page minus 256 of headroom and 320 of tailroom) plus
    /// <c>MAX_SKB_FRAGS</c> (17) fragment pages; larger is ENOMEM (probed on 6.18). Fragments are not modelled:
    /// the program sees the whole packet as linear data.
    /// </summary>
    private const int MaxXdpData = 4096 - 256 - 320 + 17 * 4096;

    /// <summary>The most context bytes <c>bpf_ctx_init</c> copies in (<c>bpf_check_uarg_tail_zero</c>: a page).</summary>
    private const int MaxContextSize = 4096;

    /// <summary>Which kernel test-run function's rules apply.</summary>
    public enum Family
    {
        /// <summary><c>bpf_prog_test_run_xdp</c>.</summary>
        Xdp,

        /// <summary><c>bpf_prog_test_run_skb</c>.</summary>
        Skb,
    }

    /// <inheritdoc/>
    public bool MeasuresDuration => true;

    /// <inheritdoc/>
    /// <remarks>
    /// XDP: any flag is EINVAL (BPF_F_TEST_XDP_LIVE_FRAMES, which the kernel accepts, is not supported here) and
    /// <c>cpu</c> is ignored, as the kernel ignores it. The skb types: any flag or a non-zero <c>cpu</c> is EINVAL.
    /// Both: a packet shorter than an Ethernet header is EINVAL; longer than the kernel's test buffer is EINVAL
    /// (skb) or ENOMEM (XDP); a context over a page is E2BIG. The run takes any free CPU slot.
    /// </remarks>
    public Errno CheckTestRun(in TestRunAttr attr, int possibleCpus, out int cpu)
    {
        cpu = -1;
        if (attr.Flags != 0 || (family == Family.Skb && attr.Cpu != 0))
            return Errno.EINVAL;
        var size = attr.DataIn.Length;
        if (size < EthernetHeaderLength || (family == Family.Skb && size > MaxSkbData))
            return Errno.EINVAL;
        if (family == Family.Xdp && size > MaxXdpData)
            return Errno.ENOMEM;
        return attr.CtxIn.Length > MaxContextSize ? Errno.E2BIG : Errno.None;
    }

    /// <inheritdoc/>
    public void Enter(RunState state, in TestRunBuffers buffers, out ulong r1, out ulong r2)
    {
        state.SetPacket(buffers.Data, (ulong)buffers.DataLength);
        if (buffers.Context != 0)
        {
            state.SetContext(buffers.Context, (ulong)buffers.ContextLength);
            r1 = (ulong)buffers.Context;
        }
        else
        {
            r1 = (ulong)buffers.Data;
        }

        r2 = 0;
    }

    /// <inheritdoc/>
    public uint DataOutLength(in TestRunBuffers buffers) => (uint)buffers.DataLength;
}
