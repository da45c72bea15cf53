using SharpBpf.Abi;
using SharpBpf.Perf;
using SharpBpf.Runtime.Perf;

namespace SharpBpf.Runtime.Tests.Perf;

/// <summary>The event object: identity, the output and read checks of spec E.1, counters, reference counting.</summary>
public class PerfEventTests
{
    [Fact]
    public void Create_SeveralEvents_IdsUniqueAndIncreasing()
    {
        using var a = PerfEvent.CreateBpfOutput(cpu: 0);
        using var b = PerfEvent.CreateCounter(new UserCounter(), cpu: 0);
        using var c = PerfEvent.CreateBpfOutputForThread(Environment.CurrentManagedThreadId);

        Assert.True(a.Id > 0);
        Assert.True(b.Id > a.Id);
        Assert.True(c.Id > b.Id);
    }

    [Fact]
    public void Create_KindsAndFlags_Exposed()
    {
        using var output = PerfEvent.CreateBpfOutput(cpu: 1, inherit: true);
        using var clock = PerfEvent.CreateCounter(new ClockCounter(PerfSoftwareEvent.CpuClock), cpu: 0);

        Assert.True(output.IsBpfOutput);
        Assert.True(output.Inherit);
        Assert.Equal(PerfEventType.Software, output.Type);
        Assert.Equal((ulong)PerfSoftwareEvent.BpfOutput, output.Config);
        Assert.Equal(1, output.Cpu);
        Assert.Equal(-1, output.ThreadId);
        Assert.False(clock.IsBpfOutput);
        Assert.False(clock.Inherit);
        Assert.False(clock.HasRing);
    }

    [Fact]
    public void CreateCounter_NeitherCpuNorThread_Throws()
    {
        Assert.Throws<ArgumentException>(() => PerfEvent.CreateCounter(new UserCounter(), cpu: -1, threadId: -1));
    }

    /// <summary>Spec E.1: which CPU / thread may output into which event, and the error for each.</summary>
    public static TheoryData<string, int, int, Errno> E1Rows => new()
    {
        { "E.o2: cpu0 event, program on cpu0", 0, 0, Errno.None },
        { "E.o8: cpu0 event, program on cpu1", 0, 1, Errno.EOPNOTSUPP },
        { "E.o9: cpu1 event, program on cpu0", 1, 0, Errno.EOPNOTSUPP },
        { "E.o21: per-task event, program in that task", -1, 0, Errno.None },
        { "E.o22: per-task event, program on cpu1 in another task", -1, -1, Errno.EOPNOTSUPP },
    };

    [Theory]
    [MemberData(nameof(E1Rows))]
    public void OutputFrom_SpecE1Rows_KernelErrno(string row, int eventCpu, int runCpu, Errno expected)
    {
        int self = Environment.CurrentManagedThreadId;
        using var e = eventCpu >= 0 ? PerfEvent.CreateBpfOutput(eventCpu) : PerfEvent.CreateBpfOutputForThread(self);
        int cpu = runCpu < 0 ? 1 : runCpu;
        int thread = runCpu < 0 ? self + 1 : self;

        var errno = e.OutputFrom(cpu, thread, [1, 2, 3, 4, 5, 6, 7, 8], default);

        Assert.True(expected == errno, $"{row}: expected {expected}, got {errno}");
        Assert.Equal(expected == Errno.None ? 24UL : 0UL, e.Ring.ReadDataHead());
    }

    [Fact]
    public void OutputFrom_CounterEvent_EinvalBeforeTheCpuCheck()
    {
        // Spec E.o11: a CPU_CLOCK event in the slot: -EINVAL (not a BPF-output event), checked before the CPU.
        using var e = PerfEvent.CreateCounter(new ClockCounter(), cpu: 0);

        Assert.Equal(Errno.EINVAL, e.OutputFrom(0, Environment.CurrentManagedThreadId, [1], default));
        Assert.Equal(Errno.EINVAL, e.OutputFrom(1, Environment.CurrentManagedThreadId, [1], default));
    }

