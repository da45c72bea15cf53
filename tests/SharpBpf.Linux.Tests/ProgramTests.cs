using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Linux.Tests.Support;
using static SharpBpf.Linux.Tests.Support.BackendExtensions;
using static SharpBpf.Linux.Tests.Support.Insn;

namespace SharpBpf.Linux.Tests;

/// <summary>BPF_PROG_LOAD, BPF_PROG_TEST_RUN and program info on the real kernel.</summary>
public sealed class ProgramTests : KernelTestBase
{
    [SkippableTheory]
    [InlineData(ProgramType.SocketFilter)]
    [InlineData(ProgramType.Xdp)]
    public void ProgTestRun_ReturnConstant_Returns42(ProgramType type)
    {
        int fd = Backend.LoadProgram(type, ReturnConstant(42));

        TestRunResult result = Backend.Run(fd);

        Assert.Equal(42u, result.Retval);
    }

    [SkippableFact]
    public void ProgTestRun_DataOutCapacityLarger_TrimmedToWhatKernelWrote()
    {
        int fd = Backend.LoadProgram(ProgramType.Xdp, ReturnConstant(2)); // XDP_PASS
        byte[] packet = [.. Enumerable.Range(0, 64).Select(i => (byte)i)];

        Assert.Equal(Errno.None, Backend.ProgTestRun(fd, new TestRunAttr { DataIn = packet, DataSizeOut = 256 },
            out TestRunResult result));

        Assert.Equal(packet, result.DataOut);
    }

    [SkippableFact]
    public void ProgTestRun_DataOutCapacitySmaller_ENOSPCWithTruncatedData()
    {
        int fd = Backend.LoadProgram(ProgramType.Xdp, ReturnConstant(2));
        byte[] packet = [.. Enumerable.Range(0, 64).Select(i => (byte)i)];

        Errno err = Backend.ProgTestRun(fd, new TestRunAttr { DataIn = packet, DataSizeOut = 16 }, out TestRunResult result);

        Assert.Equal(Errno.ENOSPC, err);
        Assert.Equal(packet[..16], result.DataOut);
    }

    [SkippableFact]
    public void ProgLoad_MapReferenceByLddwFd_ProgramSeesAndUpdatesMap()
    {
        int map = Backend.CreateMap(MapType.Array, 4, 8, 4);
        Assert.Equal(Errno.None, Backend.Update(map, 1, U64(40)));
        int prog = Backend.LoadProgram(ProgramType.SocketFilter, LookupAndAdd(map, key: 1, increment: 2));

        TestRunResult result = Backend.Run(prog, repeat: 3);

        Assert.Equal(44u, result.Retval); // the last of 3 runs saw 40 + 2 + 2
        Assert.Equal(46ul, ReadU64(Backend.Lookup(map, 1, 8).Value));
        Assert.Equal(Errno.None, Backend.MapGetInfo(map, out MapInfo mapInfo));
        Assert.Equal(Errno.None, Backend.ProgGetInfo(prog, out ProgInfo progInfo));
        Assert.Equal([mapInfo.Id], progInfo.MapIds);
        Assert.Equal(ProgramType.SocketFilter, progInfo.Type);
    }

    private static Instruction[] ReadValueAt(int map, short offset) =>
    [
        StW(R10, -4, 0), Mov64Reg(R2, R10), Add64Imm(R2, -4), .. LdMapFd(R1, map), Call(1),
        JeqImm(R0, 0, 2), LdxDw(R0, R0, offset), Exit(), Mov64Imm(R0, 0), Exit(),
    ];

    [SkippableTheory]
    [InlineData(0u)]
    [InlineData(1u)]
    public void ProgLoad_ReadPastValue_EACCESWithVerifierLog(uint logLevel) // G read u64 at offset 8 (= value_size)
    {
        int map = Backend.CreateMap(MapType.Array, 4, 8, 4);

        Errno err = Backend.ProgLoad(new ProgLoadAttr
        {
            Type = ProgramType.SocketFilter, Instructions = ReadValueAt(map, 8), License = "GPL", LogLevel = logLevel,
        }, out int fd, out string log);

        Assert.Equal((Errno.EACCES, -1), (err, fd));
        Assert.Contains("invalid access to map value, value_size=8 off=8 size=8", log, StringComparison.Ordinal);
        Assert.Equal(1, Backend.OwnedDescriptorCount); // only the map: the retry for the log left nothing open
    }

