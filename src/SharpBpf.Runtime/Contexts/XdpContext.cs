using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Contexts;

/// <summary>
/// <c>bpf_prog_test_run_xdp</c> (Linux 6.18, probed): the packet sits in a page after 256 bytes of headroom
/// (less the metadata <c>ctx_in</c> asks for) with 320 bytes of tailroom, bytes past the linear part become
/// fragments of up to a page, the program sees <c>struct xdp_md</c> (<see cref="XdpLayout"/>), and
/// <c>data_out</c> is the metadata, the linear part and the fragments after the last run.
/// </summary>
internal sealed class XdpContext : IProgramContext
{
    /// <summary><c>XDP_PACKET_HEADROOM</c>.</summary>
    public const int Headroom = 256;

    /// <summary><c>SKB_DATA_ALIGN(sizeof(struct skb_shared_info))</c> on x86-64.</summary>
    public const int Tailroom = 320;

    /// <summary>The frame: one page (<c>frag_size</c> and <c>frame_sz</c>).</summary>
    public const int FrameSize = 4096;

    /// <summary><c>sizeof(struct xdp_frame)</c>: the start of the headroom a program may not take.</summary>
    public const int FrameHeader = 40;

    /// <summary><c>MAX_SKB_FRAGS</c>.</summary>
    public const int MaxFragments = 17;

    /// <summary><c>ETH_HLEN</c>.</summary>
    public const int EthernetHeader = 14;

    /// <summary>The most metadata <c>ctx_in</c> may ask for (a multiple of 4, probed on 6.18).</summary>
    public const int MaxMetadata = Headroom - FrameHeader;

    /// <inheritdoc/>
    public bool MeasuresDuration => true;

    /// <inheritdoc/>
    /// <remarks>
    /// Any flag is EINVAL (BPF_F_TEST_XDP_LIVE_FRAMES, which the kernel accepts, is not supported here) and
    /// <c>cpu</c> is ignored, as the kernel ignores it; a packet shorter than an Ethernet header is EINVAL.
    /// </remarks>
    public Errno CheckTestRun(in TestRunAttr attr, int possibleCpus, out int cpu)
    {
        cpu = -1;
        if (attr.Flags != 0)
            return Errno.EINVAL;
        return attr.DataIn.Length < EthernetHeader ? Errno.EINVAL : Errno.None;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// With <c>ctx_in</c> or <c>ctx_out</c> there is a user context (zeroes without <c>ctx_in</c>): over a page or
    /// non-zero past 24 bytes is E2BIG; <c>data_meta</c> set, <c>data_end</c> past the packet, <c>data</c> (the
    /// metadata length) past <c>data_end</c>, not a multiple of 4, over 216 or leaving less than an Ethernet header
    /// of packet: EINVAL; <c>egress_ifindex</c> set or an RX queue without a device: EINVAL; an unknown device:
    /// ENODEV; an RX queue the device lacks: EINVAL. More than 17 fragments: ENOMEM.
    /// </remarks>
    public Errno Prepare(ProgramType type, in TestRunAttr attr, out ContextRun? run)
    {
        run = null;
        var size = attr.DataIn.Length;
        var hasContext = !attr.CtxIn.IsEmpty || attr.CtxSizeOut != 0;
        Span<byte> md = stackalloc byte[XdpLayout.UapiSize];
        md.Clear();
        if (hasContext)
        {
            var ctxIn = attr.CtxIn.Span;
            if (!ContextRun.ContextFits(ctxIn, XdpLayout.UapiSize))
                return Errno.E2BIG;
            ctxIn[..Math.Min(ctxIn.Length, XdpLayout.UapiSize)].CopyTo(md);
        }

        var metadata = BinaryPrimitives.ReadUInt32LittleEndian(md);
        var linear = (uint)size;
        if (hasContext)
        {
            var dataEnd = BinaryPrimitives.ReadUInt32LittleEndian(md[4..]);
            var dataMeta = BinaryPrimitives.ReadUInt32LittleEndian(md[8..]);
            if (dataMeta != 0 || dataEnd > (uint)size || metadata > dataEnd || metadata % 4 != 0 || metadata > MaxMetadata
                || (uint)size - metadata < EthernetHeader)
            {
                return Errno.EINVAL;
            }

            linear = dataEnd;
        }

        var headroom = Headroom - (int)metadata;
        var maxLinear = (uint)(FrameSize - headroom - Tailroom);
        linear = Math.Min(linear, maxLinear);
        var fragmentBytes = size - (int)linear;
        if ((fragmentBytes + FrameSize - 1) / FrameSize > MaxFragments)
            return Errno.ENOMEM;

        uint ingress = NetDevices.Loopback;
        if (hasContext)
        {
            ingress = BinaryPrimitives.ReadUInt32LittleEndian(md[12..]);
            var rxQueue = BinaryPrimitives.ReadUInt32LittleEndian(md[16..]);
            if (BinaryPrimitives.ReadUInt32LittleEndian(md[20..]) != 0 || (ingress == 0 && rxQueue != 0))
                return Errno.EINVAL;
            if (ingress != 0)
            {
                if (!NetDevices.TryGet(ingress, out var queues))
                    return Errno.ENODEV;
                if (rxQueue >= queues)
                    return Errno.EINVAL;
            }
            else
            {
                ingress = NetDevices.Loopback; // the test run's default RX queue is the loopback device's
            }
        }

        run = new XdpRun(attr.DataIn.Span, headroom, (int)metadata, (int)linear, hasContext ? md.ToArray() : null, ingress);
        return Errno.None;
    }
}
