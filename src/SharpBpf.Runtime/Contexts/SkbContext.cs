using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Runtime.Contexts;

/// <summary>
/// <c>bpf_prog_test_run_skb</c> for socket filters, tc, cgroup skb and LWT programs (Linux 6.18, probed): the
/// packet is an skb received on the loopback device (or the device <c>ctx_in</c> names), the program sees
/// <c>struct __sk_buff</c> (<see cref="SkbLayout"/>), and <c>ctx_in</c> may set only the fields the kernel lets a
/// test choose (mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs, gso_size, hwtstamp).
/// </summary>
internal sealed class SkbContext : IProgramContext
{
    /// <summary>
    /// The largest skb test packet: a page minus the headroom (<c>NET_SKB_PAD + NET_IP_ALIGN</c>, 64) and the
    /// shared-info tailroom (320); larger is EINVAL (probed on 6.18 x86-64).
    /// </summary>
    public const int MaxData = 4096 - Headroom - 320;

    /// <summary><c>NET_SKB_PAD + NET_IP_ALIGN</c> on x86-64.</summary>
    public const int Headroom = 64;

    /// <summary><c>GSO_MAX_SEGS</c>.</summary>
    private const uint MaxGsoSegs = 65535;

    /// <summary><c>GSO_LEGACY_MAX_SIZE</c>.</summary>
    private const uint MaxWireLen = 65536;

    /// <inheritdoc/>
    public bool MeasuresDuration => true;

    /// <inheritdoc/>
    /// <remarks>
    /// Any flag or a non-zero <c>cpu</c> is EINVAL (BPF_F_TEST_SKB_CHECKSUM_COMPLETE, which the kernel accepts, is
    /// not supported here); a packet shorter than an Ethernet header or longer than the kernel's buffer is EINVAL.
    /// </remarks>
    public Errno CheckTestRun(in TestRunAttr attr, int possibleCpus, out int cpu)
    {
        cpu = -1;
        if (attr.Flags != 0 || attr.Cpu != 0)
            return Errno.EINVAL;
        var size = attr.DataIn.Length;
        return size < XdpContext.EthernetHeader || size > MaxData ? Errno.EINVAL : Errno.None;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <c>ctx_in</c> over a page or non-zero past 192 bytes: E2BIG; an <c>ifindex</c> above 1 the host lacks:
    /// ENODEV; a field the kernel does not let a test set, a <c>wire_len</c> below the packet length or above 64 KiB,
    /// or <c>gso_segs</c> above 65535: EINVAL.
    /// </remarks>
    public Errno Prepare(ProgramType type, in TestRunAttr attr, out ContextRun? run)
    {
        run = null;
        var hasContext = !attr.CtxIn.IsEmpty || attr.CtxSizeOut != 0;
        var skb = new byte[SkbLayout.UapiSize];
        if (hasContext)
        {
            var ctxIn = attr.CtxIn.Span;
            if (!ContextRun.ContextFits(ctxIn, SkbLayout.UapiSize))
                return Errno.E2BIG;
            ctxIn[..Math.Min(ctxIn.Length, SkbLayout.UapiSize)].CopyTo(skb);
            var ifindex = BinaryPrimitives.ReadUInt32LittleEndian(skb.AsSpan(SkbLayout.Ifindex));
            if (ifindex > NetDevices.Loopback && !NetDevices.TryGet(ifindex, out _))
                return Errno.ENODEV;
            if (!SettableOnly(skb))
                return Errno.EINVAL;
            var wireLen = BinaryPrimitives.ReadUInt32LittleEndian(skb.AsSpan(SkbLayout.WireLen));
            var length = SkbRun.SeesEthernetHeader(type) ? attr.DataIn.Length : attr.DataIn.Length - XdpContext.EthernetHeader;
            if (wireLen != 0 && (wireLen < (uint)length || wireLen > MaxWireLen))
                return Errno.EINVAL;
            if (BinaryPrimitives.ReadUInt32LittleEndian(skb.AsSpan(SkbLayout.GsoSegs)) > MaxGsoSegs)
                return Errno.EINVAL;
        }

        run = new SkbRun(type, attr.DataIn.Span, skb, hasContext);
        return Errno.None;
    }

    /// <summary><c>convert___skb_to_skb</c>: every byte outside the settable fields must be zero.</summary>
    private static bool SettableOnly(ReadOnlySpan<byte> skb)
    {
        ReadOnlySpan<(int Start, int End)> zero =
        [
            (0, SkbLayout.Mark),
            (SkbLayout.Mark + 4, SkbLayout.Priority),
            (SkbLayout.Ifindex + 4, SkbLayout.Cb),
            (SkbLayout.CbEnd, SkbLayout.Tstamp),
            (SkbLayout.GsoSegs + 4, SkbLayout.GsoSize),
            (SkbLayout.GsoSize + 4, SkbLayout.Hwtstamp),
        ];
        foreach (var (start, end) in zero)
        {
            if (skb[start..end].ContainsAnyExcept((byte)0))
                return false;
        }

        return true;
    }
}
