using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Contexts;

/// <summary>
/// One XDP test run: the page holding headroom, metadata, the linear packet and tailroom, the fragments, and the
/// runtime's <see cref="XdpLayout"/> structure the program's <c>r1</c> points to. The authoritative packet bounds
/// live here, not in the structure the program can see, so the adjust helpers never trust program memory.
/// </summary>
internal sealed unsafe class XdpRun : ContextRun
{
    private readonly nint _page;
    private readonly nint _context;
    private readonly byte[]? _userContext;
    private readonly List<byte[]> _fragments = [];
    private ulong _dataMeta;
    private ulong _data;
    private ulong _dataEnd;
    private RunState? _state;

    public XdpRun(ReadOnlySpan<byte> packet, int headroom, int metadata, int linear, byte[]? userContext, uint ingressIfindex)
    {
        _page = Allocate(XdpContext.FrameSize);
        _context = Allocate(XdpLayout.Size);
        _userContext = userContext;
        _dataMeta = (ulong)_page + (ulong)headroom;
        _data = _dataMeta + (ulong)metadata;
        _dataEnd = _dataMeta + (ulong)linear;
        packet[..linear].CopyTo(new Span<byte>((void*)_dataMeta, linear));
        for (var offset = linear; offset < packet.Length; offset += XdpContext.FrameSize)
            _fragments.Add(packet.Slice(offset, Math.Min(XdpContext.FrameSize, packet.Length - offset)).ToArray());
        var ctx = new Span<byte>((void*)_context, XdpLayout.Size);
        BinaryPrimitives.WriteUInt32LittleEndian(ctx[12..], ingressIfindex);
        if (userContext is not null)
            BinaryPrimitives.WriteUInt32LittleEndian(ctx[16..], BinaryPrimitives.ReadUInt32LittleEndian(userContext.AsSpan(16)));
        Publish();
    }

    /// <summary>The first byte of the page (<c>data_hard_start</c>).</summary>
    private ulong HardStart => (ulong)_page;

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> DataOut
    {
        get
        {
            var linear = new ReadOnlySpan<byte>((void*)_dataMeta, (int)(_dataEnd - _dataMeta));
            if (_fragments.Count == 0)
                return linear;
            var all = new List<byte>(linear.ToArray());
            foreach (var fragment in _fragments)
                all.AddRange(fragment);
            return all.ToArray();
        }
    }

    /// <inheritdoc/>
    /// <remarks><c>xdp_convert_buff_to_md</c>: data and data_end as offsets from data_meta; the rest as given.</remarks>
    public override byte[]? ContextOut
    {
        get
        {
            if (_userContext is null)
                return null;
            var md = (byte[])_userContext.Clone();
            BinaryPrimitives.WriteUInt32LittleEndian(md, (uint)(_data - _dataMeta));
            BinaryPrimitives.WriteUInt32LittleEndian(md.AsSpan(4), (uint)(_dataEnd - _dataMeta));
            return md;
        }
    }

    /// <inheritdoc/>
    public override void Enter(RunState state, out ulong r1, out ulong r2)
    {
        _state = state;
        state.ContextRun = this;
        state.SetContext(_context, XdpLayout.Size, MemoryAccess.Read);
        SetPacket(state, _dataMeta, _dataEnd);
        r1 = (ulong)_context;
        r2 = 0;
    }

    /// <summary>True if <paramref name="ctx"/> is this run's context pointer.</summary>
    public bool IsContext(ulong ctx) => ctx == (ulong)_context;

    /// <summary>
    /// <c>bpf_xdp_adjust_head</c>: moves <c>data</c> (and the metadata with it) by <paramref name="offset"/>;
    /// -EINVAL unless the new start stays after the frame header and the metadata, and leaves an Ethernet header.
    /// </summary>
    public long AdjustHead(int offset)
    {
        var metadata = _data - _dataMeta;
        var dataStart = HardStart + XdpContext.FrameHeader + metadata;
        var data = _data + (ulong)(long)offset;
        if (data < dataStart || data > _dataEnd - XdpContext.EthernetHeader || (offset < 0 && data > _data))
            return -(long)Abi.Errno.EINVAL;
        if (metadata != 0)
            Buffer.MemoryCopy((void*)_dataMeta, (void*)(_dataMeta + (ulong)(long)offset), (long)metadata, (long)metadata);
        _dataMeta += (ulong)(long)offset;
        _data = data;
        Publish();
        return 0;
    }

    /// <summary>
    /// <c>bpf_xdp_adjust_tail</c>: moves <c>data_end</c> by <paramref name="offset"/> within the frame (less its
    /// tailroom), keeping an Ethernet header; grown bytes are zeroed. With fragments the last fragment shrinks or
    /// grows instead (within its page).
    /// </summary>
    public long AdjustTail(int offset)
    {
        if (_fragments.Count != 0)
            return offset < 0 ? ShrinkFragments(-(long)offset) : GrowLastFragment(offset);
        var dataEnd = _dataEnd + (ulong)(long)offset;
        var hardEnd = HardStart + XdpContext.FrameSize - XdpContext.Tailroom;
        if (dataEnd > hardEnd || dataEnd < _data + XdpContext.EthernetHeader || (offset < 0 && dataEnd > _dataEnd))
            return -(long)Abi.Errno.EINVAL;
        if (offset > 0)
            Unsafe.InitBlockUnaligned((void*)_dataEnd, 0, (uint)offset);
        _dataEnd = dataEnd;
        Publish();
        return 0;
    }

    private long ShrinkFragments(long offset)
    {
        var total = (long)(_dataEnd - _data) + _fragments.Sum(f => (long)f.Length);
        if (offset > total - XdpContext.EthernetHeader)
            return -(long)Abi.Errno.EINVAL;
        while (offset > 0 && _fragments.Count > 0)
        {
            var last = _fragments[^1];
            var shrink = (int)Math.Min(offset, last.Length);
            offset -= shrink;
            if (shrink == last.Length)
                _fragments.RemoveAt(_fragments.Count - 1);
            else
                _fragments[^1] = last[..^shrink];
        }

        if (_fragments.Count == 0 && offset > 0)
            _dataEnd -= (ulong)offset;
        Publish();
        return 0;
    }

    private long GrowLastFragment(int offset)
    {
        var last = _fragments[^1];
        if (offset > XdpContext.FrameSize - last.Length)
            return -(long)Abi.Errno.EINVAL;
        Array.Resize(ref last, last.Length + offset);
        _fragments[^1] = last;
        return 0;
    }

    /// <summary>Writes the packet pointers where the rewritten context loads read them, and moves the packet region.</summary>
    private void Publish()
    {
        var ctx = (byte*)_context;
        *(ulong*)(ctx + XdpLayout.Data) = _data;
        *(ulong*)(ctx + XdpLayout.DataEnd) = _dataEnd;
        *(ulong*)(ctx + XdpLayout.DataMeta) = _dataMeta;
        if (_state is { } state)
            SetPacket(state, _dataMeta, _dataEnd);
    }
}
