using System.Buffers.Binary;
using SharpBpf.Perf;
using SharpBpf.Runtime.Perf;

namespace SharpBpf.Runtime.Tests.Perf;

/// <summary>Test helpers: raw access to a ring's bytes and records built by hand from the spec's layout.</summary>
internal static class RingBytes
{
    /// <summary>The data area of <paramref name="e"/>'s ring.</summary>
    public static unsafe ReadOnlySpan<byte> Data(PerfEvent e) => new((void*)e.Ring.Data, checked((int)e.Ring.DataSize));

    /// <summary>The metadata page of <paramref name="e"/>'s ring.</summary>
    public static unsafe ReadOnlySpan<byte> Page(PerfEvent e) => new((void*)e.MappingBase, Environment.SystemPageSize);

    /// <summary>Bytes 1, 2, 3 ... as the spec's probe fills its output buffer.</summary>
    public static byte[] Pattern(int n, int start = 1) => [.. Enumerable.Range(start, n).Select(i => (byte)i)];

    /// <summary>
    /// A PERF_RECORD_SAMPLE built from the spec (E.2): header{type=9, misc=1, size}, u32 raw.size, data, zero padding.
    /// </summary>
    public static byte[] Sample(byte[] data, uint rawSize, ushort recordSize)
    {
        var r = new byte[recordSize];
        BinaryPrimitives.WriteUInt32LittleEndian(r, 9);
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(6), recordSize);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(8), rawSize);
        data.CopyTo(r, 12);
        return r;
    }

    /// <summary>A PERF_RECORD_LOST built from the spec (E.2): header{type=2, misc=0, size=24}, u64 id, u64 lost.</summary>
    public static byte[] Lost(ulong id, ulong lost)
    {
        var r = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(r, 2);
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(6), 24);
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(8), id);
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(16), lost);
        return r;
    }

    /// <summary>Reads everything available from <paramref name="reader"/>.</summary>
    public static List<PerfRecord> Drain(PerfEventReader reader)
    {
        var records = new List<PerfRecord>();
        reader.ReadAvailable(records.Add);
        return records;
    }
}
