using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using static SharpBpf.Runtime.Tests.Programs.ProgramAsm;

namespace SharpBpf.Runtime.Tests.Programs;

/// <summary>
/// Spec G rows that a runtime without a verifier can apply: direct value access (<c>BPF_PSEUDO_MAP_VALUE</c>),
/// which map types each map helper accepts, BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG for helpers and for loads and
/// stores through value pointers (refused at run time, where the kernel refuses at load time), and the map
/// argument of a helper being one of the program's maps.
/// </summary>
public class MapRulesTests
{
    private static Instruction[] ReadDirect(int fd, int offset) =>
        [.. LdMapValue(R1, fd, offset), LdxDw(R0, R1, 0), Exit()];

    [Theory]
    [InlineData("G direct off 0", 0, 0x1234UL)]
    [InlineData("G direct off 8", 8, 0x5678UL)]
    public void ProgLoad_DirectValueOnSingleEntryArray_ReadsLiveValue(string row, int offset, ulong expected)
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateArray(valueSize: 16, maxEntries: 1);
        var fd = kit.Load(ProgramType.SocketFilter, ReadDirect(map, offset));
        Assert.Equal(Errno.None, kit.Backend.MapUpdateElem(map, ProgramTestKit.Key(0), ProgramTestKit.U64s(0x1234, 0x5678), 0));

