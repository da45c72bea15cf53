using System.Runtime.InteropServices;

namespace SharpBpf.Perf;

/// <summary>
/// A view of one perf ring in the kernel's layout: the metadata page (<c>struct perf_event_mmap_page</c>) and a
/// power-of-two data area. It does not own the memory and makes no assumption about who produces into it: a real
/// kernel ring mapped by the Linux backend and a userspace ring read the same way.
/// </summary>
/// <remarks>
/// Positions are the ring's free-running 64-bit counters (<c>data_head</c>, <c>data_tail</c>); the byte at position
/// <c>p</c> lives at <c>data[p &amp; (size - 1)]</c>, so a record may wrap across the end of the data area.
/// The caller must keep the memory alive while using the view.
/// </remarks>
public readonly unsafe struct PerfRingView
{
    private readonly byte* _page;
    private readonly byte* _data;
    private readonly ulong _size;

    /// <summary>Creates a view from the metadata page, the data area and its size.</summary>
    /// <exception cref="ArgumentException">A null address, or a size that is not a power of two of at least 8.</exception>
    public PerfRingView(nint metadataPage, nint data, ulong dataSize)
    {
        if (metadataPage == 0)
            throw new ArgumentException("The metadata page address is null.", nameof(metadataPage));
        if (data == 0)
            throw new ArgumentException("The data area address is null.", nameof(data));
        if (dataSize < 8 || (dataSize & (dataSize - 1)) != 0)
            throw new ArgumentException($"The data size {dataSize} is not a power of two of at least 8.", nameof(dataSize));
        _page = (byte*)metadataPage;
        _data = (byte*)data;
        _size = dataSize;
    }

    /// <summary>
    /// Creates a view over a whole perf mapping, reading <c>data_offset</c> and <c>data_size</c> from its metadata page
    /// as the kernel fills them (since Linux 4.1).
    /// </summary>
    /// <param name="mappingBase">The first byte of the mapping.</param>
    /// <param name="mappingLength">The mapping's length, used to check the page's fields.</param>
    /// <exception cref="ArgumentException">The fields do not describe a data area inside the mapping.</exception>
    public static PerfRingView FromMapping(nint mappingBase, ulong mappingLength)
    {
        if (mappingBase == 0)
            throw new ArgumentException("The mapping address is null.", nameof(mappingBase));
        if (mappingLength < PerfRingLayout.DataSizeOffset + 8)
            throw new ArgumentException($"A mapping of {mappingLength} bytes cannot hold a perf metadata page.", nameof(mappingLength));
        var page = (byte*)mappingBase;
        ulong offset = Volatile.Read(ref *(ulong*)(page + PerfRingLayout.DataOffsetOffset));
        ulong size = Volatile.Read(ref *(ulong*)(page + PerfRingLayout.DataSizeOffset));
        if (offset == 0 || size == 0 || offset > mappingLength || size > mappingLength - offset)
        {
            throw new ArgumentException(
                $"data_offset {offset} / data_size {size} do not describe a data area inside a {mappingLength}-byte mapping.",
                nameof(mappingBase));
        }
        return new PerfRingView(mappingBase, (nint)(page + offset), size);
    }

    /// <summary>The metadata page's address.</summary>
    public nint MetadataPage => (nint)_page;

    /// <summary>The data area's address.</summary>
    public nint Data => (nint)_data;

    /// <summary>The data area's size in bytes, a power of two.</summary>
    public ulong DataSize => _size;

    /// <summary>Whether this is the default (empty) view.</summary>
    public bool IsEmpty => _page == null;

    /// <summary>Reads <c>data_head</c> with acquire semantics: every record byte before it is then visible.</summary>
    public ulong ReadDataHead() => Volatile.Read(ref *(ulong*)(_page + PerfRingLayout.DataHeadOffset));

    /// <summary>Reads <c>data_tail</c> with acquire semantics.</summary>
    public ulong ReadDataTail() => Volatile.Read(ref *(ulong*)(_page + PerfRingLayout.DataTailOffset));

    /// <summary>
    /// Writes <c>data_tail</c> with release semantics, handing the space before it back to the producer: every read of
    /// the consumed records happens before the producer can see the new tail.
    /// </summary>
    public void WriteDataTail(ulong tail) => Volatile.Write(ref *(ulong*)(_page + PerfRingLayout.DataTailOffset), tail);

    /// <summary>Copies <paramref name="destination"/>.Length bytes starting at ring position <paramref name="position"/>, wrapping.</summary>
    /// <exception cref="ArgumentException">More bytes than the data area holds.</exception>
    public void CopyOut(ulong position, Span<byte> destination)
    {
        if ((ulong)destination.Length > _size)
            throw new ArgumentException($"Cannot read {destination.Length} bytes from a {_size}-byte ring.", nameof(destination));
        ulong offset = position & (_size - 1);
        int first = (int)Math.Min((ulong)destination.Length, _size - offset);
        new ReadOnlySpan<byte>(_data + offset, first).CopyTo(destination);
        if (first < destination.Length)
            new ReadOnlySpan<byte>(_data, destination.Length - first).CopyTo(destination[first..]);
    }

    /// <summary>
    /// The <paramref name="length"/> bytes at ring position <paramref name="position"/>: a span straight into the data
    /// area when they do not wrap, else copied into <paramref name="scratch"/> (at least <paramref name="length"/> long).
    /// </summary>
    /// <exception cref="ArgumentException">More bytes than the data area holds, or a scratch buffer too short for a wrapped read.</exception>
    public ReadOnlySpan<byte> Slice(ulong position, int length, Span<byte> scratch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if ((ulong)length > _size)
            throw new ArgumentException($"Cannot read {length} bytes from a {_size}-byte ring.", nameof(length));
        ulong offset = position & (_size - 1);
        if (offset + (ulong)length <= _size)
            return new ReadOnlySpan<byte>(_data + offset, length);
        if (scratch.Length < length)
            throw new ArgumentException($"A {scratch.Length}-byte scratch buffer cannot hold {length} wrapped bytes.", nameof(scratch));
        var copy = scratch[..length];
        CopyOut(position, copy);
        return copy;
    }

    /// <summary>Reads the record header at ring position <paramref name="position"/>.</summary>
    public PerfRecordHeader ReadHeader(ulong position)
    {
        Span<byte> h = stackalloc byte[PerfRingLayout.RecordHeaderSize];
        CopyOut(position, h);
        return new PerfRecordHeader(MemoryMarshal.Read<uint>(h), MemoryMarshal.Read<ushort>(h[4..]), MemoryMarshal.Read<ushort>(h[6..]));
    }

    /// <summary>Reads a host-endian u32 at ring position <paramref name="position"/>.</summary>
    public uint ReadUInt32(ulong position)
    {
        Span<byte> b = stackalloc byte[4];
        CopyOut(position, b);
        return MemoryMarshal.Read<uint>(b);
    }

    /// <summary>Reads a host-endian u64 at ring position <paramref name="position"/>.</summary>
    public ulong ReadUInt64(ulong position)
    {
        Span<byte> b = stackalloc byte[8];
        CopyOut(position, b);
        return MemoryMarshal.Read<ulong>(b);
    }
}
