using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Runtime.Helpers;
using SharpBpf.Runtime.Maps;
using SharpBpf.Runtime.Tests.Programs;
using static SharpBpf.Runtime.Tests.Programs.ProgramAsm;

namespace SharpBpf.Runtime.Tests.FdArrays;

/// <summary>
/// PROG_ARRAY and <c>bpf_tail_call</c> against spec D (owner rule D.u12-u17, clear-on-release D.r*, run-time
/// rows D.t* / D.x*). As in the probes, the caller returns 111 when the tail call falls through, the target 222.
/// </summary>
public class TailCallTests
{
    private const int Fallthrough = 111;
    private const int Target = 222;

    /// <summary>Caller: <c>bpf_tail_call(ctx, map, index); return 111</c> with a full 64-bit index.</summary>
    internal static Instruction[] Caller(int progArrayFd, ulong index) =>
    [
        Mov64Reg(R6, R1),
        .. LdMapFd(R2, progArrayFd),
        .. Lddw(R3, index),
        Mov64Reg(R1, R6),
        Call(12),
        Mov64Imm(R0, Fallthrough),
        Exit(),
    ];

    /// <summary>Counts itself in <paramref name="counterFd"/>[0], tail-calls slot 0 of the prog array, returns 7.</summary>
    internal static Instruction[] SelfCounting(int counterFd, int progArrayFd) =>
    [
        Mov64Reg(R6, R1),
        .. KeyAndMap(counterFd, 0),
        Call(1),
        JeqImm(R0, 0, 3),
        LdxDw(R1, R0, 0),
        Add64Imm(R1, 1),
        StxDw(R0, R1, 0),
        Mov64Reg(R1, R6),
        .. LdMapFd(R2, progArrayFd),
        Mov64Imm(R3, 0),
        Call(12),
        Mov64Imm(R0, 7),
        Exit(),
    ];

    internal static void Put(ProgramTestKit kit, int mapFd, uint index, int progFd) =>
        Assert.Equal(Errno.None, kit.Backend.MapUpdateElem(mapFd, ProgramTestKit.Key(index), BitConverter.GetBytes(progFd), 0));

    [Theory]
    [InlineData("D.t1", 0UL, Target)]
    [InlineData("D.t2", 1UL, Fallthrough)]
    [InlineData("D.t3", 3UL, Fallthrough)]
    [InlineData("D.t4", 4UL, Fallthrough)]
    [InlineData("D.t5", 0xffff_ffffUL, Fallthrough)]
    [InlineData("D.t6", 0x1_0000_0000UL, Target)]
    public void TailCall_Index_MatchesKernel(string row, ulong index, int expected)
    {
        _ = row;
        using var kit = new ProgramTestKit();
        var pa = kit.CreateMap(MapType.ProgArray, 4, 4);
        var caller = kit.Load(ProgramType.SocketFilter, Caller(pa, index));
        Put(kit, pa, 0, kit.Load(ProgramType.SocketFilter, ReturnConstant(Target)));
        Put(kit, pa, 2, kit.Load(ProgramType.SocketFilter, ReturnConstant(Target)));

        Assert.Equal((uint)expected, kit.Run(caller).Retval);
    }

    [Theory]
    [InlineData(1u, 34UL)]
    [InlineData(10u, 340UL)]
    [InlineData(2000u, 68_000UL)] // past the runs one read-side section covers (InterpretedProgram.EpochSpan)
    public void TailCall_SelfTailCalling_Runs34TimesPerRun_D_x1(uint repeat, ulong expectedCount)
    {
        using var kit = new ProgramTestKit();
        var counter = kit.CreateArray();
        var pa = kit.CreateMap(MapType.ProgArray, 4, 4);
        var self = kit.Load(ProgramType.SocketFilter, SelfCounting(counter, pa));
        Put(kit, pa, 0, self);

        var result = kit.Run(self, repeat);

        Assert.Equal(7u, result.Retval);
        Assert.Equal(expectedCount, kit.LookupU64(counter, 0));
    }

    [Fact]
    public void TailCall_EmptySlotAndOutOfRange_DoNotCount_D_x2()
    {
        using var kit = new ProgramTestKit();
        var counter = kit.CreateArray();
        var pa = kit.CreateMap(MapType.ProgArray, 4, 4);
        Instruction[] TailCallTo(int index) => [.. LdMapFd(R2, pa), Mov64Imm(R3, index), Mov64Reg(R1, R6), Call(12)];
        var entry = kit.Load(ProgramType.Xdp,
            [Mov64Reg(R6, R1), .. TailCallTo(1), .. TailCallTo(100), .. TailCallTo(0), Mov64Imm(R0, 9), Exit()]);
        Put(kit, pa, 0, kit.Load(ProgramType.Xdp, SelfCounting(counter, pa)));

        Assert.Equal(7u, kit.Run(entry).Retval);
        Assert.Equal(33UL, kit.LookupU64(counter, 0));
    }