        Assert.True(expected == kit.Run(fd).Retval, row);
    }

    [Theory]
    [InlineData("G direct off 16 = value_size", MapType.Array, 16u, 1u, 16, Errno.EINVAL,
        "invalid access to map value pointer, value_size=16 off=16")]
    [InlineData("G direct on ARRAY max=4", MapType.Array, 8u, 4u, 0, Errno.ENOTSUPP,
        "invalid access to map value pointer, value_size=8 off=0")]
    [InlineData("G direct on PERCPU_ARRAY", MapType.PerCpuArray, 8u, 1u, 0, Errno.EINVAL,
        "no direct value access support for this map type")]
    [InlineData("G direct offset too large", MapType.Array, 8u, 1u, 1 << 29, Errno.EINVAL,
        "direct value offset of 536870912 is not allowed")]
    public void ProgLoad_DirectValueRefused_KernelErrnoAndLog(string row, MapType type, uint valueSize, uint maxEntries,
        int offset, Errno expected, string log)
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateMap(type, valueSize, maxEntries);

        var err = kit.TryLoad(ProgramType.SocketFilter, ReadDirect(map, offset), out var fd, out var text);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        Assert.Equal(log + "\n", text);
        Assert.Equal(-1, fd);
        Assert.Equal(1, kit.MapOf(map).ReferenceCount); // the failed load gave its reference back
    }

    [Fact]
    public void ProgLoad_LookupPercpuElemOnArray_EinvalCannotPassMapType()
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateArray();

        var err = kit.TryLoad(ProgramType.RawTracepoint, [.. KeyAndMap(map, 0), Mov64Imm(R3, 0), Call(195), Exit()],
            out _, out var log);

        Assert.Equal(Errno.EINVAL, err);
        Assert.Contains("cannot pass map_type 2 into func bpf_map_lookup_percpu_elem#195", log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(MapType.ProgArray, 1, "cannot pass map_type 3 into func bpf_map_lookup_elem#1")]
    [InlineData(MapType.ProgArray, 2, "cannot pass map_type 3 into func bpf_map_update_elem#2")]
    [InlineData(MapType.ProgArray, 3, "cannot pass map_type 3 into func bpf_map_delete_elem#3")]
    [InlineData(MapType.PerfEventArray, 1, "cannot pass map_type 4 into func bpf_map_lookup_elem#1")]
    [InlineData(MapType.PerfEventArray, 2, "cannot pass map_type 4 into func bpf_map_update_elem#2")]
    [InlineData(MapType.CgroupArray, 1, "cannot pass map_type 8 into func bpf_map_lookup_elem#1")]
    [InlineData(MapType.CgroupArray, 2, "cannot pass map_type 8 into func bpf_map_update_elem#2")]
    public void ProgLoad_MapHelperOnFdArray_EinvalCannotPassMapType(MapType type, int helper, string expected)
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateMap(type, 4, 4);
        Instruction[] insns =
        [
            StW(R10, -8, 0), .. KeyAndMap(map, 0), Mov64Reg(R3, R10), Add64Imm(R3, -8), Mov64Imm(R4, 0), Call(helper), Exit(),
        ];

        var err = kit.TryLoad(ProgramType.SocketFilter, insns, out _, out var log);

        Assert.Equal(Errno.EINVAL, err);
        Assert.Contains(expected, log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("G update on RDONLY_PROG", 2)]
    [InlineData("G delete on RDONLY_PROG", 3)]
    public void ProgLoad_WriteHelperOnRdonlyProgMap_EaccesWriteIntoMapForbidden(string row, int helper)
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateArray(flags: (uint)MapFlags.BPF_F_RDONLY_PROG);
        Instruction[] insns =
        [
            StDw(R10, -16, 5), .. KeyAndMap(map, 0), Mov64Reg(R3, R10), Add64Imm(R3, -16), Mov64Imm(R4, 0), Call(helper), Exit(),
        ];

        var err = kit.TryLoad(ProgramType.SocketFilter, insns, out _, out var log);

        Assert.True(err == Errno.EACCES, $"{row}: {err}");
        Assert.Contains("write into map forbidden", log, StringComparison.Ordinal);
    }

    [Fact]
    public void ProgLoad_UpdateOnWronlyProgMap_AllowedAndWrites()
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateArray(flags: (uint)MapFlags.BPF_F_WRONLY_PROG);
        Instruction[] insns =
        [
            StDw(R10, -16, 77), .. KeyAndMap(map, 1), Mov64Reg(R3, R10), Add64Imm(R3, -16), Mov64Imm(R4, 0), Call(2), Exit(),
        ];
        var fd = kit.Load(ProgramType.SocketFilter, insns);

        Assert.Equal(0u, kit.Run(fd).Retval);
        Assert.Equal(77ul, kit.LookupU64(map, 1)); // the syscall side still reads it (RDONLY/WRONLY_PROG bind programs only)
    }

    [Theory]
    [InlineData("G store into RDONLY_PROG value", MapFlags.BPF_F_RDONLY_PROG, true, false)]
    [InlineData("G load from RDONLY_PROG value", MapFlags.BPF_F_RDONLY_PROG, false, true)]
    [InlineData("G load from WRONLY_PROG value", MapFlags.BPF_F_WRONLY_PROG, false, false)]
    [InlineData("G store into WRONLY_PROG value", MapFlags.BPF_F_WRONLY_PROG, true, true)]
    public void ProgTestRun_AccessThroughValuePointer_FollowsProgFlags(string row, MapFlags flags, bool store, bool allowed)
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateArray(flags: (uint)flags);
        Assert.Equal(Errno.None, kit.Backend.MapUpdateElem(map, ProgramTestKit.Key(0), ProgramTestKit.U64(5), 0));
        Instruction[] insns =
        [
            .. KeyAndMap(map, 0), Call(1), JeqImm(R0, 0, 3),
            store ? StDw(R0, 0, 6) : LdxDw(R0, R0, 0),
            Mov64Imm(R0, 1), Exit(),
            Mov64Imm(R0, 0), Exit(),
        ];
        var fd = kit.Load(ProgramType.SocketFilter, insns);

        var err = kit.Backend.ProgTestRun(fd, new TestRunAttr { DataIn = ProgramTestKit.Packet }, out var result);

        Assert.True((allowed ? Errno.None : Errno.EFAULT) == err, $"{row}: {err}");
        if (allowed)
            Assert.Equal(1u, result.Retval);
        Assert.Equal(store && allowed ? 6ul : 5ul, kit.LookupU64(map, 0));
    }

    [Fact]
    public void ProgTestRun_MapThroughStackSpill_CheckedAtRunTime()
    {
        // r1 passes through the stack, so the load-time scan cannot tell which map the call gets: the helper checks.
        using var kit = new ProgramTestKit();
        var map = kit.CreateArray();
        Instruction[] insns =
        [
            .. LdMapFd(R1, map), StxDw(R10, R1, -16), StW(R10, -4, 0), LdxDw(R1, R10, -16),
            Mov64Reg(R2, R10), Add64Imm(R2, -4), Mov64Imm(R3, 0), Call(195), Exit(),
        ];
        var fd = kit.Load(ProgramType.SocketFilter, insns);

        var err = kit.Backend.ProgTestRun(fd, new TestRunAttr { DataIn = ProgramTestKit.Packet }, out _);

        Assert.Equal(Errno.EFAULT, err);
        Assert.True(kit.Backend.TryGetLastRunError(fd, out var message));
        Assert.Contains("cannot pass map_type 2 into func bpf_map_lookup_percpu_elem#195", message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProgTestRun_ForgedMapPointer_EfaultNotACrash()
    {
        using var kit = new ProgramTestKit();
        var fd = kit.Load(ProgramType.SocketFilter,
            [StW(R10, -4, 0), Mov64Reg(R2, R10), Add64Imm(R2, -4), .. Lddw(R1, 0xdead0000), Call(1), Exit()]);

        var err = kit.Backend.ProgTestRun(fd, new TestRunAttr { DataIn = ProgramTestKit.Packet }, out _);

        Assert.Equal(Errno.EFAULT, err);
        Assert.True(kit.Backend.TryGetLastRunError(fd, out var message));
        Assert.Contains("is not a map this program references", message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProgTestRun_MapOfAnotherProgram_Efault()
    {
        using var kit = new ProgramTestKit();
        var mine = kit.CreateArray();
        var other = kit.CreateArray();
        var header = (ulong)kit.MapOf(other).Header;
        var fd = kit.Load(ProgramType.SocketFilter,
            [.. LdMapFd(R5, mine), StW(R10, -4, 0), Mov64Reg(R2, R10), Add64Imm(R2, -4), .. Lddw(R1, header), Call(1), Exit()]);

        Assert.Equal(Errno.EFAULT, kit.Backend.ProgTestRun(fd, new TestRunAttr { DataIn = ProgramTestKit.Packet }, out _));
    }

    [Fact]
    public void ProgTestRun_KeyPointerOutsideMemory_Efault()
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateArray();
        var fd = kit.Load(ProgramType.SocketFilter, [.. LdMapFd(R1, map), Mov64Imm(R2, 64), Call(1), Exit()]);

        Assert.Equal(Errno.EFAULT, kit.Backend.ProgTestRun(fd, new TestRunAttr { DataIn = ProgramTestKit.Packet }, out _));
        Assert.True(kit.Backend.TryGetLastRunError(fd, out var message));
        Assert.Contains("outside the program's memory", message, StringComparison.Ordinal);
    }
}
