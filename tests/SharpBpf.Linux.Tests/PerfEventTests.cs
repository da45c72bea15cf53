using SharpBpf.Abi;
using SharpBpf.Linux.Tests.Support;
using static SharpBpf.Linux.Tests.Support.BackendExtensions;

namespace SharpBpf.Linux.Tests;

/// <summary>perf_event_open for BPF_OUTPUT events and the PERF_EVENT_ARRAY slot update (spec E).</summary>
public sealed class PerfEventTests : KernelTestBase
{
    [SkippableFact]
    public void OpenBpfOutput_Cpu0_ValidHandle()
    {
        RequireKernel();

        Assert.Equal(Errno.None, PerfEventSyscall.OpenBpfOutput(0, out SafeBpfFd fd));

        using (fd)
            Assert.False(fd.IsInvalid);
    }

    [SkippableFact]
    public void OpenBpfOutput_CpuOutOfRange_Errno()
    {
        RequireKernel();

        Errno err = PerfEventSyscall.OpenBpfOutput(100_000, out SafeBpfFd fd);

        using (fd)
            Assert.Equal((Errno.EINVAL, true), (err, fd.IsInvalid));
    }

    [SkippableFact]
    public void MapUpdateElem_PerfEventArraySlot_AcceptsBpfOutputEvents() // E update with a BPF_OUTPUT event
    {
        int map = Backend.CreateMap(MapType.PerfEventArray, 4, 4, 4);
        Assert.Equal(Errno.None, Backend.OpenPerfEventBpfOutput(0, out int cpu0));
        Assert.Equal(Errno.None, Backend.OpenPerfEventBpfOutput(Backend.PossibleCpus - 1, out int last));

        Assert.Equal(Errno.None, Backend.Update(map, 0, U32((uint)cpu0)));
        Assert.Equal(Errno.None, Backend.Update(map, 1, U32((uint)last))); // E: the CPU is not checked at update time
        Assert.Equal(Errno.E2BIG, Backend.Update(map, 4, U32((uint)cpu0))); // E update key 4
        Assert.Equal(Errno.EINVAL, Backend.Update(map, 2, U32((uint)cpu0), ElemFlags.BPF_NOEXIST)); // E flags NOEXIST
        Assert.Equal(Errno.ENOTSUPP, Backend.Lookup(map, 0, 4).Err); // E LOOKUP from syscall
        Assert.Equal(Errno.None, Backend.MapDeleteElem(map, U32(0), 0)); // E DELETE occupied
        Assert.Equal(Errno.ENOENT, Backend.MapDeleteElem(map, U32(2), 0)); // E DELETE empty
    }
}