    [Fact]
    public void TailCall_Target_StartsWithFreshRegisters()
    {
        using var kit = new ProgramTestKit();
        var pa = kit.CreateMap(MapType.ProgArray, 4, 4);
        var caller = kit.Load(ProgramType.SocketFilter, [Mov64Imm(R7, 5), .. Caller(pa, 0)]);
        // The target starts with a fresh register file: the caller's r7 (5) is not carried over (the verifier would
        // not let the target read it anyway).
        Put(kit, pa, 0, kit.Load(ProgramType.SocketFilter, [Mov64Reg(R0, R7), Add64Imm(R0, 40), Exit()]));

        Assert.Equal(40u, kit.Run(caller).Retval);
    }

    [Fact]
    public void Update_OwnerTypeFixedByFirstInsert_MismatchEinval_Sticky_D_u12_u14()
    {
        using var kit = new ProgramTestKit();
        var pa = kit.CreateMap(MapType.ProgArray, 4, 4);
        var sf = kit.Load(ProgramType.SocketFilter, ReturnConstant(0));
        var xdp = kit.Load(ProgramType.Xdp, ReturnConstant(0));

        Put(kit, pa, 0, sf);
        Put(kit, pa, 0, sf);
        Assert.Equal(Errno.EINVAL, kit.Backend.MapUpdateElem(pa, ProgramTestKit.Key(1), BitConverter.GetBytes(xdp), 0));
        Assert.Equal(Errno.None, kit.Backend.MapDeleteElem(pa, ProgramTestKit.Key(0), 0));
        Assert.Equal(Errno.EINVAL, kit.Backend.MapUpdateElem(pa, ProgramTestKit.Key(0), BitConverter.GetBytes(xdp), 0));
    }

    [Fact]
    public void Load_OwnerTypeFixedByFirstReferencingProgram_MismatchEinvalWithoutMessage_D_u15_u17()
    {
        using var kit = new ProgramTestKit();
        var pa = kit.CreateMap(MapType.ProgArray, 4, 4);
        kit.Load(ProgramType.Xdp, Caller(pa, 0));
        var sf = kit.Load(ProgramType.SocketFilter, ReturnConstant(0));

        Assert.Equal(Errno.EINVAL, kit.Backend.MapUpdateElem(pa, ProgramTestKit.Key(0), BitConverter.GetBytes(sf), 0));
        Assert.Equal(Errno.EINVAL, kit.TryLoad(ProgramType.SocketFilter, Caller(pa, 0), out _, out var log));
        Assert.Equal("", log);
        Assert.Equal(ProgramType.Xdp, ((ProgArrayMapObject)kit.MapOf(pa)).OwnerType);
    }

    [Fact]
    public void Update_ExecutionModeDiffersFromOwner_Einval()
    {
        using var kit = new ProgramTestKit();
        var pa = kit.CreateMap(MapType.ProgArray, 4, 4);
        Put(kit, pa, 0, kit.Load(ProgramType.Xdp, ReturnConstant(0)));
        Assert.Equal(Errno.None, kit.Backend.ProgLoad(new ProgLoadAttr
        {
            Type = ProgramType.Xdp, Instructions = ReturnConstant(0), License = "GPL", ExecutionMode = ExecutionMode.Jit,
        }, out var jit, out _));

        Assert.Equal(Errno.EINVAL, kit.Backend.MapUpdateElem(pa, ProgramTestKit.Key(1), BitConverter.GetBytes(jit), 0));
    }

    [Fact]
    public void Update_ExpectedAttachTypeDiffersFromOwner_Einval()
    {
        // Linux >= 6.17 (__bpf_prog_map_compatible): expected_attach_type is part of the owner, measured on 6.18.
        using var kit = new ProgramTestKit();
        var pa = kit.CreateMap(MapType.ProgArray, 4, 4);
        int LoadXdp(uint attachType)
        {
            Assert.Equal(Errno.None, kit.Backend.ProgLoad(new ProgLoadAttr
            {
                Type = ProgramType.Xdp, Instructions = ReturnConstant(0), License = "GPL", ExpectedAttachType = attachType,
            }, out var fd, out _));
            return fd;
        }

        Put(kit, pa, 0, LoadXdp(37)); // BPF_XDP

        Assert.Equal(Errno.EINVAL, kit.Backend.MapUpdateElem(pa, ProgramTestKit.Key(1), BitConverter.GetBytes(LoadXdp(0)), 0));
        Assert.Equal(Errno.None, kit.Backend.MapUpdateElem(pa, ProgramTestKit.Key(1), BitConverter.GetBytes(LoadXdp(37)), 0));
    }

