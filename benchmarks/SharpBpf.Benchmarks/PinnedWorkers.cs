using SharpBpf.Linux;

namespace SharpBpf.Benchmarks;

/// <summary>
/// Runs a body on worker threads, worker k pinned to CPU k, as kernel runs are bound to their CPU; the calling
/// (benchmark) thread only waits. Left alone, Linux kept two threads on one core of this 2-core machine for whole
/// invocations (measured: both on CPU 1, twice the time), which measures the scheduler instead of the code.
/// </summary>
internal static class PinnedWorkers
{
    public static void Run(int count, Action<int> body)
    {
        var workers = new Thread[count];
        for (var cpu = 0; cpu < count; cpu++)
        {
            var k = cpu;
            workers[k] = new Thread(() =>
            {
                ThreadAffinity.TryPinCurrentThread(k);
                body(k);
            });
            workers[k].Start();
        }

        foreach (var worker in workers)
            worker.Join();
    }
}