    [Fact]
    public void ReadLocal_UserCounter_ValueAndTimes()
    {
        var counter = new UserCounter { Value = 42, EnabledTime = 1000, RunningTime = 600 };
        using var e = PerfEvent.CreateCounter(counter, cpu: 1);
        counter.Add(8);

        var errno = e.ReadLocal(1, Environment.CurrentManagedThreadId, out var value);

        Assert.Equal(Errno.None, errno);
        Assert.Equal(new PerfCounterValue(50, 1000, 600), value);
    }

    [Fact]
    public void ReadLocal_InheritedEvent_Eopnotsupp()
    {
        // perf_event_read_local refuses inherited events first; a PERF_EVENT_ARRAY update relies on it (E.u4).
        using var e = PerfEvent.CreateCounter(new UserCounter(), cpu: 0, inherit: true);

        Assert.Equal(Errno.EOPNOTSUPP, e.ReadLocal(0, Environment.CurrentManagedThreadId, out var value));
        Assert.Equal(default, value);
    }

    [Fact]
    public void ReadLocal_OtherCpuOrOtherThread_Einval()
    {
        int self = Environment.CurrentManagedThreadId;
        using var perCpu = PerfEvent.CreateCounter(new UserCounter(), cpu: 0);
        using var perThread = PerfEvent.CreateCounter(new UserCounter(), cpu: -1, threadId: self);

        Assert.Equal(Errno.EINVAL, perCpu.ReadLocal(1, self, out _));
        Assert.Equal(Errno.EINVAL, perThread.ReadLocal(0, self + 1, out _));
        Assert.Equal(Errno.None, perThread.ReadLocal(1, self, out _));
    }

    [Fact]
    public void ReadCounter_ClockCounter_NeverGoesBackAndIsAlwaysRunning()
    {
        using var e = PerfEvent.CreateCounter(new ClockCounter(PerfSoftwareEvent.TaskClock), cpu: -1, threadId: Environment.CurrentManagedThreadId);

        var first = e.ReadCounter();
        var second = e.ReadCounter();

        Assert.True(second.Counter >= first.Counter);
        Assert.Equal(second.Counter, second.Enabled);
        Assert.Equal(second.Enabled, second.Running);
        Assert.Equal((ulong)PerfSoftwareEvent.TaskClock, e.Config);
    }

    [Fact]
    public void ClockCounter_NotAClock_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClockCounter(PerfSoftwareEvent.PageFaults));
    }

    [Fact]
    public void Release_LastReference_FreesAndRefusesNewReferences()
    {
        var e = PerfEvent.CreateBpfOutput(cpu: 0);
        Assert.True(e.TryAddRef());
        Assert.Equal(2, e.ReferenceCount);

        e.Dispose();
        e.Dispose();
        Assert.False(e.IsFreed);
        Assert.Equal(Errno.None, e.Output([1]));
        e.Release();

        Assert.True(e.IsFreed);
        Assert.False(e.TryAddRef());
        Assert.Throws<ObjectDisposedException>(e.AddRef);
    }

    [Fact]
    public void Dispose_CreatorGoneWhileReaderHoldsIt_OutputStillWorks()
    {
        // Spec E.rel7: closing the perf event fd after installing it leaves the event alive for its other holders.
        var e = PerfEvent.CreateBpfOutput(cpu: 0);
        using var reader = new UserspacePerfReader([e]);

        e.Dispose();

        Assert.False(e.IsFreed);
        Assert.Equal(Errno.None, e.Output([1, 2, 3, 4, 5, 6, 7, 8]));
        Assert.IsType<PerfSample>(Assert.Single(RingBytes.Drain(reader)));
        reader.Dispose();
        Assert.True(e.IsFreed);
    }

    [Fact]
    public void UserspacePerfReader_EventAlreadyRead_Throws()
    {
        using var e = PerfEvent.CreateBpfOutput(cpu: 0);
        using var first = new UserspacePerfReader([e]);

        Assert.Throws<ArgumentException>(() => new UserspacePerfReader([e]));
        Assert.Equal(2, e.ReferenceCount);
    }

    [Fact]
    public void UserspacePerfReader_EventWithoutRing_Throws()
    {
        using var counter = PerfEvent.CreateCounter(new UserCounter(), cpu: 0);

        Assert.Throws<ArgumentException>(() => new UserspacePerfReader([counter]));
        Assert.Equal(1, counter.ReferenceCount);
    }
}
