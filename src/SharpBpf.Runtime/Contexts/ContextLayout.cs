using SharpBpf.Abi;
using SharpBpf.Object;

namespace SharpBpf.Runtime.Contexts;

/// <summary>
/// The context a program type sees through <c>r1</c>, as the kernel checks and converts it: which accesses of the
/// UAPI structure are valid (the kernel's <c>is_valid_access</c>) and where each valid one lands in the runtime's
/// own structure (its <c>convert_ctx_access</c>). The runtime structures keep every 32-bit UAPI field at its UAPI
/// offset and add the 64-bit packet pointers after the UAPI part, so a rewritten access changes at most the
/// offset and the size of one instruction.
/// </summary>
internal abstract class ContextLayout
{
    /// <summary>
    /// Checks one access of <paramref name="size"/> bytes at <paramref name="offset"/> of the UAPI structure and
    /// gives the offset and size of the same access in the runtime structure.
    /// </summary>
    /// <returns>False if the kernel refuses the access (<c>invalid bpf_context access</c>, EACCES).</returns>
    public abstract bool TryConvert(int offset, int size, bool write, out int runtimeOffset, out int runtimeSize);

    /// <summary>The layout programs of <paramref name="type"/> see, or null when r1 is not rewritten.</summary>
    public static ContextLayout? For(ProgramType type, uint expectedAttachType) => type switch
    {
        ProgramType.Xdp => expectedAttachType == (uint)AttachType.XdpDevmap ? XdpLayout.Devmap : XdpLayout.Plain,
        ProgramType.SocketFilter or ProgramType.SchedCls or ProgramType.SchedAct or ProgramType.CgroupSkb
            or ProgramType.LwtIn or ProgramType.LwtOut or ProgramType.LwtXmit or ProgramType.LwtSeg6Local => new SkbLayout(type),
        ProgramType.RawTracepoint => RawTracepointLayout.Instance,
        _ => null,
    };

    /// <summary><c>bpf_ctx_narrow_access_ok</c>: a power-of-two size no larger than the field.</summary>
    protected static bool NarrowOk(int size, int fieldSize) => size <= fieldSize && (size & (size - 1)) == 0;
}

/// <summary>
/// <c>struct xdp_md</c> (24 bytes of u32: data, data_end, data_meta, ingress_ifindex, rx_queue_index,
/// egress_ifindex) over the runtime's <see cref="XdpLayout"/> structure. <c>xdp_is_valid_access</c>: read-only,
/// aligned whole u32 loads only; egress_ifindex only for <c>BPF_XDP_DEVMAP</c> programs.
/// </summary>
internal sealed class XdpLayout : ContextLayout
{
    /// <summary>The size of <c>struct xdp_md</c>.</summary>
    public const int UapiSize = 24;

    /// <summary>Runtime offset of the u64 <c>data</c> pointer.</summary>
    public const int Data = 24;

    /// <summary>Runtime offset of the u64 <c>data_end</c> pointer.</summary>
    public const int DataEnd = 32;

    /// <summary>Runtime offset of the u64 <c>data_meta</c> pointer.</summary>
    public const int DataMeta = 40;

    /// <summary>The size of the runtime structure.</summary>
    public const int Size = 48;

    public static readonly XdpLayout Plain = new(false);
    public static readonly XdpLayout Devmap = new(true);

    private readonly bool _devmap;

    private XdpLayout(bool devmap) => _devmap = devmap;

    /// <inheritdoc/>
    public override bool TryConvert(int offset, int size, bool write, out int runtimeOffset, out int runtimeSize)
    {
        runtimeOffset = offset;
        runtimeSize = size;
        if (!_devmap && offset == 20)
            return false;
        if (write || offset < 0 || offset >= UapiSize || offset % size != 0 || size != sizeof(uint))
            return false;
        switch (offset)
        {
            case 0:
                (runtimeOffset, runtimeSize) = (Data, sizeof(ulong));
                break;
            case 4:
                (runtimeOffset, runtimeSize) = (DataEnd, sizeof(ulong));
                break;
            case 8:
                (runtimeOffset, runtimeSize) = (DataMeta, sizeof(ulong));
                break;
        }

        return true;
    }
}

