using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using static SharpBpf.Runtime.Tests.Programs.ProgramAsm;

namespace SharpBpf.Runtime.Tests.Programs;

/// <summary>
/// The map helpers as programs see them, through real loads and test runs: spec B.4 (ARRAY helper return values),
/// C.p* (a program sees its CPU's per-CPU copy), C.lp* (<c>bpf_map_lookup_percpu_elem</c>) and the CPU rows of
/// TEST_RUN.
/// </summary>
public class HelperTests
{
    /// <summary>
    /// <c>helper(map, &amp;key, &amp;value(=5), flags)</c>; returns the helper's return value. Flags go through
    /// <c>lddw</c> so that bit 32 survives.
    /// </summary>
    private static Instruction[] CallWithKeyValueFlags(int map, int helper, uint key, ulong flags) =>
    [
        StW(R10, -4, (int)key), StDw(R10, -16, 5), .. LdMapFd(R1, map),
        Mov64Reg(R2, R10), Add64Imm(R2, -4), Mov64Reg(R3, R10), Add64Imm(R3, -16), .. Lddw(R4, flags),
        Call(helper), Exit(),
    ];

    [Theory]
    [InlineData("B.h update key 0 BPF_ANY", 2, 0u, ElemFlags.BPF_ANY, 0)]
    [InlineData("B.h update key 0 BPF_EXIST", 2, 0u, ElemFlags.BPF_EXIST, 0)]
    [InlineData("B.h update BPF_NOEXIST", 2, 0u, ElemFlags.BPF_NOEXIST, -17)]
    [InlineData("B.h update key 4 (out of range)", 2, 4u, ElemFlags.BPF_ANY, -7)]
    [InlineData("B.h update flags 3", 2, 0u, 3ul, -22)]
    [InlineData("B.h update BPF_F_LOCK", 2, 0u, ElemFlags.BPF_F_LOCK, -22)]
    [InlineData("B.h update flags 1<<32", 2, 0u, 1ul << 32, -22)]
    [InlineData("B.h delete key 1", 3, 1u, 0ul, -22)]
    [InlineData("B.h delete key 4", 3, 4u, 0ul, -22)]
    public void ArrayHelper_FromProgram_ReturnsSpecErrno(string row, int helper, uint key, ulong flags, int expected)
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateArray();
        var prog = kit.Load(ProgramType.SocketFilter, CallWithKeyValueFlags(map, helper, key, flags));

        var retval = (int)kit.Run(prog).Retval;

