using SharpBpf.Abi;
using SharpBpf.Linux.Tests.Support;
using SharpBpf.Perf;
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

    [SkippableTheory]
    [InlineData("E.2 n=8", 8, 12)]
    [InlineData("E.2 n=5", 5, 12)]
    [InlineData("E.2 n=4", 4, 4)]
    [InlineData("E.2 n=0", 0, 4)]
    public void LinuxPerfEventReader_ProgramOutput_OneSampleWithSpecRawSize(string row, int size, int rawSize)
    {
        int map = Backend.CreateMap(MapType.PerfEventArray, 4, 4, (uint)Backend.PossibleCpus);
        Assert.Equal(Errno.None, LinuxPerfEventReader.Open(Backend, map, 1, out LinuxPerfEventReader? opened));
        using LinuxPerfEventReader reader = opened!;
        int prog = Backend.LoadProgram(ProgramType.Xdp, Insn.PerfOutput(map, 0x11223344, size));

        Assert.Equal(0u, Backend.Run(prog).Retval);

        var records = new List<PerfRecord>();
        Assert.Equal(1, reader.ReadAvailable(records.Add));
        PerfSample sample = Assert.IsType<PerfSample>(records[0]);
        Assert.True(rawSize == sample.RawData.Length, $"{row}: raw.size {sample.RawData.Length}");
        byte[] expected = new byte[rawSize];
        U64(0x11223344).AsSpan(0, Math.Min(size, 8)).CopyTo(expected);
        Assert.Equal(expected, sample.RawData.ToArray()); // the data, then zero padding
        Assert.Contains(sample.Cpu, reader.Cpus);
        Assert.Equal(0, reader.ReadAvailable(records.Add)); // consumed: data_tail was published
    }

    [SkippableFact]
    public async Task LinuxPerfEventReader_ReadAllAsync_WokenByOutput()
    {
        int map = Backend.CreateMap(MapType.PerfEventArray, 4, 4, (uint)Backend.PossibleCpus);
        Assert.Equal(Errno.None, LinuxPerfEventReader.Open(Backend, map, 2, out LinuxPerfEventReader? opened));
        using LinuxPerfEventReader reader = opened!;
        int prog = Backend.LoadProgram(ProgramType.Xdp, Insn.PerfOutput(map, 7, 4));
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a hang guard, not a timing
        await using IAsyncEnumerator<PerfRecord> records = reader.ReadAllAsync(guard.Token).GetAsyncEnumerator(guard.Token);
        ValueTask<bool> next = records.MoveNextAsync();

        _ = Task.Run(() => Backend.Run(prog));

        Assert.True(await next);
        Assert.Equal([7, 0, 0, 0], Assert.IsType<PerfSample>(records.Current).RawData.ToArray());
    }

    [SkippableFact]
    public void LinuxPerfEventReader_NotAPerfEventArray_EINVAL()
    {
        int map = Backend.CreateMap(MapType.Array, 4, 8, 4);

        Assert.Equal(Errno.EINVAL, LinuxPerfEventReader.Open(Backend, map, 1, out LinuxPerfEventReader? reader));
        Assert.Null(reader);
        Assert.Equal(Errno.EINVAL, LinuxPerfEventReader.Open(Backend, map, 3, out _)); // not a power of two
    }
}
