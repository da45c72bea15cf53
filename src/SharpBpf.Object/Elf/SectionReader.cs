using System.Buffers.Binary;
using System.Text;

namespace SharpBpf.Object.Elf;

/// <summary>
/// A bounds-checked little-endian view of one region of the object file. Every read that would
/// leave the region throws <see cref="BpfObjectFormatException"/> naming the section and offset,
/// so parsers never index raw arrays themselves.
/// </summary>
internal readonly struct SectionReader
{
    private readonly byte[] data;
    private readonly int start;

    /// <param name="data">The whole file.</param>
    /// <param name="start">First byte of the region in <paramref name="data"/>.</param>
    /// <param name="length">Region length; the caller has checked it lies inside <paramref name="data"/>.</param>
    /// <param name="name">Section name used in error messages.</param>
    /// <param name="reportBase">Offset of the region inside the named section, for messages.</param>
    public SectionReader(byte[] data, int start, int length, string name, long reportBase = 0)
    {
        this.data = data;
        this.start = start;
        Length = length;
        Name = name;
        ReportBase = reportBase;
    }

    public int Length { get; }

    public string Name { get; }

    public long ReportBase { get; }

    public BpfObjectFormatException Fail(long offset, string problem) => new(Name, ReportBase + offset, problem);

    /// <summary>Throws unless [offset, offset + count) lies inside the region.</summary>
    public void Check(long offset, long count, string what)
    {
        if (offset < 0 || count < 0 || offset > Length || count > Length - offset)
            throw Fail(offset, $"{what}: {count} bytes at offset {offset} run past the end ({Length} bytes)");
    }

    public byte U8(long offset, string what = "u8")
    {
        Check(offset, 1, what);
        return data[start + (int)offset];
    }

    public ushort U16(long offset, string what = "u16")
    {
        Check(offset, 2, what);
        return BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(start + (int)offset, 2));
    }

    public uint U32(long offset, string what = "u32")
    {
        Check(offset, 4, what);
        return BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(start + (int)offset, 4));
    }

    public int I32(long offset, string what = "i32") => unchecked((int)U32(offset, what));

    public ulong U64(long offset, string what = "u64")
    {
        Check(offset, 8, what);
        return BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(start + (int)offset, 8));
    }

    public ReadOnlySpan<byte> Span(long offset, long count, string what)
    {
        Check(offset, count, what);
        return data.AsSpan(start + (int)offset, (int)count);
    }

    public byte[] Bytes(long offset, long count, string what) => Span(offset, count, what).ToArray();

    /// <summary>A sub-region; error offsets stay relative to the enclosing section.</summary>
    public SectionReader Slice(long offset, long count, string what)
    {
        Check(offset, count, what);
        return new SectionReader(data, start + (int)offset, (int)count, Name, ReportBase + offset);
    }

    /// <summary>A NUL-terminated string starting at <paramref name="offset"/>; the NUL must be inside the region.</summary>
    public string CString(long offset, string what)
    {
        if (offset < 0 || offset >= Length)
            throw Fail(offset, $"{what}: string offset {offset} outside the {Length}-byte string table");
        var rest = data.AsSpan(start + (int)offset, Length - (int)offset);
        int nul = rest.IndexOf((byte)0);
        if (nul < 0)
            throw Fail(offset, $"{what}: string at offset {offset} is not NUL-terminated");
        return Encoding.UTF8.GetString(rest[..nul]);
    }
}
