using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SharpBpf.Perf;

namespace SharpBpf.Runtime.Tests.Perf;

/// <summary>
/// The backend-neutral parser over a ring nobody in SharpBPF produced: a mapping laid out by hand as the kernel lays
/// it out, read through <see cref="PerfRingView.FromMapping"/>.
/// </summary>
public sealed unsafe class PerfRingParserTests : IDisposable
{
    private const int Page = 4096;
    private const int DataSize = 4096;
    private readonly byte* _mapping = (byte*)NativeMemory.AlignedAlloc(Page + DataSize, Page);

    public PerfRingParserTests()
    {
        NativeMemory.Clear(_mapping, Page + DataSize);
        *(ulong*)(_mapping + 1040) = Page;
        *(ulong*)(_mapping + 1048) = DataSize;
    }

    public void Dispose() => NativeMemory.AlignedFree(_mapping);

    [Fact]
    public void ReadAvailable_HandWrittenKernelRing_SamplesAndLostInOrder()
    {
        var records = RingBytes.Sample([9, 8, 7, 6], 4, 16)
            .Concat(RingBytes.Lost(77, 3))
            .Concat(RingBytes.Sample([1, 2, 3, 4, 5], 12, 24))
            .ToArray();
        ulong head = Produce(0, records);
        using var reader = new ViewReader(PerfRingView.FromMapping((nint)_mapping, Page + DataSize), cpu: 5);

        var read = RingBytes.Drain(reader);

        Assert.Collection(read,
            r => Assert.Equal([9, 8, 7, 6], Assert.IsType<PerfSample>(r).RawData.ToArray()),
            r =>
            {
                var lost = Assert.IsType<PerfLost>(r);
                Assert.Equal((5, 77UL, 3UL), (lost.Cpu, lost.Id, lost.Lost));
            },
            r => Assert.Equal([1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0, 0], Assert.IsType<PerfSample>(r).RawData.ToArray()));
        Assert.Equal(head, *(ulong*)(_mapping + 1032));
    }

    [Fact]
    public void ReadAvailable_UnknownRecordType_SkippedAndConsumed()
    {
        var throttle = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(throttle, 5); // PERF_RECORD_THROTTLE
        BinaryPrimitives.WriteUInt16LittleEndian(throttle.AsSpan(6), 24);
        ulong head = Produce(0, [.. throttle, .. RingBytes.Sample([1, 2, 3, 4], 4, 16)]);
        using var reader = new ViewReader(PerfRingView.FromMapping((nint)_mapping, Page + DataSize), cpu: 0);

        var read = RingBytes.Drain(reader);

        Assert.IsType<PerfSample>(Assert.Single(read));
        Assert.Equal(head, *(ulong*)(_mapping + 1032));
    }

    [Fact]
    public void ReadAvailable_RecordWrapsAtTheEnd_Reassembled()
    {
        var sample = RingBytes.Sample(RingBytes.Pattern(20), 20, 32);
        ulong start = DataSize - 8;
        *(ulong*)(_mapping + 1032) = start;
        ulong head = Produce(start, sample);
        using var reader = new ViewReader(PerfRingView.FromMapping((nint)_mapping, Page + DataSize), cpu: 0);

        var read = RingBytes.Drain(reader);

        Assert.Equal(RingBytes.Pattern(20), Assert.IsType<PerfSample>(Assert.Single(read)).RawData.ToArray());
        Assert.Equal(head, *(ulong*)(_mapping + 1032));
    }