    [Fact]
    public void LastMapFdClosed_WhileProgramUsesMap_SlotsClearedTailCallFallsThrough_D_r3()
    {
        using var kit = new ProgramTestKit();
        var pa = kit.CreateMap(MapType.ProgArray, 4, 4);
        var caller = kit.Load(ProgramType.SocketFilter, Caller(pa, 0));
        Put(kit, pa, 0, kit.Load(ProgramType.SocketFilter, ReturnConstant(Target)));
        var id = kit.MapOf(pa).Id;
        Assert.Equal((uint)Target, kit.Run(caller).Retval);

        Assert.Equal(Errno.None, kit.Backend.Close(pa));

        Assert.Equal((uint)Fallthrough, kit.Run(caller).Retval);
        Assert.Equal(Errno.None, kit.Backend.MapGetFdById(id, 0, out var again));
        Assert.Equal(Errno.ENOENT, kit.Backend.MapLookupElem(again, ProgramTestKit.Key(0), new byte[4], 0));
    }

    [Fact]
    public void PinnedMap_AllFdsClosed_EntriesSurvive_UnlinkClears_D_r5_r6()
    {
        using var kit = new ProgramTestKit();
        var pa = kit.CreateMap(MapType.ProgArray, 4, 4);
        var caller = kit.Load(ProgramType.SocketFilter, Caller(pa, 0));
        Put(kit, pa, 0, kit.Load(ProgramType.SocketFilter, ReturnConstant(Target)));
        var path = "/sys/fs/bpf/sharpbpf_fdarray_" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(Errno.None, kit.Backend.ObjPin(pa, path));

        Assert.Equal(Errno.None, kit.Backend.Close(pa));
        Assert.Equal((uint)Target, kit.Run(caller).Retval);

        Assert.Equal(Errno.None, kit.Backend.ObjUnpin(path));
        Assert.Equal((uint)Fallthrough, kit.Run(caller).Retval);
    }

    [Fact]
    public void ProgFdClosedWhileInSlot_ProgramAlive_GoneAfterMapReleased_D_r7_r8()
    {
        using var kit = new ProgramTestKit();
        var pa = kit.CreateMap(MapType.ProgArray, 4, 4);
        var target = kit.Load(ProgramType.SocketFilter, ReturnConstant(Target));
        Put(kit, pa, 0, target);
        var program = kit.Backend.GetProgram(target)!;
        Assert.Equal(Errno.None, kit.Backend.Close(target));

        Assert.Equal(Errno.None, kit.Backend.ProgGetFdById(program.Id, out var reopened));
        Assert.Equal(Errno.None, kit.Backend.Close(reopened));
        Assert.False(program.IsReclaimed);

        Assert.Equal(Errno.None, kit.Backend.Close(pa));

        Assert.Equal(Errno.ENOENT, kit.Backend.ProgGetFdById(program.Id, out _));
        Assert.True(program.IsReclaimed);
    }

    [Fact]
    public void ReplaceInSlot_OldProgramReclaimedOnceNoRunSeesIt()
    {
        using var kit = new ProgramTestKit();
        var pa = kit.CreateMap(MapType.ProgArray, 4, 4);
        var caller = kit.Load(ProgramType.SocketFilter, Caller(pa, 0));
        var first = kit.Load(ProgramType.SocketFilter, ReturnConstant(1));
        var old = kit.Backend.GetProgram(first)!;
        Put(kit, pa, 0, first);
        Assert.Equal(Errno.None, kit.Backend.Close(first));
        Assert.Equal(1u, kit.Run(caller).Retval);

        Put(kit, pa, 0, kit.Load(ProgramType.SocketFilter, ReturnConstant(2)));

        Assert.True(old.IsReclaimed);
        Assert.Equal(2u, kit.Run(caller).Retval);
        Assert.Equal(0, kit.Registry.Epochs.PendingCount);
    }

    [Fact]
    public void Retire_WhileARunIsInsideTheEpoch_DeferredUntilItLeaves()
    {
        var domain = new Execution.EpochDomain();
        var ran = 0;
        var record = domain.Enter();

        domain.Retire(() => ran++);
        Assert.Equal(0, ran);
        Assert.Equal(1, domain.PendingCount);

        var later = domain.Enter();
        domain.Leave(record);
        Assert.Equal(1, ran);
        domain.Retire(() => ran++);
        Assert.Equal(1, ran);
        domain.Leave(later);
        Assert.Equal(2, ran);
    }
}
