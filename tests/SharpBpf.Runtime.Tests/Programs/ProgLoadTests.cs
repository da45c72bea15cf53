using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using static SharpBpf.Runtime.Tests.Programs.ProgramAsm;

namespace SharpBpf.Runtime.Tests.Programs;

/// <summary>
/// BPF_PROG_LOAD: the kernel's attribute checks and order (probed on Linux 6.18: no instructions E2BIG, NULL
/// license EFAULT, type 0 / 1000 EINVAL, callx "unknown opcode 8d", bad map fd EBADF, a descriptor that is not a
/// map EINVAL, by-index lddw without fd_array EPROTO), structural errors with their log, and program info.
/// </summary>
public unsafe class ProgLoadTests
{
    [Fact]
    public void ProgLoad_NoInstructions_E2BIG()
    {
        using var kit = new ProgramTestKit();

        Assert.Equal(Errno.E2BIG, kit.TryLoad(ProgramType.Xdp, [], out var fd, out _));
        Assert.Equal(-1, fd);
    }

    [Fact]
    public void ProgLoad_MoreThanAMillionSlots_E2BIG()
    {
        using var kit = new ProgramTestKit();
        var insns = new Instruction[1_000_001];

        Assert.Equal(Errno.E2BIG, kit.TryLoad(ProgramType.Xdp, insns, out _, out _));
    }

    [Fact]
    public void ProgLoad_NullLicense_EFAULT()
    {
        using var kit = new ProgramTestKit();

        Assert.Equal(Errno.EFAULT, kit.TryLoad(ProgramType.Xdp, ReturnConstant(2), out _, out _, license: null));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Proprietary")]
    public void ProgLoad_AnyLicenseString_Loads(string license)
    {
        using var kit = new ProgramTestKit();

        Assert.Equal(Errno.None, kit.TryLoad(ProgramType.Xdp, ReturnConstant(2), out var fd, out _, license: license));
        Assert.Equal(ProgramType.Xdp, kit.Backend.GetProgram(fd)!.Type);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1000u)]
    public void ProgLoad_UnknownType_EINVAL(uint type)
    {
        using var kit = new ProgramTestKit();

        Assert.Equal(Errno.EINVAL, kit.TryLoad((ProgramType)type, ReturnConstant(0), out _, out _));
    }

    [Fact]
    public void ProgLoad_CountCheckedBeforeLicenseAndType_E2BIG()
    {
        using var kit = new ProgramTestKit();

        Assert.Equal(Errno.E2BIG, kit.Backend.ProgLoad(new ProgLoadAttr { Type = (ProgramType)1000, License = null! },
            out _, out _));
    }

    [Theory]
    [InlineData("bad-name", false)]
    [InlineData("sixteen_chars_xx", false)]
    [InlineData("fifteen_chars_x", true)]
    [InlineData("with.dot_9", true)]
    [InlineData("ab\0cd!!", true)]
    [InlineData("", true)]
    public void ProgLoad_Name_KernelRules(string name, bool valid)
    {
        using var kit = new ProgramTestKit();

        var err = kit.TryLoad(ProgramType.Xdp, ReturnConstant(2), out var fd, out _, name: name);

        Assert.Equal(valid ? Errno.None : Errno.EINVAL, err);
        if (valid)
            Assert.Equal(name.Split('\0')[0], kit.Backend.GetProgram(fd)!.Name);
    }

    [Fact]
    public void ProgLoad_UnknownProgFlags_EINVAL()
    {
        using var kit = new ProgramTestKit();

        var err = kit.Backend.ProgLoad(new ProgLoadAttr
        {
            Type = ProgramType.Xdp, Instructions = ReturnConstant(2), License = "GPL", ProgFlags = 1u << 20,
        }, out _, out _);

        Assert.Equal(Errno.EINVAL, err);
    }

    [Theory]
    [InlineData("GPL", Errno.None)]
    [InlineData("Dual BSD/GPL", Errno.None)]
    [InlineData("Proprietary", Errno.EINVAL)]
    public void ProgLoad_GplOnlyHelper_NeedsGplCompatibleLicense(string license, Errno expected)
    {
        using var kit = new ProgramTestKit();
        kit.Backend.Helpers.Register(6, &FakeTracePrintk); // bpf_trace_printk: gpl_only in the kernel

        var err = kit.TryLoad(ProgramType.Xdp, [Call(6), Exit()], out _, out var log, license: license);

        Assert.Equal(expected, err);
        if (expected != Errno.None)
            Assert.Contains("cannot call GPL-restricted function from non-GPL compatible program", log, StringComparison.Ordinal);
    }

    private static ulong FakeTracePrintk(Runtime.Execution.RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5) => 0;

    [Fact]
    public void ProgLoad_Callx_EinvalUnknownOpcode()
    {
        using var kit = new ProgramTestKit();

        var err = kit.TryLoad(ProgramType.Xdp, [new Instruction(0x8d, 0, 0, 0, 0), Exit()], out _, out var log);

        Assert.Equal(Errno.EINVAL, err);
        Assert.Contains("callx", log, StringComparison.Ordinal);
    }

