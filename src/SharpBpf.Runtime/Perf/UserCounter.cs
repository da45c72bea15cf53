using SharpBpf.Perf;

namespace SharpBpf.Runtime.Perf;

/// <summary>
/// A counter whose value and times the host sets: a stand-in for a hardware counter where there is none (this VM
/// has no PMU) and a deterministic source for tests.
/// </summary>
public sealed class UserCounter : PerfCounter
{
    private ulong _value;
    private ulong _enabled;
    private ulong _running;

    /// <summary>Creates a counter at zero that reports itself as <paramref name="type"/> / <paramref name="config"/>.</summary>
    public UserCounter(PerfEventType type = PerfEventType.Hardware, ulong config = (ulong)PerfHardwareEvent.CpuCycles)
        : base(type, config)
    {
    }

    /// <summary>The counter value.</summary>
    public ulong Value
    {
        get => Interlocked.Read(ref _value);
        set => Interlocked.Exchange(ref _value, value);
    }

    /// <summary>The reported enabled time in nanoseconds.</summary>
    public ulong EnabledTime
    {
        get => Interlocked.Read(ref _enabled);
        set => Interlocked.Exchange(ref _enabled, value);
    }

    /// <summary>The reported running time in nanoseconds.</summary>
    public ulong RunningTime
    {
        get => Interlocked.Read(ref _running);
        set => Interlocked.Exchange(ref _running, value);
    }

    /// <summary>Adds <paramref name="delta"/> to the value atomically (wrapping, like a u64 counter).</summary>
    public void Add(ulong delta) => Interlocked.Add(ref _value, delta);

    /// <inheritdoc />
    public override PerfCounterValue Read() => new(Value, EnabledTime, RunningTime);
}
