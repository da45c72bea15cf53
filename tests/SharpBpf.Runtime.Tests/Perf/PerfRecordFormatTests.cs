using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Perf;
using SharpBpf.Runtime.Perf;

namespace SharpBpf.Runtime.Tests.Perf;

/// <summary>Spec section E.2: the ring's metadata page and the bytes of PERF_RECORD_SAMPLE / PERF_RECORD_LOST.</summary>
public class PerfRecordFormatTests
{
    /// <summary>Spec E.2, "Ring record format": output size n, raw.size, record size.</summary>
    public static TheoryData<int, uint, ushort> E2Table => new()
    {
        { 8, 12, 24 },
        { 5, 12, 24 },
        { 4, 4, 16 },
        { 0, 4, 16 },
        { 12, 12, 24 },
        { 64, 68, 80 },
    };

    [Theory]
    [MemberData(nameof(E2Table))]
    public void Output_SpecE2Table_RingHoldsExactSampleBytes(int n, uint rawSize, ushort recordSize)
    {
        using var e = PerfEvent.CreateBpfOutput(cpu: 0);
        var data = RingBytes.Pattern(n);

        var errno = e.Output(data);

        Assert.Equal(Errno.None, errno);
        var expected = RingBytes.Sample(data, rawSize, recordSize);
        Assert.Equal(expected, RingBytes.Data(e)[..recordSize].ToArray());
        Assert.Equal((ulong)recordSize, e.Ring.ReadDataHead());
    }

    [Theory]
    [MemberData(nameof(E2Table))]
    public void ReadAvailable_SpecE2Table_RawDataIsDataThenZeroPadding(int n, uint rawSize, ushort recordSize)
    {
        using var reader = UserspacePerfReader.Create(cpuCount: 1);
        var data = RingBytes.Pattern(n);
        Assert.Equal(Errno.None, reader.Events[0].Output(data));

        var records = RingBytes.Drain(reader);

        var sample = Assert.IsType<PerfSample>(Assert.Single(records));
        Assert.Equal(0, sample.Cpu);
        var expectedRaw = new byte[rawSize];
        data.CopyTo(expectedRaw, 0);
        Assert.Equal(expectedRaw, sample.RawData.ToArray());
        Assert.Equal((ulong)recordSize, reader.Events[0].Ring.ReadDataTail());
    }

    [Fact]
    public void Output_TwoParts_WritesFirstThenSecondAsOneSample()
    {
        using var e = PerfEvent.CreateBpfOutput(cpu: 0);
        byte[] meta = [1, 2, 3];
        byte[] ctx = [10, 11, 12, 13, 14, 15];

        Assert.Equal(Errno.None, e.Output(meta, ctx));

        // n = 9: raw.size = round_up(13, 8) - 4 = 12, record = 24.
        var expected = RingBytes.Sample([1, 2, 3, 10, 11, 12, 13, 14, 15], 12, 24);
        Assert.Equal(expected, RingBytes.Data(e)[..24].ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    public void Create_DataPages_MetadataPageAsTheKernelFillsIt(int dataPages)
    {
        using var e = PerfEvent.CreateBpfOutput(cpu: 0, dataPages);
        int page = Environment.SystemPageSize;

        var meta = RingBytes.Page(e);

        Assert.Equal(0, e.MappingBase % page);
        Assert.Equal((ulong)(page * (1 + dataPages)), e.MappingLength);
        Assert.Equal((ulong)page, BinaryPrimitives.ReadUInt64LittleEndian(meta[1040..]));
        Assert.Equal((ulong)(page * dataPages), BinaryPrimitives.ReadUInt64LittleEndian(meta[1048..]));
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(meta[1024..]));
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(meta[1032..]));
        Assert.Equal(e.MappingBase + page, e.Ring.Data);
    }

    [Fact]
    public void FromMapping_UserspaceRing_FindsTheDataAreaFromThePage()
    {
        using var e = PerfEvent.CreateBpfOutput(cpu: 0, dataPages: 2);

        var view = PerfRingView.FromMapping(e.MappingBase, e.MappingLength);

        Assert.Equal(e.Ring.Data, view.Data);
        Assert.Equal(e.Ring.DataSize, view.DataSize);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(-1)]
    public void CreateBpfOutput_DataPagesNotAPowerOfTwo_Throws(int dataPages)
    {
        Assert.ThrowsAny<ArgumentException>(() => PerfEvent.CreateBpfOutput(cpu: 0, dataPages));
    }

    [Fact]
    public void Output_NoRing_EnospcNotCountedAsLost()
    {
        // A kernel BPF-output event that nobody mmapped has no ring buffer: perf_output_begin gives -ENOSPC
        // without counting a lost record.
        using var e = PerfEvent.CreateBpfOutput(cpu: 0, dataPages: 0);

        var errno = e.Output([1, 2, 3, 4]);

        Assert.False(e.HasRing);
        Assert.Equal(Errno.ENOSPC, errno);
        Assert.Equal(0UL, e.LostCount);
    }

    [Fact]
    public void Output_LargestDescribableSample_FitsU16Size()
    {
        using var e = PerfEvent.CreateBpfOutput(cpu: 0, dataPages: 32);
        var data = RingBytes.Pattern(PerfRingLayout.MaxRawPayload);

        Assert.Equal(Errno.None, e.Output(data));

        Assert.Equal(65528UL, e.Ring.ReadDataHead());
        Assert.Equal(65528, BinaryPrimitives.ReadUInt16LittleEndian(RingBytes.Data(e)[6..]));
    }

    [Fact]
    public void Output_SampleTooBigForU16Size_E2BigAndNotLost()
    {
        using var e = PerfEvent.CreateBpfOutput(cpu: 0, dataPages: 32);

        var errno = e.Output(new byte[PerfRingLayout.MaxRawPayload - 4], new byte[5]);

        Assert.Equal(Errno.E2BIG, errno);
        Assert.Equal(0UL, e.LostCount);
        Assert.Equal(0UL, e.Ring.ReadDataHead());
    }
}