    [SkippableFact]
    public void ProgLoad_LogLargerThanFirstBuffer_RetriedWithTheSizeTheKernelNeeds()
    {
        Instruction[] insns = [.. Enumerable.Repeat(Mov64Imm(R0, 0), 6000), Exit()];

        Errno err = Backend.ProgLoad(new ProgLoadAttr
        {
            Type = ProgramType.SocketFilter, Instructions = insns, License = "GPL", LogLevel = 2,
        }, out int fd, out string log);

        Assert.Equal(Errno.None, err);
        Assert.True(log.Length > 64 * 1024, $"log of {log.Length} characters");
        Assert.Contains("processed 6001 insns", log, StringComparison.Ordinal);
        Assert.True(fd >= 0);
    }

    [SkippableTheory]
    [InlineData("B.h update key 0 BPF_ANY", 2, 0, ElemFlags.BPF_ANY, 0)]
    [InlineData("B.h update key 0 BPF_EXIST", 2, 0, ElemFlags.BPF_EXIST, 0)]
    [InlineData("B.h update BPF_NOEXIST", 2, 0, ElemFlags.BPF_NOEXIST, -17)]
    [InlineData("B.h update key 4 (out of range)", 2, 4, ElemFlags.BPF_ANY, -7)]
    [InlineData("B.h update flags 3", 2, 0, 3ul, -22)]
    [InlineData("B.h update BPF_F_LOCK", 2, 0, ElemFlags.BPF_F_LOCK, -22)]
    [InlineData("B.h delete", 3, 0, 0ul, -22)]
    public void ProgTestRun_ArrayHelper_ReturnsSpecErrno(string row, int helper, int key, ulong flags, int expected)
    {
        int map = Backend.CreateMap(MapType.Array, 4, 8, 4);
        Instruction[] insns =
        [
            StW(R10, -4, key), StDw(R10, -16, 5), .. LdMapFd(R1, map),
            Mov64Reg(R2, R10), Add64Imm(R2, -4), Mov64Reg(R3, R10), Add64Imm(R3, -16), Mov64Imm(R4, (int)flags),
            Call(helper), Exit(),
        ];
        int prog = Backend.LoadProgram(ProgramType.SocketFilter, insns);

        int retval = (int)Backend.Run(prog).Retval;

        Assert.True(expected == retval, $"{row}: expected {expected}, got {retval}");
    }

    [SkippableFact]
    public void ProgGetFdByIdAndNextId_LoadedProgram_Found()
    {
        int prog = Backend.LoadProgram(ProgramType.SocketFilter, ReturnConstant(9));
        Assert.Equal(Errno.None, Backend.ProgGetInfo(prog, out ProgInfo info));

        Assert.Equal(Errno.None, Backend.ProgGetFdById(info.Id, out int again));
        Assert.Equal(9u, Backend.Run(again).Retval);
        Assert.Equal(Errno.None, Backend.ProgGetNextId(info.Id - 1, out uint next));
        Assert.Equal(info.Id, next);
        Assert.Equal(2u, info.InstructionCount);
    }

    [SkippableFact]
    public void InfoCommands_WrongObjectKind_EINVAL()
    {
        int prog = Backend.LoadProgram(ProgramType.SocketFilter, ReturnConstant(0));
        int map = Backend.CreateMap(MapType.Array, 4, 8, 1);

        Assert.Equal(Errno.EINVAL, Backend.MapGetInfo(prog, out _));
        Assert.Equal(Errno.EINVAL, Backend.ProgGetInfo(map, out _));
        Assert.Equal(Errno.EINVAL, Backend.Lookup(prog, 0, 8).Err); // the kernel: not a map
    }

    [SkippableFact]
    public void ProgLoad_NoLicenseForGplHelper_Rejected()
    {
        int map = Backend.CreateMap(MapType.Array, 4, 8, 4);

        // bpf_map_lookup_elem is not GPL-only, so a non-GPL licence is fine: the load must succeed.
        int fd = Backend.LoadProgram(ProgramType.SocketFilter, LookupAndAdd(map, 0, 1), license: "Proprietary");

        Assert.True(fd >= 0);
    }
}
