using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Programs;
using static SharpBpf.Runtime.Tests.Programs.ProgramAsm;

namespace SharpBpf.Runtime.Tests.Programs;

/// <summary>The backend-neutral <see cref="BpfProgram"/> over the userspace backend.</summary>
public class BpfProgramTests
{
    [Fact]
    public void Load_TestRun_Info()
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateArray();

        using var program = BpfProgram.Load(kit.Backend, ProgramType.Xdp, ReturnConstant(2), name: "pass");
        var result = program.TestRun(ProgramTestKit.Packet, repeat: 10);

        Assert.Equal(2u, result.ReturnValue);
        Assert.Equal(10u, result.Repeat);
        Assert.Equal(ProgramTestKit.Packet, result.DataOut);
        Assert.Equal("pass", program.Name);
        Assert.Equal(ProgramType.Xdp, program.Type);
        Assert.Equal(2u, program.Info.InstructionCount);
        Assert.Equal(program.Id, program.Info.Id);
        Assert.NotEqual(map, program.Fd);
    }

    [Fact]
    public void Load_UnknownHelper_VerifierExceptionWithLog()
    {
        using var kit = new ProgramTestKit();

        var e = Assert.Throws<BpfVerifierException>(() =>
            BpfProgram.Load(kit.Backend, ProgramType.Xdp, new[] { Call(9999), Exit() }, name: "bad"));

        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Contains("unknown helper 9999", e.Log, StringComparison.Ordinal);
        Assert.Contains("BPF_PROG_LOAD of Xdp program 'bad'", e.Message, StringComparison.Ordinal);
        Assert.Contains("unknown helper 9999", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoInstructions_BpfExceptionE2BIG()
    {
        using var kit = new ProgramTestKit();

        var e = Assert.Throws<BpfException>(() => BpfProgram.Load(kit.Backend, ProgramType.Xdp, Array.Empty<SharpBpf.Asm.Instruction>()));

        Assert.Equal(Errno.E2BIG, e.Errno);
        Assert.IsNotType<BpfVerifierException>(e);
    }

    [Fact]
    public void TestRun_Fault_BpfExceptionWithRuntimeMessage()
    {
        using var kit = new ProgramTestKit();
        using var program = BpfProgram.Load(kit.Backend, ProgramType.Xdp, new[] { LdxW(R2, R1, 0), LdxDw(R0, R2, 4096), Exit() });

        var e = Assert.Throws<BpfException>(() => program.TestRun(ProgramTestKit.Packet));

        Assert.Equal(Errno.EFAULT, e.Errno);
        Assert.Contains("BPF_PROG_TEST_RUN", e.Message, StringComparison.Ordinal);
        Assert.Contains("pc 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TestRunOnCpu_RawTracepoint_RunsOnThatCpu()
    {
        using var kit = new ProgramTestKit(cpus: 2);
        using var program = BpfProgram.Load(kit.Backend, ProgramType.RawTracepoint, new[] { Call(8), Exit() });

        Assert.Equal(1u, program.TestRunOnCpu(1).ReturnValue);
        Assert.True(program.TestRun(default(ReadOnlyMemory<byte>)).ReturnValue < 2); // any free slot, repeat left at 0
        var e = Assert.Throws<BpfException>(() => program.TestRunOnCpu(2));
        Assert.Equal(Errno.ENXIO, e.Errno);
        Assert.Contains("CPU 2 is not possible", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PinOpenPinnedFromId_SameProgram()
    {
        using var kit = new ProgramTestKit();
        uint id;
        using (var program = BpfProgram.Load(kit.Backend, ProgramType.Xdp, ReturnConstant(3)))
        {
            id = program.Id;
            program.Pin("/sys/fs/bpf/api_prog");
        }

        using var pinned = BpfProgram.OpenPinned(kit.Backend, "/sys/fs/bpf/api_prog");
        using var byId = BpfProgram.FromId(kit.Backend, id);

        Assert.Equal(id, pinned.Id);
        Assert.Equal(3u, byId.TestRun(ProgramTestKit.Packet).ReturnValue);
    }

    [Fact]
    public void Dispose_ClosesTheDescriptor()
    {
        using var kit = new ProgramTestKit();
        var program = BpfProgram.Load(kit.Backend, ProgramType.Xdp, ReturnConstant(3));
        var fd = program.Fd;

        program.Dispose();
        program.Dispose();

        Assert.Equal(-1, program.Fd);
        Assert.Equal(Errno.EBADF, kit.Backend.ProgGetInfo(fd, out _));
    }

    [Fact]
    public void Constructor_MapDescriptor_Throws()
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateArray();

        Assert.Equal(Errno.EINVAL, Assert.Throws<BpfException>(() => new BpfProgram(kit.Backend, map)).Errno);
    }

    [Fact]
    public void TestRun_AttrOverload_EnospcThrows()
    {
        using var kit = new ProgramTestKit();
        using var program = BpfProgram.Load(kit.Backend, ProgramType.Xdp, ReturnConstant(2));

        var e = Assert.Throws<BpfException>(() =>
            program.TestRun(new TestRunAttr { DataIn = ProgramTestKit.Packet, DataSizeOut = 8 }));

        Assert.Equal(Errno.ENOSPC, e.Errno);
    }
}
