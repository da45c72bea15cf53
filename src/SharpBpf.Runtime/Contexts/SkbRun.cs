using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Contexts;

/// <summary>
/// One skb test run: the packet buffer (headroom, packet, tailroom) and the runtime's <see cref="SkbLayout"/>
/// structure. As <c>bpf_prog_test_run_skb</c>: the Ethernet header is pulled (<c>eth_type_trans</c> gives the
/// protocol and packet type); tc programs see it pushed back, so their <c>len</c> and <c>data</c> include it; for the
/// other types it is zeroed in <c>data_out</c> after the run.
/// </summary>
internal sealed unsafe class SkbRun : ContextRun
{
    private const int EthernetHeader = XdpContext.EthernetHeader;
    private const int PacketOtherHost = 3;
    private const int PacketBroadcast = 1;
    private const int PacketMulticast = 2;

    private readonly nint _buffer;
    private readonly nint _context;
    private readonly int _size;
    private readonly byte[] _userContext;
    private readonly bool _hasContext;
    private readonly bool _layer2;

    public SkbRun(ProgramType type, ReadOnlySpan<byte> packet, byte[] userContext, bool hasContext)
    {
        _layer2 = SeesEthernetHeader(type);
        _size = packet.Length;
        _buffer = Allocate(SkbContext.Headroom + _size + 320);
        packet.CopyTo(new Span<byte>((void*)(_buffer + SkbContext.Headroom), _size));
        _context = Allocate(SkbLayout.Size);
        _userContext = userContext;
        _hasContext = hasContext;
        var skb = new Span<byte>((void*)_context, SkbLayout.Size);
        userContext.CopyTo(skb);

        // eth_type_trans on the loopback device (MAC 00:00:00:00:00:00).
        var destination = packet[..6];
        int pktType = 0;
        if ((destination[0] & 1) != 0)
            pktType = destination.IndexOfAnyExcept((byte)0xff) < 0 ? PacketBroadcast : PacketMulticast;
        else if (destination.ContainsAnyExcept((byte)0))
            pktType = PacketOtherHost;
        var proto = BinaryPrimitives.ReadUInt16BigEndian(packet[12..]);
        if (proto < 0x600)
            proto = packet.Length >= EthernetHeader + 2 && BinaryPrimitives.ReadUInt16BigEndian(packet[EthernetHeader..]) == 0xffff ? (ushort)1 : (ushort)4;
        BinaryPrimitives.WriteUInt32LittleEndian(skb[SkbLayout.PktType..], (uint)pktType);
        BinaryPrimitives.WriteUInt32LittleEndian(skb[SkbLayout.Protocol..], BinaryPrimitives.ReverseEndianness(proto));
        var ifindex = BinaryPrimitives.ReadUInt32LittleEndian(skb[SkbLayout.Ifindex..]);
        BinaryPrimitives.WriteUInt32LittleEndian(skb[SkbLayout.Ifindex..], ifindex > NetDevices.Loopback ? ifindex : NetDevices.Loopback);

        var p = (byte*)_context;
        *(uint*)(p + SkbLayout.Len) = (uint)Length;
        if (*(uint*)(p + SkbLayout.WireLen) == 0)
            *(uint*)(p + SkbLayout.WireLen) = (uint)Length; // cb->pkt_len
        *(ulong*)(p + SkbLayout.Data) = (ulong)Data;
        *(ulong*)(p + SkbLayout.DataEnd) = (ulong)Data + (ulong)Length;
        *(ulong*)(p + SkbLayout.DataMeta) = (ulong)Data;
        *(ulong*)(p + SkbLayout.SkPointer) = 0; // no socket: the program sees NULL
    }

    /// <summary>tc and act programs see the Ethernet header (the kernel's <c>is_l2</c>); the others start after it.</summary>
    public static bool SeesEthernetHeader(ProgramType type) => type is ProgramType.SchedCls or ProgramType.SchedAct;

    /// <summary>Where the packet the program sees starts: at the Ethernet header for tc, after it otherwise.</summary>
    private nint Data => _buffer + SkbContext.Headroom + (_layer2 ? 0 : EthernetHeader);

    private int Length => _layer2 ? _size : _size - EthernetHeader;

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> DataOut
    {
        get
        {
            var bytes = new ReadOnlySpan<byte>((void*)(_buffer + SkbContext.Headroom), _size).ToArray();
            if (!_layer2)
                bytes.AsSpan(0, EthernetHeader).Clear(); // the header pushed back after the run is zeroed
            return bytes;
        }
    }

    /// <inheritdoc/>
    /// <remarks><c>convert_skb_to___skb</c>: the fields a run may change, over the context as given.</remarks>
    public override byte[]? ContextOut
    {
        get
        {
            if (!_hasContext)
                return null;
            var output = (byte[])_userContext.Clone();
            var skb = new ReadOnlySpan<byte>((void*)_context, SkbLayout.UapiSize);
            foreach (var (offset, size) in s_copiedOut)
                skb.Slice(offset, size).CopyTo(output.AsSpan(offset));
            return output;
        }
    }

    private static readonly (int Offset, int Size)[] s_copiedOut =
    [
        (SkbLayout.Mark, 4), (SkbLayout.Priority, 4), (SkbLayout.IngressIfindex, 4), (SkbLayout.Ifindex, 4),
        (SkbLayout.Tstamp, 8), (SkbLayout.Cb, SkbLayout.CbEnd - SkbLayout.Cb), (SkbLayout.WireLen, 4),
        (SkbLayout.GsoSegs, 4), (SkbLayout.GsoSize, 4), (SkbLayout.Hwtstamp, 8),
    ];

    /// <inheritdoc/>
    public override void Enter(RunState state, out ulong r1, out ulong r2)
    {
        state.ContextRun = this;
        state.SetContext(_context, SkbLayout.Size);
        SetPacket(state, (ulong)Data, (ulong)Data + (ulong)Length);
        r1 = (ulong)_context;
        r2 = 0;
    }
}