/// <summary>
/// <c>struct __sk_buff</c> (192 bytes) for socket filters, tc, cgroup skb and LWT programs, over the runtime's
/// structure: the UAPI bytes at their offsets, then u64 <c>data</c>, <c>data_end</c>, <c>data_meta</c> and
/// <c>sk</c>. Validity follows <c>bpf_skb_is_valid_access</c> and each type's own rules
/// (<c>sk_filter_is_valid_access</c>, <c>tc_cls_act_is_valid_access</c>, <c>cg_skb_is_valid_access</c>,
/// <c>lwt_is_valid_access</c>).
/// </summary>
internal sealed class SkbLayout(ProgramType type) : ContextLayout
{
    public const int UapiSize = 192;
    public const int Len = 0;
    public const int PktType = 4;
    public const int Mark = 8;
    public const int QueueMapping = 12;
    public const int Protocol = 16;
    public const int VlanPresent = 20;
    public const int VlanProto = 28;
    public const int Priority = 32;
    public const int IngressIfindex = 36;
    public const int Ifindex = 40;
    public const int TcIndex = 44;
    public const int Cb = 48;
    public const int CbEnd = 68;
    public const int Hash = 68;
    public const int TcClassid = 72;
    public const int UapiData = 76;
    public const int UapiDataEnd = 80;
    public const int NapiId = 84;
    public const int Family = 88;
    public const int LocalPortEnd = 140;
    public const int UapiDataMeta = 140;
    public const int FlowKeys = 144;
    public const int Tstamp = 152;
    public const int WireLen = 160;
    public const int GsoSegs = 164;
    public const int Sk = 168;
    public const int GsoSize = 176;
    public const int TstampType = 180;
    public const int Hwtstamp = 184;

    /// <summary>Runtime offset of the u64 <c>data</c> pointer.</summary>
    public const int Data = 192;

    /// <summary>Runtime offset of the u64 <c>data_end</c> pointer.</summary>
    public const int DataEnd = 200;

    /// <summary>Runtime offset of the u64 <c>data_meta</c> pointer.</summary>
    public const int DataMeta = 208;

    /// <summary>Runtime offset of the u64 <c>sk</c> pointer (always NULL: there is no socket).</summary>
    public const int SkPointer = 216;

    /// <summary>The size of the runtime structure.</summary>
    public const int Size = 224;

    /// <inheritdoc/>
    public override bool TryConvert(int offset, int size, bool write, out int runtimeOffset, out int runtimeSize)
    {
        runtimeOffset = offset;
        runtimeSize = size;
        if (!TypeAllows(offset, size, write, out var decided))
            return false;
        if (!decided && !CommonAllows(offset, size, write))
            return false;
        switch (offset)
        {
            case UapiData:
                (runtimeOffset, runtimeSize) = (Data, sizeof(ulong));
                break;
            case UapiDataEnd:
                (runtimeOffset, runtimeSize) = (DataEnd, sizeof(ulong));
                break;
            case UapiDataMeta:
                (runtimeOffset, runtimeSize) = (DataMeta, sizeof(ulong));
                break;
            case Sk:
                (runtimeOffset, runtimeSize) = (SkPointer, sizeof(ulong));
                break;
        }

        return true;
    }

    private static bool In(int offset, int start, int end) => offset >= start && offset < end;

