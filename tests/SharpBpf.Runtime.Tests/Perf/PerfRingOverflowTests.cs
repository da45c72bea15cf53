using CsCheck;
using SharpBpf.Abi;
using SharpBpf.Perf;
using SharpBpf.Runtime.Perf;

namespace SharpBpf.Runtime.Tests.Perf;

/// <summary>Spec section E.2, "Overflow and PERF_RECORD_LOST", and records that wrap around the data area.</summary>
public class PerfRingOverflowTests
{
    [Fact]
    public void Output_80SamplesOf64BytesIntoOnePage_51FitAnd29Enospc()
    {
        using var reader = UserspacePerfReader.Create(cpuCount: 1);
        var e = reader.Events[0];
        var data = RingBytes.Pattern(64);

        var results = Enumerable.Range(0, 80).Select(_ => e.Output(data)).ToList();

        Assert.Equal(51, results.Count(r => r == Errno.None));
        Assert.Equal(29, results.Count(r => r == Errno.ENOSPC));
        Assert.All(results.Take(51), r => Assert.Equal(Errno.None, r));
        Assert.Equal(29UL, e.LostCount);
        Assert.Equal(29UL, e.PendingLost);
        Assert.Equal(51UL * 80, e.Ring.ReadDataHead());
    }

    [Fact]
    public void Output_AfterReaderConsumedAnOverflow_LostRecordThenSample()
    {
        using var reader = UserspacePerfReader.Create(cpuCount: 1);
        var e = reader.Events[0];
        var data = RingBytes.Pattern(64);
        for (int i = 0; i < 80; i++)
            e.Output(data);
        var first = RingBytes.Drain(reader);
        Assert.Equal(51, first.OfType<PerfSample>().Count());
        Assert.Empty(first.OfType<PerfLost>());

        var errno = e.Output(data);
        var second = RingBytes.Drain(reader);

        Assert.Equal(Errno.None, errno);
        Assert.Collection(second,
            r =>
            {
                var lost = Assert.IsType<PerfLost>(r);
                Assert.Equal(e.Id, lost.Id);
                Assert.Equal(29UL, lost.Lost);
            },
            r => Assert.Equal(68, Assert.IsType<PerfSample>(r).RawData.Length));
        Assert.Equal(0UL, e.PendingLost);
        Assert.Equal(29UL, e.LostCount);
    }

    [Fact]
    public void Output_AfterOverflow_LostRecordBytesPrecedeTheSample()
    {
        using var reader = UserspacePerfReader.Create(cpuCount: 1);
        var e = reader.Events[0];
        var data = RingBytes.Pattern(64);
        for (int i = 0; i < 80; i++)
            e.Output(data);
        RingBytes.Drain(reader);
        ulong position = e.Ring.ReadDataHead();
        // The 4 padding bytes are skipped, not written (the kernel's __output_skip): they keep what the ring held.
        var stale = new byte[4];
        e.Ring.CopyOut(position + 24 + 12 + 64, stale);

        e.Output(data);

        var expected = RingBytes.Lost(e.Id, 29).Concat(RingBytes.Sample([.. data, .. stale], 68, 80)).ToArray();
        var actual = new byte[expected.Length];
        e.Ring.CopyOut(position, actual);
        Assert.Equal(expected, actual);
        Assert.Equal(position + 24 + 80, e.Ring.ReadDataHead());
    }

    [Fact]
    public void Output_SampleFitsButNotWithThePendingLostRecord_DroppedAndCounted()
    {
        // The kernel adds sizeof(lost_event) to the size it needs when records are pending as lost: both must fit.
        using var reader = UserspacePerfReader.Create(cpuCount: 1);
        var e = reader.Events[0];
        var data = RingBytes.Pattern(64);
        for (int i = 0; i < 52; i++)
            e.Output(data); // 51 fit (4080 bytes), 1 lost; 15 bytes free.
        ConsumeOneRecord(e); // 95 bytes free: the 80-byte sample fits, the sample plus a 24-byte LOST does not.

        var errno = e.Output(data);

        Assert.Equal(Errno.ENOSPC, errno);
        Assert.Equal(2UL, e.PendingLost);
        ConsumeOneRecord(e); // 175 bytes free.
        Assert.Equal(Errno.None, e.Output(data));
        var records = RingBytes.Drain(reader);
        Assert.Equal(2UL, Assert.IsType<PerfLost>(records[^2]).Lost);
        Assert.IsType<PerfSample>(records[^1]);
    }

