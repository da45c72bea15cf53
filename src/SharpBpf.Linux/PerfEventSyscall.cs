using SharpBpf.Abi;
using SharpBpf.Linux.Interop;
using SharpBpf.Perf;

namespace SharpBpf.Linux;

/// <summary>
/// <c>perf_event_open(2)</c> for the events a <c>PERF_EVENT_ARRAY</c> holds: the choke point for the perf side, as
/// <see cref="BpfSyscall"/> is for <c>bpf(2)</c>.
/// </summary>
public static unsafe class PerfEventSyscall
{
    private const uint PERF_TYPE_SOFTWARE = 1;
    private const ulong PERF_COUNT_SW_BPF_OUTPUT = 10;
    private const ulong PERF_SAMPLE_RAW = 1u << 10;
    private const nint PERF_FLAG_FD_CLOEXEC = 1 << 3;

    /// <summary>
    /// Opens a <c>PERF_TYPE_SOFTWARE / PERF_COUNT_SW_BPF_OUTPUT</c> event on <paramref name="cpu"/> for all tasks
    /// (<c>pid = -1</c>), sampling <c>PERF_SAMPLE_RAW</c> with a wakeup per record: the event
    /// <c>bpf_perf_event_output</c> writes into once it sits in a <c>PERF_EVENT_ARRAY</c> slot.
    /// </summary>
    /// <returns><see cref="Errno.None"/> and an owned descriptor, or the errno (and an invalid handle).</returns>
    public static Errno OpenBpfOutput(int cpu, out SafeBpfFd fd)
    {
        var attr = default(PerfEventAttrNative);
        attr.Type = PERF_TYPE_SOFTWARE;
        attr.Size = (uint)sizeof(PerfEventAttrNative);
        attr.Config = PERF_COUNT_SW_BPF_OUTPUT;
        attr.SamplePeriodOrFreq = 1;
        attr.SampleType = PERF_SAMPLE_RAW;
        attr.WakeupEventsOrWatermark = 1;
        return Open(ref attr, pid: -1, cpu, out fd);
    }

    /// <summary>
    /// Opens a <c>PERF_TYPE_SOFTWARE</c> counting event (<paramref name="config"/>, such as
    /// <see cref="PerfSoftwareEvent.CpuClock"/>) on <paramref name="cpu"/> for all tasks, without sampling. A
    /// <c>PERF_EVENT_ARRAY</c> accepts it in a slot; <c>bpf_perf_event_output</c> into it fails with -EINVAL, and
    /// <c>bpf_perf_event_read</c> reads it (spec E).
    /// </summary>
    /// <returns><see cref="Errno.None"/> and an owned descriptor, or the errno (and an invalid handle).</returns>
    public static Errno OpenSoftwareCounter(PerfSoftwareEvent config, int cpu, out SafeBpfFd fd)
    {
        var attr = default(PerfEventAttrNative);
        attr.Type = PERF_TYPE_SOFTWARE;
        attr.Size = (uint)sizeof(PerfEventAttrNative);
        attr.Config = (ulong)config;
        return Open(ref attr, pid: -1, cpu, out fd);
    }

    private static Errno Open(ref PerfEventAttrNative attr, int pid, int cpu, out SafeBpfFd fd)
    {
        if (SyscallNumbers.PerfEventOpen == 0)
        {
            fd = new SafeBpfFd();
            return Errno.ENOSYS;
        }

        nint result;
        fixed (PerfEventAttrNative* p = &attr)
            result = Libc.Syscall5(SyscallNumbers.PerfEventOpen, p, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
        if (result < 0)
        {
            fd = new SafeBpfFd();
            return BpfSyscall.LastErrno();
        }

        fd = new SafeBpfFd((int)result, ownsHandle: true);
        return Errno.None;
    }
}
