using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using static SharpBpf.Runtime.Tests.Programs.ProgramAsm;

namespace SharpBpf.Runtime.Tests.Programs;

/// <summary>
/// BPF_PROG_TEST_RUN: repeat, the shared packet buffer (spec I), data_out and ctx_out with the kernel's
/// <c>bpf_test_finish</c> rules (probed on 6.18: a short buffer gives ENOSPC, the truncated bytes and the full
/// size), the per-type attribute checks, and faults that leave the host and the backend usable.
/// </summary>
public class TestRunTests
{
    /// <summary>XDP: <c>p = ctx->data; p[0] += 1; return p[0]</c>.</summary>
    private static readonly Instruction[] s_bumpFirstByte =
        [LdxW(R2, R1, 0), LdxB(R0, R2, 0), Add64Imm(R0, 1), StxB(R2, R0, 0), Exit()];

    [Theory]
    [InlineData(0u, 1)]
    [InlineData(1u, 1)]
    [InlineData(100u, 100)]
    public void TestRun_Repeat_RunsSharingOnePacketBuffer(uint repeat, int runs)
    {
        using var kit = new ProgramTestKit();
        var prog = kit.LoadXdp(s_bumpFirstByte);

        Assert.Equal(Errno.None, kit.Backend.ProgTestRun(prog,
            new TestRunAttr { DataIn = ProgramTestKit.Packet, DataSizeOut = 64, Repeat = repeat }, out var result));

        Assert.Equal((uint)runs, result.Retval); // each run saw what the previous wrote; retval is the last run's
        Assert.Equal((byte)runs, result.DataOut[0]);
        Assert.Equal(ProgramTestKit.Packet[1..], result.DataOut[1..]);
        Assert.Equal(0, ProgramTestKit.Packet[0]); // the caller's input is never written
    }

    [Fact]
    public void TestRun_Repeat_CounterSeesEveryRun()
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateArray();
        var prog = kit.LoadXdp(CounterIncrement(map));

        kit.Run(prog, repeat: 0);
        kit.Run(prog, repeat: 1000);