    [Fact]
    public void Output_RecordCrossesTheEndOfTheDataArea_WrapsAndReadsBackWhole()
    {
        using var reader = UserspacePerfReader.Create(cpuCount: 1);
        var e = reader.Events[0];
        for (int i = 0; i < 51; i++)
            e.Output(RingBytes.Pattern(64));
        RingBytes.Drain(reader); // head = tail = 4080: the next 80-byte record has 16 bytes before the end.
        var data = RingBytes.Pattern(64, start: 100);
        var stale = new byte[4]; // the skipped padding keeps what the ring held there
        e.Ring.CopyOut(4080 + 12 + 64, stale);

        Assert.Equal(Errno.None, e.Output(data));

        var expected = RingBytes.Sample([.. data, .. stale], 68, 80);
        var ring = RingBytes.Data(e);
        Assert.Equal(expected[..16], ring[4080..].ToArray());
        Assert.Equal(expected[16..], ring[..64].ToArray());
        var sample = Assert.IsType<PerfSample>(Assert.Single(RingBytes.Drain(reader)));
        Assert.Equal(data, sample.RawData[..64].ToArray());
        Assert.Equal(4080UL + 80, e.Ring.ReadDataTail());
    }

    [Fact]
    public void Output_RandomSizesAndDrains_MatchesAQueueModel()
    {
        // Operations: output n bytes (0..300) or drain. Model: a ring of C bytes holds at most C - 1 bytes; a record
        // is stored iff it fits together with a LOST record when some are pending; every stored record reads back.
        var op = Gen.Frequency((5, Gen.Int[0, 300]), (1, Gen.Const(-1)));
        Gen.Select(Gen.Int[0, 1], op.Array[1, 200]).Sample(t =>
        {
            var (pagesLog2, ops) = t;
            using var reader = UserspacePerfReader.Create(cpuCount: 1, dataPages: 1 << pagesLog2);
            var e = reader.Events[0];
            ulong capacity = e.Ring.DataSize - 1;
            ulong used = 0, pendingLost = 0;
            byte seq = 0;
            var expected = new List<(bool Lost, ulong Value, byte[] Data)>();
            foreach (int n in ops)
            {
                if (n < 0)
                {
                    var records = RingBytes.Drain(reader);
                    Assert.Equal(expected.Count, records.Count);
                    for (int i = 0; i < records.Count; i++)
                    {
                        if (expected[i].Lost)
                            Assert.Equal(expected[i].Value, Assert.IsType<PerfLost>(records[i]).Lost);
                        else
                            Assert.Equal(expected[i].Data, Assert.IsType<PerfSample>(records[i]).RawData[..expected[i].Data.Length].ToArray());
                    }
                    expected.Clear();
                    used = 0;
                    continue;
                }
                var data = RingBytes.Pattern(n, seq++);
                ulong size = (ulong)(8 + 4 + ((n + 4 + 7) / 8 * 8 - 4)) + (pendingLost > 0 ? 24UL : 0);
                var errno = e.Output(data);
                if (used + size <= capacity)
                {
                    Assert.Equal(Errno.None, errno);
                    if (pendingLost > 0)
                        expected.Add((true, pendingLost, []));
                    expected.Add((false, 0, data));
                    used += size;
                    pendingLost = 0;
                }
                else
                {
                    Assert.Equal(Errno.ENOSPC, errno);
                    pendingLost++;
                }
            }
        }, iter: 200);
    }

    private static void ConsumeOneRecord(PerfEvent e)
    {
        ulong tail = e.Ring.ReadDataTail();
        e.Ring.WriteDataTail(tail + e.Ring.ReadHeader(tail).Size);
    }
}
