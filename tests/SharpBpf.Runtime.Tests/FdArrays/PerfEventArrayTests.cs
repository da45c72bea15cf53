using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Runtime.Perf;
using SharpBpf.Runtime.Tests.Perf;
using SharpBpf.Runtime.Tests.Programs;
using static SharpBpf.Runtime.Tests.Programs.ProgramAsm;

namespace SharpBpf.Runtime.Tests.FdArrays;

/// <summary>PERF_EVENT_ARRAY and <c>bpf_perf_event_output</c> against spec E (E.u*, E.o*, E.2, E.rel*).</summary>
public class PerfEventArrayTests
{
    private const ulong CurrentCpu = 0xffff_ffffUL;

    /// <summary>Fills fp-64..fp-1 with bytes 1..64, then <c>return bpf_perf_event_output(ctx, map, flags, fp-64, n)</c>.</summary>
    private static Instruction[] Output(int mapFd, ulong flags, int n)
    {
        var insns = new List<Instruction> { Mov64Reg(R6, R1) };
        for (var k = 0; k < 8; k++)
        {
            ulong word = 0;
            for (var b = 0; b < 8; b++)
                word |= (ulong)(byte)(k * 8 + b + 1) << (8 * b);
            insns.AddRange(Lddw(R1, word));
            insns.Add(StxDw(R10, R1, (short)(-64 + 8 * k)));
        }

        insns.Add(Mov64Reg(R1, R6));
        insns.AddRange(LdMapFd(R2, mapFd));
        insns.AddRange(Lddw(R3, flags));
        insns.Add(Mov64Reg(R4, R10));
        insns.Add(Add64Imm(R4, -64));
        insns.Add(Mov64Imm(R5, n));
        insns.Add(Call(25));
        insns.Add(Exit());
        return [.. insns];
    }

    private static int Install(ProgramTestKit kit, PerfEvent e)
    {
        Assert.Equal(Errno.None, kit.Backend.PerfEventInstall(e, out var fd));
        return fd;
    }

    private static Errno Put(ProgramTestKit kit, int mapFd, uint index, int fd, ulong flags = 0) =>
        kit.Backend.MapUpdateElem(mapFd, ProgramTestKit.Key(index), BitConverter.GetBytes(fd), flags);

    private sealed class Setup : IDisposable
    {
        public Setup()
        {
            Map = Kit.CreateMap(MapType.PerfEventArray, 4, 4);
            Assert.Equal(Errno.None, Put(Kit, Map, 0, Install(Kit, Cpu0)));
            Assert.Equal(Errno.None, Put(Kit, Map, 1, Install(Kit, Cpu1)));
            Assert.Equal(Errno.None, Put(Kit, Map, 3, Install(Kit, Clock)));
        }

        public ProgramTestKit Kit { get; } = new();

        public PerfEvent Cpu0 { get; } = PerfEvent.CreateBpfOutput(0);

        public PerfEvent Cpu1 { get; } = PerfEvent.CreateBpfOutput(1);

        public PerfEvent Clock { get; } = PerfEvent.CreateCounter(new ClockCounter(), 0);

        public int Map { get; }

        public int Run(ulong flags, uint cpu, int n = 8) =>
            (int)Kit.RunOnCpu(Kit.LoadRawTp(Output(Map, flags, n)), cpu);

        public void Dispose()
        {
            Kit.Dispose();
            Cpu0.Dispose();
            Cpu1.Dispose();
            Clock.Dispose();
        }
    }

    [Theory]
    [InlineData("E.o1", CurrentCpu, 0u, 0)]
    [InlineData("E.o2", CurrentCpu, 1u, 0)]
    [InlineData("E.o3", 0UL, 0u, 0)]
    [InlineData("E.o4", 0UL, 1u, -95)]
    [InlineData("E.o5", 1UL, 0u, -95)]
    [InlineData("E.o6", 2UL, 0u, -2)]
    [InlineData("E.o7", 3UL, 0u, -22)]
    [InlineData("E.o8", 4UL, 0u, -7)]
    [InlineData("E.o9", 0xffff_fffeUL, 0u, -7)]
    [InlineData("E.o10", 1UL << 32, 0u, -22)]
    public void PerfEventOutput_FlagsAndSlots_MatchKernel(string row, ulong flags, uint cpu, int expected)
    {
        _ = row;
        using var s = new Setup();

        Assert.Equal(expected, s.Run(flags, cpu));
    }