    [Fact]
    public void ProgLoad_JumpOutOfRange_EinvalWithPcInLog()
    {
        using var kit = new ProgramTestKit();

        var err = kit.TryLoad(ProgramType.Xdp, [Ja(5), .. ReturnConstant(0)], out _, out var log);

        Assert.Equal(Errno.EINVAL, err);
        Assert.Contains("pc 0", log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(999, "unknown helper 999")]
    [InlineData(9, "unknown helper 9 (bpf_skb_store_bytes)")]
    public void ProgLoad_UnknownHelper_EinvalWithHelperName(int helper, string expected)
    {
        using var kit = new ProgramTestKit();

        var err = kit.TryLoad(ProgramType.Xdp, [Call(helper), Exit()], out _, out var log);

        Assert.Equal(Errno.EINVAL, err);
        Assert.Contains(expected, log, StringComparison.Ordinal);
    }

    [Fact]
    public void ProgLoad_MapFdNotOpen_EbadfWithKernelLog()
    {
        using var kit = new ProgramTestKit();

        var err = kit.TryLoad(ProgramType.Xdp, [.. LdMapFd(R1, 9999), .. ReturnConstant(2)], out _, out var log);

        Assert.Equal(Errno.EBADF, err);
        Assert.Equal("fd 9999 is not pointing to valid bpf_map\n", log);
    }

    [Fact]
    public void ProgLoad_MapFdIsStdoutOrAProgram_Einval()
    {
        using var kit = new ProgramTestKit();
        var prog = kit.LoadXdp(ReturnConstant(2));

        Assert.Equal(Errno.EINVAL, kit.TryLoad(ProgramType.Xdp, [.. LdMapFd(R1, 1), .. ReturnConstant(2)], out _, out var log1));
        Assert.Equal(Errno.EINVAL, kit.TryLoad(ProgramType.Xdp, [.. LdMapFd(R1, prog), .. ReturnConstant(2)], out _, out var log2));
        Assert.Equal("fd 1 is not pointing to valid bpf_map\n", log1);
        Assert.Equal($"fd {prog} is not pointing to valid bpf_map\n", log2);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public void ProgLoad_MapByIndexWithoutFdArray_Eproto(byte src)
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateArray(maxEntries: 1);

        var err = kit.TryLoad(ProgramType.Xdp, [.. LdPseudo(R1, src, 0, 0), .. ReturnConstant(2)], out _, out var log);

        Assert.Equal(Errno.EPROTO, err);
        Assert.Equal("fd_idx without fd_array is invalid\n", log);
        Assert.Equal(1, kit.MapOf(map).ReferenceCount);
    }

    [Fact]
    public void ProgLoad_MapFdWithNonZeroSecondImm_EinvalUnrecognized()
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateArray();

        var err = kit.TryLoad(ProgramType.Xdp, [.. LdPseudo(R1, 1, map, 8), .. ReturnConstant(2)], out _, out var log);

        Assert.Equal(Errno.EINVAL, err);
        Assert.Matches("lddw|ld_imm64", log); // the structural check or the map resolution, both EINVAL as the kernel
    }

    [Fact]
    public void ProgLoad_JitMode_Loads()
    {
        using var kit = new ProgramTestKit();

        var err = kit.Backend.ProgLoad(new ProgLoadAttr
        {
            Type = ProgramType.Xdp, Instructions = ReturnConstant(2), License = "GPL", ExecutionMode = ExecutionMode.Jit,
        }, out _, out var log);

        Assert.True(err == Errno.None, log);
    }

    [Fact]
    public void ProgGetInfo_ProgramUsingTwoMapsThreeTimes_MapIdsOnceInOrderOfUse()
    {
        using var kit = new ProgramTestKit();
        var a = kit.CreateArray();
        var b = kit.CreatePerCpu();
        Instruction[] insns = [.. LdMapFd(R1, b), .. LdMapFd(R2, a), .. LdMapFd(R3, b), .. ReturnConstant(0)];
        var fd = kit.Load(ProgramType.SocketFilter, insns, name: "two_maps");

        Assert.Equal(Errno.None, kit.Backend.ProgGetInfo(fd, out var info));

        Assert.Equal(ProgramType.SocketFilter, info.Type);
        Assert.Equal("two_maps", info.Name);
        Assert.Equal(8u, info.InstructionCount);
        Assert.Equal(new[] { kit.MapOf(b).Id, kit.MapOf(a).Id }, info.MapIds);
        Assert.NotEqual(0u, info.Id);
    }

    [Fact]
    public void ProgGetInfo_NotOpenOrAMap_EbadfEinval()
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateArray();

        Assert.Equal(Errno.EBADF, kit.Backend.ProgGetInfo(77, out _));
        Assert.Equal(Errno.EINVAL, kit.Backend.ProgGetInfo(map, out _));
        Assert.Equal(Errno.EINVAL, kit.Backend.MapGetInfo(kit.LoadXdp(ReturnConstant(2)), out _));
    }

    [Fact]
    public void ProgGetFdByIdAndNextId_LoadedProgram_Found()
    {
        using var kit = new ProgramTestKit();
        var fd = kit.LoadXdp(ReturnConstant(9));
        Assert.Equal(Errno.None, kit.Backend.ProgGetInfo(fd, out var info));

        Assert.Equal(Errno.None, kit.Backend.ProgGetFdById(info.Id, out var again));
        Assert.Equal(Errno.None, kit.Backend.ProgGetNextId(info.Id - 1, out var next));

        Assert.Equal(9u, kit.Run(again).Retval);
        Assert.Equal(info.Id, next);
        Assert.Equal(1, kit.Registry.Count(Runtime.Objects.ObjectKind.Program));
    }
}