        Assert.Equal(1001ul, kit.LookupU64(map, 0));
    }

    [Fact]
    public void TestRun_DataOutTooSmall_EnospcTruncatedWithFullSizeAndRetval()
    {
        using var kit = new ProgramTestKit();
        var prog = kit.LoadXdp(s_bumpFirstByte);

        var err = kit.Backend.ProgTestRun(prog, new TestRunAttr { DataIn = ProgramTestKit.Packet, DataSizeOut = 16 },
            out var result);

        Assert.Equal(Errno.ENOSPC, err);
        Assert.Equal([1, .. ProgramTestKit.Packet[1..16]], result.DataOut);
        Assert.Equal(64u, result.DataSizeOut);
        Assert.Equal(1u, result.Retval);
    }

    [Fact]
    public void TestRun_NoDataOutBuffer_NothingCopiedSizeReported()
    {
        using var kit = new ProgramTestKit();
        var prog = kit.LoadXdp(s_bumpFirstByte);

        Assert.Equal(Errno.None, kit.Backend.ProgTestRun(prog, new TestRunAttr { DataIn = ProgramTestKit.Packet }, out var result));

        Assert.Empty(result.DataOut);
        Assert.Equal(64u, result.DataSizeOut);
    }

    [Fact]
    public void TestRun_LargerDataOutBuffer_TrimmedToThePacket()
    {
        using var kit = new ProgramTestKit();
        var prog = kit.LoadXdp(ReturnConstant(2));

        Assert.Equal(Errno.None, kit.Backend.ProgTestRun(prog,
            new TestRunAttr { DataIn = ProgramTestKit.Packet, DataSizeOut = 256 }, out var result));

        Assert.Equal(ProgramTestKit.Packet, result.DataOut);
    }

    [Fact]
    public void TestRun_ContextIn_R1PointsToItsCopyAndComesBackAsCtxOut()
    {
        using var kit = new ProgramTestKit();
        // struct __sk_buff: r0 = skb->mark; skb->cb[0] = 0x77 (a tc program may write cb[]).
        var prog = kit.Load(ProgramType.SchedCls, [LdxW(R0, R1, 8), StW(R1, 48, 0x77), Exit()]);
        var ctx = new byte[192];
        BitConverter.GetBytes(0x44332211u).CopyTo(ctx, 8);

        Assert.Equal(Errno.None, kit.Backend.ProgTestRun(prog,
            new TestRunAttr { DataIn = ProgramTestKit.Packet, CtxIn = ctx, CtxSizeOut = 192 }, out var result));

        Assert.Equal(0x44332211u, result.Retval);
        Assert.Equal(0x77u, BitConverter.ToUInt32(result.CtxOut, 48));
        Assert.Equal(0x44332211u, BitConverter.ToUInt32(result.CtxOut, 8));
        Assert.Equal(0, ctx[48]);
    }

    [Fact]
    public void TestRun_ContextOutTooSmall_Enospc()
    {
        using var kit = new ProgramTestKit();
        var prog = kit.Load(ProgramType.SchedCls, ReturnConstant(0));

        var err = kit.Backend.ProgTestRun(prog,
            new TestRunAttr { DataIn = ProgramTestKit.Packet, CtxIn = new byte[8], CtxSizeOut = 4 }, out var result);

        Assert.Equal(Errno.ENOSPC, err);
        Assert.Equal(4, result.CtxOut.Length);
        Assert.Equal(192u, result.CtxSizeOut); // sizeof(struct __sk_buff), however short ctx_in was
    }

    [Theory]
    [InlineData("XDP flags 1", ProgramType.Xdp, 64, 1u, 0u, 0u, Errno.EINVAL)]
    [InlineData("XDP live frames", ProgramType.Xdp, 64, 2u, 0u, 0u, Errno.EINVAL)]
    [InlineData("XDP cpu 1 without flag (ignored)", ProgramType.Xdp, 64, 0u, 1u, 0u, Errno.None)]
    [InlineData("XDP 13-byte packet", ProgramType.Xdp, 13, 0u, 0u, 0u, Errno.EINVAL)]
    [InlineData("XDP no packet", ProgramType.Xdp, 0, 0u, 0u, 0u, Errno.EINVAL)]
    [InlineData("skb flags 1", ProgramType.SocketFilter, 64, 1u, 0u, 0u, Errno.EINVAL)]
    [InlineData("skb cpu 1", ProgramType.SocketFilter, 64, 0u, 1u, 0u, Errno.EINVAL)]
    [InlineData("skb 14-byte packet", ProgramType.SocketFilter, 14, 0u, 0u, 0u, Errno.None)]
    [InlineData("raw_tp repeat 1", ProgramType.RawTracepoint, 0, 0u, 0u, 1u, Errno.EINVAL)]
    [InlineData("raw_tp data_in", ProgramType.RawTracepoint, 64, 0u, 0u, 0u, Errno.EINVAL)]
    [InlineData("raw_tp unknown flag bits ignored", ProgramType.RawTracepoint, 0, 2u, 0u, 0u, Errno.None)]
    [InlineData("kprobe: no test run", ProgramType.Kprobe, 64, 0u, 0u, 1u, Errno.ENOTSUPP)]
    [InlineData("tracepoint: no test run", ProgramType.Tracepoint, 64, 0u, 0u, 1u, Errno.ENOTSUPP)]
    public void TestRun_TypeRules_KernelErrno(string row, ProgramType type, int dataLength, uint flags, uint cpu,
        uint repeat, Errno expected)
    {
        using var kit = new ProgramTestKit();
        var prog = kit.Load(type, ReturnConstant(7));

        var err = kit.Backend.ProgTestRun(prog, new TestRunAttr
        {
            DataIn = ProgramTestKit.Packet.AsMemory(0, dataLength), Flags = flags, Cpu = cpu, Repeat = repeat,
        }, out var result);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        Assert.Equal(expected == Errno.None ? 7u : 0u, result.Retval);
    }

    [Theory]
    [InlineData("XDP 73152 bytes (linear + 17 frags)", ProgramType.Xdp, 73152, Errno.None)]
    [InlineData("XDP 73153 bytes", ProgramType.Xdp, 73153, Errno.ENOMEM)]
    [InlineData("skb 3712 bytes", ProgramType.SocketFilter, 3712, Errno.None)]
    [InlineData("skb 3713 bytes", ProgramType.SocketFilter, 3713, Errno.EINVAL)]
    public void TestRun_PacketSizeLimits_KernelErrno(string row, ProgramType type, int size, Errno expected)
    {
        using var kit = new ProgramTestKit();
        var prog = kit.Load(type, ReturnConstant(2));

        var err = kit.Backend.ProgTestRun(prog, new TestRunAttr { DataIn = new byte[size], DataSizeOut = (uint)size }, out var result);

        Assert.True(expected == err, $"{row}: {err}");
        Assert.Equal(expected == Errno.None ? size : 0, result.DataOut.Length);
    }

    [Fact]
    public void TestRun_ContextOverAPage_E2big()
    {
        using var kit = new ProgramTestKit();
        var prog = kit.Load(ProgramType.SchedCls, ReturnConstant(0));

        Assert.Equal(Errno.E2BIG, kit.Backend.ProgTestRun(prog,
            new TestRunAttr { DataIn = ProgramTestKit.Packet, CtxIn = new byte[4097] }, out _));
    }

    [Fact]
    public void TestRun_RawTracepointArguments_ReadOnlyContext()
    {
        using var kit = new ProgramTestKit();
        var read = kit.LoadRawTp([LdxDw(R0, R1, 8), Exit()]);
        var args = ProgramTestKit.U64s(5, 6);

        Assert.Equal(Errno.None, kit.Backend.ProgTestRun(read, new TestRunAttr { CtxIn = args }, out var result));
        Assert.Equal(6u, result.Retval);
        Assert.Equal(0u, result.DurationNs); // raw_tp reports no duration
        // A store into the arguments is refused at load, as the verifier refuses it.
        Assert.Equal(Errno.EACCES, kit.Backend.ProgLoad(new ProgLoadAttr
        {
            Type = ProgramType.RawTracepoint, Instructions = new[] { StDw(R1, 0, 1), Mov64Imm(R0, 0), Exit() }, License = "GPL",
        }, out _, out _));
        Assert.Equal(Errno.EINVAL, kit.Backend.ProgTestRun(read, new TestRunAttr { CtxIn = new byte[104] }, out _));
    }

    [Fact]
    public void TestRun_NotOpenOrNotAProgram_EbadfEinval()
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateArray();

        Assert.Equal(Errno.EBADF, kit.Backend.ProgTestRun(50, new TestRunAttr { DataIn = ProgramTestKit.Packet }, out _));
        Assert.Equal(Errno.EINVAL, kit.Backend.ProgTestRun(map, new TestRunAttr { DataIn = ProgramTestKit.Packet }, out _));
        Assert.Equal(Errno.EINVAL, kit.Backend.ProgTestRun(1, new TestRunAttr { DataIn = ProgramTestKit.Packet }, out _));
    }

    [Fact]
    public void TestRun_OutOfBoundsLoad_EfaultMessageKeptAndBackendStillWorks()
    {
        using var kit = new ProgramTestKit();
        var bad = kit.LoadXdp([LdxW(R2, R1, 0), LdxDw(R0, R2, 64), Exit()]); // 8 bytes just past the 64-byte packet
        var good = kit.LoadXdp(ReturnConstant(2));

        var err = kit.Backend.ProgTestRun(bad, new TestRunAttr { DataIn = ProgramTestKit.Packet }, out var result);

        Assert.Equal(Errno.EFAULT, err);
        Assert.Equal(0u, result.Retval);
        Assert.True(kit.Backend.TryGetLastRunError(bad, out var message));
        Assert.Contains("pc 1", message, StringComparison.Ordinal);
        Assert.Equal(message, kit.Backend.GetProgram(bad)!.LastRunError);
        Assert.False(kit.Backend.TryGetLastRunError(good, out _));
        Assert.Equal(2u, kit.Run(good).Retval);
        Assert.Equal(0, kit.Backend.CpuSlots.BusyCount);
    }

    [Fact]
    public void TestRun_InstructionBudget_StopsAnEndlessLoop()
    {
        using var kit = new ProgramTestKit();
        kit.Backend.InstructionBudget = 10_000;
        var loop = kit.LoadXdp([Mov64Imm(R0, 0), Ja(-1), Exit()]);

        Assert.Equal(Errno.EFAULT, kit.Backend.ProgTestRun(loop, new TestRunAttr { DataIn = ProgramTestKit.Packet }, out _));
        Assert.True(kit.Backend.TryGetLastRunError(loop, out _));
    }
}