    [Fact]
    public void PerfEventOutput_CurrentCpuBeyondMaxEntries_E2big_E_o11()
    {
        using var kit = new ProgramTestKit();
        using var e = PerfEvent.CreateBpfOutput(1);
        var map = kit.CreateMap(MapType.PerfEventArray, 4, 1);
        Assert.Equal(Errno.None, Put(kit, map, 0, Install(kit, e)));

        Assert.Equal(-7, (int)kit.RunOnCpu(kit.LoadRawTp(Output(map, CurrentCpu, 8)), 1));
    }

    [Theory]
    [InlineData(8, 12u, (ushort)24)]
    [InlineData(5, 12u, (ushort)24)]
    [InlineData(4, 4u, (ushort)16)]
    [InlineData(0, 4u, (ushort)16)]
    [InlineData(12, 12u, (ushort)24)]
    [InlineData(64, 68u, (ushort)80)]
    public void PerfEventOutput_RecordBytes_MatchSpecLayout_E_2(int n, uint rawSize, ushort recordSize)
    {
        using var s = new Setup();

        Assert.Equal(0, s.Run(0, 0, n));

        var expected = RingBytes.Sample(RingBytes.Pattern(n), rawSize, recordSize);
        Assert.Equal(expected, RingBytes.Data(s.Cpu0)[..recordSize].ToArray());
        Assert.Equal((ulong)recordSize, s.Cpu0.Ring.ReadDataHead());
    }

    [Fact]
    public void PerfEventOutput_RingFull_EnospcCountedAsLost_E_2()
    {
        using var s = new Setup();
        var fd = s.Kit.LoadRawTp(Output(s.Map, 0, 64));

        var results = Enumerable.Range(0, 80).Select(_ => (int)s.Kit.RunOnCpu(fd, 0)).ToList();

        Assert.Equal(51, results.Count(r => r == 0));
        Assert.Equal(29, results.Count(r => r == -28));
        Assert.Equal(29UL, s.Cpu0.PendingLost);

        // The reader consumes everything; the next output succeeds and is preceded by LOST{id, 29}.
        var ring = s.Cpu0.Ring;
        var start = ring.ReadDataHead();
        ring.WriteDataTail(start);
        var stale = new byte[4]; // the sample's padding is skipped (the kernel's __output_skip): it keeps these bytes
        ring.CopyOut(start + 24 + 12 + 64, stale);
        Assert.Equal(0, (int)s.Kit.RunOnCpu(fd, 0));
        var data = RingBytes.Data(s.Cpu0).ToArray();
        var written = Enumerable.Range(0, 24 + 80).Select(i => data[(int)((start + (ulong)i) % ring.DataSize)]).ToArray();
        Assert.Equal([.. RingBytes.Lost(s.Cpu0.Id, 29), .. RingBytes.Sample([.. RingBytes.Pattern(64), .. stale], 68, 80)], written);
    }

    [Fact]
    public void Update_Rows_MatchKernel_E_u()
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateMap(MapType.PerfEventArray, 4, 4);
        using var cpu1 = PerfEvent.CreateBpfOutput(1);
        using var inherit = PerfEvent.CreateBpfOutput(0, inherit: true);
        var other = kit.CreateArray();