        Assert.True(expected == retval, $"{row}: expected {expected}, got {retval}");
        if (helper == 2 && expected == 0)
            Assert.Equal(5ul, kit.LookupU64(map, key));
    }

    [Theory]
    [InlineData("B.h lookup key 3", 3u, true)]
    [InlineData("B.h lookup key 4", 4u, false)]
    [InlineData("B.h lookup key 0xffffffff", 0xffffffffu, false)]
    public void ArrayLookup_FromProgram_NullOnlyOutOfRange(string row, uint key, bool found)
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateArray();
        Assert.Equal(Errno.None, kit.Backend.MapUpdateElem(map, ProgramTestKit.Key(3), ProgramTestKit.U64(0x4242), 0));
        var prog = kit.Load(ProgramType.SocketFilter, LookupReadAdd(map, key, 0));

        var retval = (int)kit.Run(prog).Retval;

        Assert.True((found ? 0x4242 : -1) == retval, $"{row}: got {retval}");
    }

    [Fact]
    public void PerCpuLookup_ProgramOnEachCpu_SeesAndChangesOnlyItsCopy_C_p()
    {
        using var kit = new ProgramTestKit(cpus: 2);
        var map = kit.CreatePerCpu();
        Assert.Equal(Errno.None, kit.Backend.MapUpdateElem(map, ProgramTestKit.Key(0), ProgramTestKit.U64s(10, 20), 0));
        var prog = kit.LoadRawTp(LookupReadAdd(map, 0, 1000));

        var onCpu0 = kit.RunOnCpu(prog, 0);
        var onCpu1 = kit.RunOnCpu(prog, 1);

        Assert.Equal(10u, onCpu0);
        Assert.Equal(20u, onCpu1);
        Assert.Equal(new ulong[] { 1010, 1020 }, kit.LookupPerCpu(map, 0));
    }

    [Fact]
    public void PerCpuUpdate_ProgramOnCpu1_ChangesOnlyCpu1()
    {
        using var kit = new ProgramTestKit(cpus: 2);
        var map = kit.CreatePerCpu();
        Instruction[] insns =
        [
            StDw(R10, -16, 0x55), .. KeyAndMap(map, 0), Mov64Reg(R3, R10), Add64Imm(R3, -16), Mov64Imm(R4, 0), Call(2), Exit(),
        ];
        var prog = kit.LoadRawTp(insns);

        Assert.Equal(0u, kit.RunOnCpu(prog, 1));

        Assert.Equal(new ulong[] { 0, 0x55 }, kit.LookupPerCpu(map, 0));
    }

    [Fact]
    public void PerCpuUpdate_NoExistFromProgram_Eexist()
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreatePerCpu();
        var prog = kit.LoadRawTp(CallWithKeyValueFlags(map, 2, 0, ElemFlags.BPF_NOEXIST));

        Assert.Equal(-17, (int)kit.RunOnCpu(prog, 0));
    }

    [Theory]
    [InlineData("C.lp cpu 0", 0u, 0u, 10L)]
    [InlineData("C.lp cpu 1", 0u, 1u, 20L)]
    [InlineData("C.lp cpu 2 (= nr_cpu_ids)", 0u, 2u, -1L)]
    [InlineData("C.lp cpu 255", 0u, 255u, -1L)]
    [InlineData("C.lp cpu 0xffffffff", 0u, 0xffffffffu, -1L)]
    [InlineData("C.lp key out of range", 4u, 0u, -1L)]
    public void LookupPercpuElem_FromEitherCpu_ValueOrNull(string row, uint key, uint cpu, long expected)
    {
        using var kit = new ProgramTestKit(cpus: 2);
        var map = kit.CreatePerCpu();
        Assert.Equal(Errno.None, kit.Backend.MapUpdateElem(map, ProgramTestKit.Key(0), ProgramTestKit.U64s(10, 20), 0));
        Instruction[] insns =
        [
            .. KeyAndMap(map, (int)key), .. Lddw(R3, cpu), Call(195),
            JeqImm(R0, 0, 2), LdxDw(R0, R0, 0), Exit(),
            Mov64Imm(R0, -1), Exit(),
        ];
        var prog = kit.LoadRawTp(insns);

        for (var runCpu = 0u; runCpu < 2; runCpu++)
        {
            var retval = (int)kit.RunOnCpu(prog, runCpu);
            Assert.True(expected == retval, $"{row} (run on cpu {runCpu}): got {retval}");
        }
    }

    [Fact]
    public void TestRun_OnCpuNotPossible_Enxio()
    {
        using var kit = new ProgramTestKit(cpus: 2);
        var prog = kit.LoadRawTp(ReturnConstant(7));

        Assert.Equal(Errno.ENXIO, kit.Backend.ProgTestRun(prog, new TestRunAttr { Flags = 1, Cpu = 2 }, out _));
        Assert.Equal(Errno.ENXIO, kit.Backend.ProgTestRun(prog, new TestRunAttr { Flags = 1, Cpu = 0xffffffff }, out _));
    }

    [Fact]
    public void TestRun_CpuWithoutFlag_Einval()
    {
        using var kit = new ProgramTestKit(cpus: 2);
        var prog = kit.LoadRawTp(ReturnConstant(7));

        Assert.Equal(Errno.EINVAL, kit.Backend.ProgTestRun(prog, new TestRunAttr { Cpu = 1 }, out _));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(2u)]
    public void GetSmpProcessorId_OnChosenCpu_ReturnsThatCpu(uint cpu)
    {
        using var kit = new ProgramTestKit(cpus: 3);
        var prog = kit.LoadRawTp([Call(8), Exit()]);

        Assert.Equal(cpu, kit.RunOnCpu(prog, cpu));
    }

    [Fact]
    public void GetNumaNodeId_Always0()
    {
        using var kit = new ProgramTestKit();
        var prog = kit.LoadXdp([Mov64Imm(R0, 9), Call(42), Exit()]);

        Assert.Equal(0u, kit.Run(prog).Retval);
    }
}
