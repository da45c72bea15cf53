using SharpBpf.Abi;
using SharpBpf.Perf;
using SharpBpf.Runtime.Perf;

namespace SharpBpf.Runtime.Tests.Perf;

/// <summary>The async enumerable: wakeup watermarks, cancellation, disposal.</summary>
public class PerfReaderAsyncTests
{
    // A guard against a hang, not a timing assertion: every awaited step below completes without waiting on a clock.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ReadAllAsync_EventWatermark_WakesOnTheFourthRecordNotBefore()
    {
        using var reader = UserspacePerfReader.Create(cpuCount: 1, wakeup: PerfWakeup.Events(4));
        var e = reader.Events[0];
        await using var it = reader.ReadAllAsync().GetAsyncEnumerator();
        for (byte i = 1; i <= 3; i++)
            Assert.Equal(Errno.None, e.Output([i]));

        var next = it.MoveNextAsync();
        Assert.False(next.IsCompleted);

        Assert.Equal(Errno.None, e.Output([4]));
        Assert.True(await next.AsTask().WaitAsync(Guard));
        var values = new List<byte> { Assert.IsType<PerfSample>(it.Current).RawData.Span[0] };
        for (int i = 0; i < 3; i++)
        {
            var more = it.MoveNextAsync();
            Assert.True(more.IsCompleted);
            Assert.True(await more);
            values.Add(Assert.IsType<PerfSample>(it.Current).RawData.Span[0]);
        }
        Assert.Equal([1, 2, 3, 4], values);
        var after = it.MoveNextAsync();
        Assert.False(after.IsCompleted);
        reader.Dispose();
        Assert.False(await after.AsTask().WaitAsync(Guard));
    }

    [Fact]
    public async Task ReadAllAsync_ByteWatermark_WakesOnceEnoughBytesArePending()
    {
        // 8-byte outputs make 24-byte records: 4 records are 96 bytes, the 5th crosses 100.
        using var reader = UserspacePerfReader.Create(cpuCount: 1, wakeup: PerfWakeup.Bytes(100));
        var e = reader.Events[0];
        await using var it = reader.ReadAllAsync().GetAsyncEnumerator();
        for (int i = 0; i < 4; i++)
            e.Output(new byte[8]);

        var next = it.MoveNextAsync();
        Assert.False(next.IsCompleted);

        e.Output(new byte[8]);
        Assert.True(await next.AsTask().WaitAsync(Guard));
    }

    [Fact]
    public async Task ReadAllAsync_WatermarkAlreadyReached_YieldsWithoutWaiting()
    {
        using var reader = UserspacePerfReader.Create(cpuCount: 2, wakeup: PerfWakeup.Events(2));
        reader.Events[1].Output([7]);
        reader.Events[1].Output([8]);
        await using var it = reader.ReadAllAsync().GetAsyncEnumerator();

        var next = it.MoveNextAsync();

        Assert.True(next.IsCompleted);
        Assert.True(await next);
        Assert.Equal(1, it.Current.Cpu);
    }

    [Fact]
    public async Task ReadAllAsync_RingFullBelowWatermark_WakesAnyway()
    {
        // 1000 records can never be pending in one page: the reader must still be woken once records are lost.
        using var reader = UserspacePerfReader.Create(cpuCount: 1, wakeup: PerfWakeup.Events(1000));
        var e = reader.Events[0];
        await using var it = reader.ReadAllAsync().GetAsyncEnumerator();
        var next = it.MoveNextAsync();
        Assert.False(next.IsCompleted);

        var results = Enumerable.Range(0, 52).Select(_ => e.Output(new byte[64])).ToList();

        Assert.Equal(Errno.ENOSPC, results[^1]);
        Assert.True(await next.AsTask().WaitAsync(Guard));
    }

    [Fact]
    public async Task ReadAllAsync_Cancelled_ThrowsOperationCanceled()
    {
        using var reader = UserspacePerfReader.Create(cpuCount: 1);
        using var cts = new CancellationTokenSource();
        await using var it = reader.ReadAllAsync(cts.Token).GetAsyncEnumerator();
        var next = it.MoveNextAsync();
        Assert.False(next.IsCompleted);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.AsTask().WaitAsync(Guard));
    }

    [Fact]
    public async Task ReadAllAsync_ReaderDisposedWhileWaiting_EnumerationEnds()
    {
        var reader = UserspacePerfReader.Create(cpuCount: 1);
        var e = reader.Events[0];
        await using var it = reader.ReadAllAsync().GetAsyncEnumerator();
        var next = it.MoveNextAsync();
        Assert.False(next.IsCompleted);

        reader.Dispose();

        Assert.False(await next.AsTask().WaitAsync(Guard));
        Assert.True(e.IsFreed);
    }

    [Fact]
    public async Task ReadAllAsync_AfterDispose_Throws()
    {
        var reader = UserspacePerfReader.Create(cpuCount: 1);
        reader.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () =>
        {
            await foreach (var _ in reader.ReadAllAsync())
            {
            }
        });
        Assert.Throws<ObjectDisposedException>(() => reader.ReadAvailable(_ => { }));
    }
}