    [Fact]
    public void ReadAvailableSink_ContiguousAndWrappedSamplesAndLost_SameBytesAsTheCopyingApi()
    {
        // A 48-byte sample that wraps (16 bytes before the end), a LOST, then a contiguous sample.
        ulong start = DataSize - 16;
        *(ulong*)(_mapping + 1032) = start;
        byte[] records = [.. RingBytes.Sample(RingBytes.Pattern(36), 36, 48), .. RingBytes.Lost(9, 4), .. RingBytes.Sample([5, 6, 7, 8], 4, 16)];
        ulong head = Produce(start, records);
        using var reader = new ViewReader(PerfRingView.FromMapping((nint)_mapping, Page + DataSize), cpu: 3);
        var sink = new CollectingSink();

        int consumed = reader.ReadAvailable(ref sink);

        Assert.Equal(3, consumed);
        Assert.Equal(["sample cpu3 " + Convert.ToHexString(RingBytes.Pattern(36)), "lost cpu3 id9 4", "sample cpu3 05060708"], sink.Seen);
        Assert.Equal(head, *(ulong*)(_mapping + 1032));
    }

    public static TheoryData<string, byte[]> CorruptRecords => new()
    {
        { "size 0", Header(9, 0) },
        { "size beyond the published data", Header(9, 64) },
        { "sample shorter than its fixed part", Header(9, 8) },
        { "raw.size beyond the record", [.. Header(9, 16), 100, 0, 0, 0, 0, 0, 0, 0] },
        { "lost record too short", [.. Header(2, 16), .. new byte[8]] },
    };

    [Theory]
    [MemberData(nameof(CorruptRecords))]
    public void ReadAvailable_CorruptRecord_InvalidDataAndTailStaysAtIt(string what, byte[] record)
    {
        var good = RingBytes.Sample([1, 2, 3, 4], 4, 16);
        Produce(0, [.. good, .. record]);
        using var reader = new ViewReader(PerfRingView.FromMapping((nint)_mapping, Page + DataSize), cpu: 0);
        var read = new List<PerfRecord>();

        Assert.Throws<InvalidDataException>(() => reader.ReadAvailable(read.Add));

        Assert.True(read.Count == 1, what);
        Assert.Equal(16UL, *(ulong*)(_mapping + 1032));
    }

    [Fact]
    public void FromMapping_FieldsOutsideTheMapping_Throws()
    {
        *(ulong*)(_mapping + 1048) = 2 * DataSize;

        Assert.Throws<ArgumentException>(() => PerfRingView.FromMapping((nint)_mapping, Page + DataSize));
    }

    [Fact]
    public void Constructor_DataSizeNotAPowerOfTwo_Throws()
    {
        Assert.Throws<ArgumentException>(() => new PerfRingView((nint)_mapping, (nint)(_mapping + Page), 3000));
    }

    private static byte[] Header(uint type, ushort size)
    {
        var h = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(h, type);
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(6), size);
        return h;
    }

    /// <summary>Writes records at ring position <paramref name="position"/> (wrapping) and publishes the head.</summary>
    private ulong Produce(ulong position, byte[] bytes)
    {
        byte* data = _mapping + Page;
        for (int i = 0; i < bytes.Length; i++)
            data[(position + (ulong)i) % DataSize] = bytes[i];
        ulong head = position + (ulong)bytes.Length;
        Volatile.Write(ref *(ulong*)(_mapping + 1024), head);
        return head;
    }

    private struct CollectingSink : IPerfRecordSink
    {
        public CollectingSink() => Seen = [];

        public List<string> Seen { get; }

        public readonly void OnSample(int cpu, ReadOnlySpan<byte> rawData) => Seen.Add($"sample cpu{cpu} {Convert.ToHexString(rawData)}");

        public readonly void OnLost(int cpu, ulong id, ulong lost) => Seen.Add($"lost cpu{cpu} id{id} {lost}");
    }

    /// <summary>The smallest possible subclass: one ring, no wakeups.</summary>
    private sealed class ViewReader(PerfRingView view, int cpu) : PerfEventReader
    {
        public override int RingCount => 1;

        protected override PerfRingView GetRing(int index) => view;

        protected override int GetRingCpu(int index) => cpu;

        protected override ValueTask WaitForWakeupAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        protected override void ReleaseRings()
        {
        }
    }
}
