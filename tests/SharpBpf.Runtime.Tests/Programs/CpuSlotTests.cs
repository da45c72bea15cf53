using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Runtime.Execution;
using static SharpBpf.Runtime.Tests.Programs.ProgramAsm;

namespace SharpBpf.Runtime.Tests.Programs;

/// <summary>
/// CPU slots (issue 3 point 6): one run per slot at a time, a run on slot k sees per-CPU copy k, waiting instead
/// of sharing, and per-CPU counters that add up exactly under concurrent runs.
/// </summary>
public class CpuSlotTests
{
    [Fact]
    public void Slots_EachOwnsARunStateOnItsCpu()
    {
        var slots = new CpuSlots(3);

        for (var cpu = 0; cpu < 3; cpu++)
        {
            using var slot = slots.Acquire(cpu);
            Assert.Equal(cpu, slot.Cpu);
            Assert.Equal(cpu, slot.State.Cpu);
        }
    }

    [Fact]
    public void TryAcquire_HeldSlot_FalseUntilReleased()
    {
        var slots = new CpuSlots(2);
        var held = slots.Acquire(1);

        Assert.False(slots.TryAcquire(1, out _));
        Assert.True(slots.TryAcquire(0, out var other));
        Assert.False(slots.TryAcquire(2, out _));
        held.Dispose();
        Assert.True(slots.TryAcquire(1, out var again));
        other.Dispose();
        again.Dispose();
        Assert.Equal(0, slots.BusyCount);
    }

    [Fact]
    public void Acquire_AllBusy_TakesTheOtherFreeSlotsFirst()
    {
        var slots = new CpuSlots(4);
        var taken = new HashSet<int>();
        var leases = new List<CpuSlot>();

        for (var i = 0; i < 4; i++)
        {
            var slot = slots.Acquire();
            Assert.True(taken.Add(slot.Cpu), $"slot {slot.Cpu} handed out twice");
            leases.Add(slot);
        }

        Assert.Equal(4, slots.BusyCount);
        leases.ForEach(l => l.Dispose());
    }

    [Fact]
    public async Task Acquire_AllBusy_BlocksUntilASlotIsReleased()
    {
        var slots = new CpuSlots(1);
        var held = slots.Acquire();
        using var started = new ManualResetEventSlim();
        var waiter = Task.Run(() =>
        {
            started.Set();
            using var slot = slots.Acquire();
            return slot.Cpu;
        });
        started.Wait();

        Assert.False(waiter.IsCompleted);
        held.Dispose();

        Assert.Equal(0, await waiter.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Acquire_SpecificBusySlot_WaitsForIt()
    {
        var slots = new CpuSlots(2);
        var held = slots.Acquire(1);
        var waiter = Task.Run(() =>
        {
            using var slot = slots.Acquire(1);
            return slot.Cpu;
        });

        Assert.True(slots.TryAcquire(0, out var zero)); // the waiter did not take slot 0 instead
        held.Dispose();

        Assert.Equal(1, await waiter.WaitAsync(TimeSpan.FromSeconds(30)));
        zero.Dispose();
    }

    [Fact]
    public void Acquire_ManyThreads_NoTwoHoldersOfOneSlot()
    {
        const int threads = 6, iterations = 20_000;
        var slots = new CpuSlots(2);
        var holders = new int[2];
        var violations = 0;
        var perSlot = new long[2];

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var i = 0; i < iterations; i++)
            {
                using var slot = (t + i) % 3 == 0 ? slots.Acquire(i & 1) : slots.Acquire();
                if (Interlocked.Increment(ref holders[slot.Cpu]) != 1)
                    Interlocked.Increment(ref violations);
                perSlot[slot.Cpu]++; // plain increment: exclusive while the slot is held
                Interlocked.Decrement(ref holders[slot.Cpu]);
            }
        });

        Assert.Equal(0, violations);
        Assert.Equal((long)threads * iterations, perSlot[0] + perSlot[1]);
        Assert.Equal(0, slots.BusyCount);
    }

    [Fact]
    public void ConcurrentTestRuns_PerCpuCounterWithPlainIncrement_SumIsExact()
    {
        const int threads = 4, runsPerThread = 200;
        const uint repeat = 50;
        using var kit = new ProgramTestKit(cpus: 2);
        var map = kit.CreatePerCpu();
        var prog = kit.LoadXdp(CounterIncrement(map)); // lookup, then a non-atomic *v += 1

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            for (var i = 0; i < runsPerThread; i++)
            {
                var err = kit.Backend.ProgTestRun(prog, new TestRunAttr { DataIn = ProgramTestKit.Packet, Repeat = repeat },
                    out var result);
                Assert.Equal(Errno.None, err);
                Assert.Equal(0u, result.Retval);
            }
        });

        var perCpu = kit.LookupPerCpu(map, 0);
        Assert.Equal((ulong)threads * runsPerThread * repeat, perCpu[0] + perCpu[1]);
        Assert.Equal(0, kit.Backend.CpuSlots.BusyCount);
    }

    [Fact]
    public void ConcurrentRunsOnChosenCpus_EachCopyCountsItsOwnRuns()
    {
        const int runsPerCpu = 2000;
        using var kit = new ProgramTestKit(cpus: 2);
        var map = kit.CreatePerCpu();
        var prog = kit.LoadRawTp(CounterIncrement(map));

        // Two threads per CPU: runs that chose the same CPU must wait for each other, never share it.
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            for (var i = 0; i < runsPerCpu / 2; i++)
                Assert.Equal(0u, kit.RunOnCpu(prog, (uint)(t & 1)));
        });

        Assert.Equal(new ulong[] { runsPerCpu, runsPerCpu }, kit.LookupPerCpu(map, 0));
    }
}