    /// <summary>The per-type rules, checked before the common ones (<paramref name="decided"/>: no common check).</summary>
    private bool TypeAllows(int offset, int size, bool write, out bool decided)
    {
        decided = false;
        var data = In(offset, UapiData, UapiData + 4) || In(offset, UapiDataEnd, UapiDataEnd + 4);
        var dataMeta = In(offset, UapiDataMeta, UapiDataMeta + 4);
        var sockFields = In(offset, Family, LocalPortEnd);
        var cb = In(offset, Cb, CbEnd);
        switch (type)
        {
            case ProgramType.SocketFilter:
                if (In(offset, TcClassid, TcClassid + 4) || data || dataMeta || sockFields || In(offset, Tstamp, Tstamp + 8)
                    || In(offset, WireLen, WireLen + 4) || In(offset, Hwtstamp, Hwtstamp + 8))
                {
                    return false;
                }

                return !write || cb;
            case ProgramType.SchedCls or ProgramType.SchedAct:
                if (write && !(In(offset, Mark, Mark + 4) || In(offset, TcIndex, TcIndex + 4) || In(offset, Priority, Priority + 4)
                        || In(offset, TcClassid, TcClassid + 4) || cb || In(offset, Tstamp, Tstamp + 8)
                        || In(offset, QueueMapping, QueueMapping + 4)))
                {
                    return false;
                }

                if (sockFields)
                    return false;
                if (offset == TstampType)
                {
                    // Readable as one byte only; the common rules forbid it for every other type.
                    decided = true;
                    return !write && size == 1;
                }

                return true;
            case ProgramType.CgroupSkb:
                if (In(offset, TcClassid, TcClassid + 4) || dataMeta || In(offset, WireLen, WireLen + 4))
                    return false;
                if (write)
                    return In(offset, Mark, Mark + 4) || In(offset, Priority, Priority + 4) || cb || In(offset, Tstamp, Tstamp + 8);
                return true;
            default: // LWT
                if (In(offset, TcClassid, TcClassid + 4) || sockFields || dataMeta || In(offset, Tstamp, Tstamp + 8)
                    || In(offset, WireLen, WireLen + 4) || In(offset, Hwtstamp, Hwtstamp + 8))
                {
                    return false;
                }

                return !write || In(offset, Mark, Mark + 4) || In(offset, Priority, Priority + 4) || cb;
        }
    }

    /// <summary><c>bpf_skb_is_valid_access</c>.</summary>
    private static bool CommonAllows(int offset, int size, bool write)
    {
        if (offset < 0 || offset >= UapiSize || offset % size != 0)
            return false;
        if (In(offset, Cb, CbEnd))
            return offset + size <= CbEnd;
        if (In(offset, Family + 12, LocalPortEnd - 8) || In(offset, Family + 4, Family + 12)
            || In(offset, UapiData, UapiData + 4) || In(offset, UapiDataMeta, UapiDataMeta + 4) || In(offset, UapiDataEnd, UapiDataEnd + 4))
        {
            // remote_ip4, local_ip4, remote_ip6[], local_ip6[] and the packet pointers: whole u32s only.
            return size == sizeof(uint);
        }

        if (In(offset, FlowKeys, FlowKeys + 8))
            return false;
        if (In(offset, Hwtstamp, Hwtstamp + 8))
            return !write && size == sizeof(ulong);
        if (In(offset, Tstamp, Tstamp + 8))
            return size == sizeof(ulong);
        if (offset == Sk)
            return !write && size == sizeof(ulong);
        if (In(offset, Sk, Sk + 8))
            return false;
        if (offset == TstampType || In(offset, TstampType + 1, Hwtstamp))
            return false;
        return write ? size == sizeof(uint) : NarrowOk(size, sizeof(uint));
    }
}

/// <summary>
/// The raw tracepoint argument array (<c>u64 args[12]</c>): <c>raw_tp_prog_is_valid_access</c> allows aligned
/// reads of up to 8 bytes anywhere in it and nothing else. The runtime array is the UAPI one.
/// </summary>
internal sealed class RawTracepointLayout : ContextLayout
{
    /// <summary><c>MAX_BPF_FUNC_ARGS * sizeof(u64)</c>.</summary>
    public const int Size = 12 * sizeof(ulong);

    public static readonly RawTracepointLayout Instance = new();

    /// <inheritdoc/>
    public override bool TryConvert(int offset, int size, bool write, out int runtimeOffset, out int runtimeSize)
    {
        runtimeOffset = offset;
        runtimeSize = size;
        return !write && offset >= 0 && offset < Size && offset % size == 0 && NarrowOk(size, sizeof(ulong));
    }
}
