using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Perf;
using SharpBpf.Runtime.Perf;

namespace SharpBpf.Runtime.Tests.Perf;

/// <summary>Producers and a reader running at the same time: every sample is received or counted as lost.</summary>
public class PerfConcurrencyTests
{
    private const int PerProducer = 50_000;

    [Fact]
    public async Task Output_ProducersPerCpuAndSharedRingWithConcurrentReader_SentEqualsReceivedPlusLost()
    {
        // Ring 0 has two producers (a shared CPU slot), ring 1 one; a small ring so that some records are lost.
        using var reader = UserspacePerfReader.Create(cpuCount: 2, dataPages: 1);
        var producers = new[] { (Ring: 0, Id: 0), (Ring: 0, Id: 1), (Ring: 1, Id: 2) };
        var ok = new int[producers.Length];
        var enospc = new int[producers.Length];
        var received = new List<PerfRecord>();
        using var done = new CancellationTokenSource();

        var drain = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
                reader.ReadAvailable(received.Add);
        });
        var producing = producers.Select((p, index) => Task.Run(() =>
        {
            var payload = new byte[16];
            for (int seq = 0; seq < PerProducer; seq++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(payload, p.Id);
                BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(4), seq);
                var errno = reader.Events[p.Ring].Output(payload);
                if (errno == Errno.None)
                    ok[index]++;
                else if (errno == Errno.ENOSPC)
                    enospc[index]++;
                else
                    throw new InvalidOperationException($"unexpected {errno}");
            }
        })).ToArray();
        await Task.WhenAll(producing).WaitAsync(TimeSpan.FromMinutes(1));
        done.Cancel();
        await drain.WaitAsync(TimeSpan.FromMinutes(1));
        reader.ReadAvailable(received.Add);

        for (int ring = 0; ring < 2; ring++)
        {
            var e = reader.Events[ring];
            var samples = received.OfType<PerfSample>().Where(s => s.Cpu == ring).ToList();
            ulong reportedLost = received.OfType<PerfLost>().Where(l => l.Cpu == ring).Aggregate(0UL, (sum, l) => sum + l.Lost);
            int sent = producers.Select((p, i) => p.Ring == ring ? PerProducer : 0).Sum();
            int okCount = producers.Select((p, i) => p.Ring == ring ? ok[i] : 0).Sum();
            int failed = producers.Select((p, i) => p.Ring == ring ? enospc[i] : 0).Sum();

            Assert.Equal(okCount, samples.Count);
            Assert.Equal((ulong)failed, e.LostCount);
            Assert.Equal((ulong)failed, reportedLost + e.PendingLost);
            Assert.Equal(sent, samples.Count + failed);
            Assert.Equal(e.Ring.ReadDataHead(), e.Ring.ReadDataTail());
        }

        // Each producer's received samples are in its order, whole, and come from its ring.
        foreach (var (p, index) in producers.Select((p, i) => (p, i)))
        {
            var seqs = received.OfType<PerfSample>()
                .Where(s => BinaryPrimitives.ReadInt32LittleEndian(s.RawData.Span) == p.Id)
                .Select(s =>
                {
                    Assert.Equal(p.Ring, s.Cpu);
                    Assert.Equal(20, s.RawData.Length);
                    Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(s.RawData.Span[16..]));
                    return BinaryPrimitives.ReadInt32LittleEndian(s.RawData.Span[4..]);
                }).ToList();
            Assert.Equal(ok[index], seqs.Count);
            Assert.True(seqs.Zip(seqs.Skip(1)).All(pair => pair.First < pair.Second), $"producer {p.Id} out of order");
        }
    }

    [Fact]
    public async Task ReadAllAsync_ConcurrentProducer_EverySampleAccountedFor()
    {
        using var reader = UserspacePerfReader.Create(cpuCount: 1, dataPages: 2, PerfWakeup.Events(8));
        var e = reader.Events[0];
        const int sent = 20_000;
        int okCount = 0;
        using var cts = new CancellationTokenSource();
        int samples = 0;
        ulong lost = 0;

        var consume = Task.Run(async () =>
        {
            try
            {
                await foreach (var r in reader.ReadAllAsync(cts.Token))
                {
                    if (r is PerfSample)
                        samples++;
                    else if (r is PerfLost l)
                        lost += l.Lost;
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        await Task.Run(() =>
        {
            var payload = new byte[16];
            for (int i = 0; i < sent; i++)
            {
                if (e.Output(payload) == Errno.None)
                    okCount++;
            }
        });
        await cts.CancelAsync();
        await consume.WaitAsync(TimeSpan.FromMinutes(1));
        reader.ReadAvailable(r =>
        {
            if (r is PerfSample)
                samples++;
            else if (r is PerfLost l)
                lost += l.Lost;
        });

        Assert.Equal(okCount, samples);
        Assert.Equal((ulong)(sent - okCount), lost + e.PendingLost);
        Assert.Equal((ulong)(sent - okCount), e.LostCount);
    }
}