        Assert.Equal(Errno.None, Put(kit, map, 0, Install(kit, cpu1)));
        Assert.Equal(Errno.EOPNOTSUPP, Put(kit, map, 1, Install(kit, inherit)));
        Assert.Equal(Errno.EBADF, Put(kit, map, 1, other));
        Assert.Equal(Errno.EBADF, Put(kit, map, 1, 9999));
        Assert.Equal(Errno.EINVAL, Put(kit, map, 1, Install(kit, cpu1), flags: 1));
        Assert.Equal(Errno.E2BIG, Put(kit, map, 4, Install(kit, cpu1)));
        Assert.Equal(Errno.ENOTSUPP, kit.Backend.MapLookupElem(map, ProgramTestKit.Key(0), new byte[4], 0));
        Assert.Equal(Errno.None, kit.Backend.MapDeleteElem(map, ProgramTestKit.Key(0), 0));
        Assert.Equal(Errno.ENOENT, kit.Backend.MapDeleteElem(map, ProgramTestKit.Key(0), 0));
        Assert.Equal(Errno.E2BIG, kit.Backend.MapDeleteElem(map, ProgramTestKit.Key(4), 0));
    }

    [Fact]
    public void Release_EntriesOwnedByInstallingFile_E_rel1_rel3()
    {
        using var kit = new ProgramTestKit();
        using var e = PerfEvent.CreateBpfOutput(0);
        var a = kit.CreateMap(MapType.PerfEventArray, 4, 4);
        var id = kit.MapOf(a).Id;
        Assert.Equal(Errno.None, kit.Backend.MapGetFdById(id, 0, out var b));
        var evFd = Install(kit, e);
        Assert.Equal(Errno.None, Put(kit, a, 0, evFd));
        Assert.Equal(Errno.None, Put(kit, b, 2, evFd));
        Assert.Equal(Errno.None, kit.Backend.Close(evFd)); // E.rel7: the map holds its own reference
        var slot0 = kit.LoadRawTp(Output(a, 0, 8));
        var slot2 = kit.LoadRawTp(Output(a, 2, 8));
        Assert.Equal(Errno.None, kit.Backend.Dup(a, out var dupA));

        Assert.Equal(Errno.None, kit.Backend.Close(a));
        Assert.Equal(0, (int)kit.RunOnCpu(slot0, 0));

        Assert.Equal(Errno.None, kit.Backend.Close(dupA));
        Assert.Equal(-2, (int)kit.RunOnCpu(slot0, 0));
        Assert.Equal(0, (int)kit.RunOnCpu(slot2, 0));
    }

    [Fact]
    public void Release_PreserveElems_EntrySurvivesItsFile_E_rel4()
    {
        using var kit = new ProgramTestKit();
        using var e = PerfEvent.CreateBpfOutput(0);
        var a = kit.CreateMap(MapType.PerfEventArray, 4, 4, (uint)MapFlags.BPF_F_PRESERVE_ELEMS);
        Assert.Equal(Errno.None, Put(kit, a, 0, Install(kit, e)));
        var prog = kit.LoadRawTp(Output(a, 0, 8));

        Assert.Equal(Errno.None, kit.Backend.Close(a));

        Assert.Equal(0, (int)kit.RunOnCpu(prog, 0));
    }

    [Fact]
    public void Release_PinnedMap_EntryStillDroppedWithItsFile_E_rel5()
    {
        using var kit = new ProgramTestKit();
        using var e = PerfEvent.CreateBpfOutput(0);
        var a = kit.CreateMap(MapType.PerfEventArray, 4, 4);
        Assert.Equal(Errno.None, Put(kit, a, 0, Install(kit, e)));
        var prog = kit.LoadRawTp(Output(a, 0, 8));
        var path = "/sys/fs/bpf/sharpbpf_perf_" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(Errno.None, kit.Backend.ObjPin(a, path));

        Assert.Equal(Errno.None, kit.Backend.Close(a));
        Assert.Equal(-2, (int)kit.RunOnCpu(prog, 0));

        Assert.Equal(Errno.None, kit.Backend.ObjGet(path, 0, out var got));
        Assert.Equal(Errno.ENOENT, kit.Backend.MapDeleteElem(got, ProgramTestKit.Key(0), 0));
        Assert.Equal(Errno.None, Put(kit, got, 0, Install(kit, e)));
        Assert.Equal(0, (int)kit.RunOnCpu(prog, 0));
        Assert.Equal(Errno.None, kit.Backend.Close(got));
        Assert.Equal(-2, (int)kit.RunOnCpu(prog, 0));
        Assert.Equal(Errno.None, kit.Backend.ObjUnpin(path));
    }

    [Fact]
    public void PerfEventRead_CounterEvent_ReadsValueOnItsCpu_EinvalElsewhere()
    {
        using var s = new Setup();
        Instruction[] read(ulong flags) => [.. LdMapFd(R1, s.Map), .. Lddw(R2, flags), Call(22), Exit()];
        var prog = s.Kit.LoadRawTp(read(3));
        var empty = s.Kit.LoadRawTp(read(2));

        Assert.Equal(-22, (int)s.Kit.RunOnCpu(prog, 1));
        Assert.Equal(-2, (int)s.Kit.RunOnCpu(empty, 0));
        Assert.True((int)s.Kit.RunOnCpu(prog, 0) >= 0);
    }
}
