using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Runtime.Helpers;

namespace SharpBpf.Runtime.Tests.Loading;

/// <summary>
/// Program contexts, context rewriting, the XDP and skb test runs and the XDP adjust helpers, one row per probe run
/// on Linux 6.18 (the same assembly, loaded with BPF_PROG_LOAD and run with BPF_PROG_TEST_RUN on the 64-byte SYN
/// packet of EXPECTED.md; the kernel's errno, log line, retval, data_out and ctx_out are the expected values).
/// </summary>
public sealed class ContextProbeRows : IDisposable
{
    private readonly UserspaceBackend _backend = new();

    public void Dispose() => _backend.Dispose();

    public static TheoryData<string, ProgramType, string, string> LoadRefusals => new()
    {
        { "xdp u16 of data", ProgramType.Xdp, "r2 = *(u16 *)(r1 +0)", "EACCES invalid bpf_context access off=0 size=2" },
        { "xdp u64 of data", ProgramType.Xdp, "r2 = *(u64 *)(r1 +0)", "EACCES invalid bpf_context access off=0 size=8" },
        { "xdp write ingress_ifindex", ProgramType.Xdp, "*(u32 *)(r1 +12) = 1", "EACCES invalid bpf_context access off=12 size=4" },
        { "xdp egress_ifindex (not devmap)", ProgramType.Xdp, "r2 = *(u32 *)(r1 +20)", "EACCES invalid bpf_context access off=20 size=4" },
        { "xdp past the struct", ProgramType.Xdp, "r2 = *(u32 *)(r1 +24)", "EACCES invalid bpf_context access off=24 size=4" },
        { "xdp misaligned", ProgramType.Xdp, "r2 = *(u32 *)(r1 +2)", "EACCES invalid bpf_context access off=2 size=4" },
        { "xdp modified ctx", ProgramType.Xdp, "r1 += 4\nr2 = *(u32 *)(r1 +0)", "EACCES dereference of modified ctx ptr R1 off=4 disallowed" },
        { "xdp atomic on ctx", ProgramType.Xdp, "r2 = 1\nlock *(u32 *)(r1 +12) += r2", "EACCES BPF_ATOMIC stores into R1 ctx is not allowed" },
        {
            "xdp ctx or stack in one insn", ProgramType.Xdp,
            "r2 = *(u32 *)(r1 +16)\nr6 = r10\nr6 += -8\n*(u64 *)(r6 +0) = 0\nif r2 == 0x0 goto +1\nr6 = r1\nr0 = *(u32 *)(r6 +0)",
            "EINVAL same insn cannot be used with different pointers"
        },
        { "socket data", ProgramType.SocketFilter, "r0 = *(u32 *)(r1 +76)", "EACCES invalid bpf_context access off=76 size=4" },
        { "socket write mark", ProgramType.SocketFilter, "*(u32 *)(r1 +8) = 77", "EACCES invalid bpf_context access off=8 size=4" },
        { "socket wire_len", ProgramType.SocketFilter, "r0 = *(u32 *)(r1 +160)", "EACCES invalid bpf_context access off=160 size=4" },
        { "tc u16 of data", ProgramType.SchedCls, "r0 = *(u16 *)(r1 +76)", "EACCES invalid bpf_context access off=76 size=2" },
        { "raw_tp write", ProgramType.RawTracepoint, "*(u64 *)(r1 +0) = 1", "EACCES invalid bpf_context access off=0 size=8" },
        { "raw_tp past 12 args", ProgramType.RawTracepoint, "r0 = *(u64 *)(r1 +96)", "EACCES invalid bpf_context access off=96 size=8" },
    };

    [Theory]
    [MemberData(nameof(LoadRefusals))]
    public void ProgLoad_InvalidContextAccess_RefusedLikeTheVerifier(string row, ProgramType type, string asm, string expected)
    {
        var (errno, reason) = (expected[..expected.IndexOf(' ', StringComparison.Ordinal)], expected[(expected.IndexOf(' ', StringComparison.Ordinal) + 1)..]);

        var err = _backend.ProgLoad(Attr(type, asm + "\nr0 = 0\nexit"), out _, out var log);

        Assert.True(err.ToString() == errno, $"{row}: {err} {log}");
        Assert.Contains(reason, log, StringComparison.Ordinal);
    }

    public static TheoryData<string, ProgramType, string, string?, uint> Runs => new()
    {
        { "xdp data_end - data", ProgramType.Xdp, "r2 = *(u32 *)(r1 +0)\nr3 = *(u32 *)(r1 +4)\nr0 = r3\nr0 -= r2", null, 64 },
        { "xdp ingress_ifindex: loopback", ProgramType.Xdp, "r0 = *(u32 *)(r1 +12)", null, 1 },
        { "xdp rx_queue_index", ProgramType.Xdp, "r0 = *(u32 *)(r1 +16)", null, 0 },
        { "xdp ctx through a stack spill", ProgramType.Xdp, "*(u64 *)(r10 -8) = r1\nr6 = *(u64 *)(r10 -8)\nr2 = *(u32 *)(r6 +0)\nr3 = *(u32 *)(r6 +4)\nr0 = r3\nr0 -= r2", null, 64 },
        { "xdp ctx_in: data_end - data", ProgramType.Xdp, "r2 = *(u32 *)(r1 +0)\nr3 = *(u32 *)(r1 +4)\nr0 = r3\nr0 -= r2", Md(0, 64), 64 },
        { "xdp ctx_in metadata 4: data_end - data_meta", ProgramType.Xdp, "r2 = *(u32 *)(r1 +8)\nr3 = *(u32 *)(r1 +4)\nr0 = r3\nr0 -= r2", Md(4, 64), 64 },
        { "xdp ctx_in data_end 63: one byte in a fragment", ProgramType.Xdp, "r2 = *(u32 *)(r1 +0)\nr3 = *(u32 *)(r1 +4)\nr0 = r3\nr0 -= r2", Md(0, 63), 63 },
        { "xdp ctx_in ingress_ifindex 1", ProgramType.Xdp, "r0 = *(u32 *)(r1 +12)", Md(0, 64, ingress: 1), 1 },
        { "socket len (no Ethernet header)", ProgramType.SocketFilter, "r0 = *(u32 *)(r1 +0)", null, 50 },
        { "socket protocol (be16 ETH_P_IP)", ProgramType.SocketFilter, "r0 = *(u32 *)(r1 +16)", null, 8 },
        { "socket pkt_type PACKET_OTHERHOST", ProgramType.SocketFilter, "r0 = *(u32 *)(r1 +4)", null, 3 },
        { "socket ifindex", ProgramType.SocketFilter, "r0 = *(u32 *)(r1 +40)", null, 1 },
        { "socket hash", ProgramType.SocketFilter, "r0 = *(u32 *)(r1 +68)", null, 0 },
        { "socket narrow u8 of protocol", ProgramType.SocketFilter, "r0 = *(u8 *)(r1 +17)", null, 0 },
        { "socket narrow u16 of len", ProgramType.SocketFilter, "r0 = *(u16 *)(r1 +2)", null, 0 },
        { "socket sk (no socket: NULL)", ProgramType.SocketFilter, "r0 = *(u64 *)(r1 +168)", null, 0 },
        { "socket cb narrow load after store", ProgramType.SocketFilter, "*(u32 *)(r1 +48) = 0x1020304\nr0 = *(u8 *)(r1 +49)", null, 3 },
        { "socket cb u64", ProgramType.SocketFilter, "r2 = 5\n*(u64 *)(r1 +48) = r2\nr0 = *(u64 *)(r1 +48)", null, 5 },
        { "tc len", ProgramType.SchedCls, "r0 = *(u32 *)(r1 +0)", null, 64 },
        { "tc data_end - data", ProgramType.SchedCls, "r2 = *(u32 *)(r1 +76)\nr3 = *(u32 *)(r1 +80)\nr0 = r3\nr0 -= r2", null, 64 },
        { "tc data - data_meta", ProgramType.SchedCls, "r2 = *(u32 *)(r1 +140)\nr3 = *(u32 *)(r1 +76)\nr0 = r3\nr0 -= r2", null, 0 },
        { "tc tstamp_type byte", ProgramType.SchedCls, "r0 = *(u8 *)(r1 +180)", null, 0 },
        { "xdp adjust_head -216", ProgramType.Xdp, "r2 = -216\ncall 44\nr0 += 1000", null, 1000 },
        { "xdp adjust_head -217", ProgramType.Xdp, "r2 = -217\ncall 44\nr0 += 1000", null, 978 },
        { "xdp adjust_head +50", ProgramType.Xdp, "r6 = r1\nr2 = 50\ncall 44\nr2 = *(u32 *)(r6 +0)\nr3 = *(u32 *)(r6 +4)\nr0 = r3\nr0 -= r2", null, 14 },
        { "xdp adjust_head +51", ProgramType.Xdp, "r2 = 51\ncall 44\nr0 += 1000", null, 978 },
        { "xdp adjust_head -208 with 8 of metadata", ProgramType.Xdp, "r2 = -208\ncall 44\nr0 += 1000", Md(8, 64), 1000 },
        { "xdp adjust_head -209 with 8 of metadata", ProgramType.Xdp, "r2 = -209\ncall 44\nr0 += 1000", Md(8, 64), 978 },
        { "xdp adjust_tail -50", ProgramType.Xdp, "r2 = -50\ncall 65\nr0 += 1000", null, 1000 },
        { "xdp adjust_tail -51", ProgramType.Xdp, "r2 = -51\ncall 65\nr0 += 1000", null, 978 },
        { "xdp adjust_tail +3456", ProgramType.Xdp, "r2 = 3456\ncall 65\nr0 += 1000", null, 1000 },
        { "xdp adjust_tail +3457", ProgramType.Xdp, "r2 = 3457\ncall 65\nr0 += 1000", null, 978 },
        { "trace_printk %d\\n returns the length", ProgramType.Xdp, "*(u32 *)(r10 -8) = 680997\nr1 = r10\nr1 += -8\nr2 = 4\nr3 = 12345\ncall 6", null, 6 },
        { "trace_printk %d of -5", ProgramType.Xdp, "*(u32 *)(r10 -8) = 25637\nr1 = r10\nr1 += -8\nr2 = 3\nr3 = -5\ncall 6", null, 2 },
        { "trace_printk no NUL within fmt_size", ProgramType.Xdp, "*(u32 *)(r10 -8) = 680997\nr1 = r10\nr1 += -8\nr2 = 3\nr3 = 5\ncall 6", null, unchecked((uint)-22) },
        { "trace_printk %o unsupported", ProgramType.Xdp, "*(u32 *)(r10 -8) = 683813\nr1 = r10\nr1 += -8\nr2 = 4\nr3 = 8\ncall 6", null, unchecked((uint)-22) },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void TestRun_ContextFieldsAndHelpers_AsTheKernel(string row, ProgramType type, string asm, string? ctxHex, uint retval)
    {
        var fd = Load(type, asm);

        var err = _backend.ProgTestRun(fd, new TestRunAttr
        {
            DataIn = TestData.SynPacket(), DataSizeOut = 8192,
            CtxIn = ctxHex is null ? default : Convert.FromHexString(ctxHex), CtxSizeOut = ctxHex is null ? 0 : 4096u,
        }, out var result);

        Assert.True(err == Errno.None, $"{row}: {err} {(_backend.TryGetLastRunError(fd, out var m) ? m : "")}");
        Assert.True(retval == result.Retval, $"{row}: retval {(int)result.Retval}, expected {(int)retval}");
    }

    public static TheoryData<string, string, int, Errno> XdpContextRules => new()
    {
        { "plain", Md(0, 64), 64, Errno.None },
        { "metadata 3 (not a multiple of 4)", Md(3, 64), 64, Errno.EINVAL },
        { "metadata 36", Md(36, 64), 64, Errno.None },
        { "metadata 216", Md(216, 400), 400, Errno.None },
        { "metadata 220", Md(220, 400), 400, Errno.EINVAL },
        { "metadata 52 leaves 12 bytes", Md(52, 64), 64, Errno.EINVAL },
        { "data_meta set", Md(0, 64, meta: 4), 64, Errno.EINVAL },
        { "data_end past the packet", Md(0, 65), 64, Errno.EINVAL },
        { "data_end inside (fragments)", Md(0, 20), 64, Errno.None },
        { "unknown device", Md(0, 64, ingress: 99999), 64, Errno.ENODEV },
        { "rx queue without device", Md(0, 64, rxq: 1), 64, Errno.EINVAL },
        { "rx queue the loopback lacks", Md(0, 64, ingress: 1, rxq: 1), 64, Errno.EINVAL },
        { "egress_ifindex", Md(0, 64, egress: 1), 64, Errno.EINVAL },
        { "8-byte context", "0000000040000000", 64, Errno.None },
        { "28-byte context, zero tail", Md(0, 64) + "00000000", 64, Errno.None },
        { "28-byte context, non-zero tail", Md(0, 64) + "01000000", 64, Errno.E2BIG },
    };

    [Theory]
    [MemberData(nameof(XdpContextRules))]
    public void TestRun_XdpContextIn_KernelErrno(string row, string ctxHex, int dataLength, Errno expected)
    {
        var fd = Load(ProgramType.Xdp, "r0 = 1000");

        var err = _backend.ProgTestRun(fd, new TestRunAttr
        {
            DataIn = new byte[dataLength], DataSizeOut = 8192, CtxIn = Convert.FromHexString(ctxHex), CtxSizeOut = 4096,
        }, out _);

        Assert.True(expected == err, $"{row}: {err}");
    }

    [Fact]
    public void TestRun_XdpContextOut_OffsetsFromDataMetaAfterTheRuns()
    {
        // Three runs each grow the head by 4: data_out starts with 12 new (zero) bytes, ctx_out data_end is 76.
        var fd = Load(ProgramType.Xdp, "r2 = -4\ncall 44\nr0 += 1000");
        var packet = TestData.SynPacket();

        Assert.Equal(Errno.None, _backend.ProgTestRun(fd, new TestRunAttr
        {
            DataIn = packet, DataSizeOut = 8192, CtxIn = Convert.FromHexString(Md(0, 64)), CtxSizeOut = 24, Repeat = 3,
        }, out var result));

        Assert.Equal([.. new byte[12], .. packet], result.DataOut);
        Assert.Equal(Convert.FromHexString(Md(0, 76)), result.CtxOut);
    }

    [Fact]
    public void TestRun_XdpAdjustHeadWithMetadata_MovesTheMetadataAlong()
    {
        var fd = Load(ProgramType.Xdp, "r2 = 4\ncall 44\nr0 += 1000");
        var packet = TestData.SynPacket();

        Assert.Equal(Errno.None, _backend.ProgTestRun(fd, new TestRunAttr
        {
            DataIn = packet, DataSizeOut = 8192, CtxIn = Convert.FromHexString(Md(8, 64)), CtxSizeOut = 24,
        }, out var result));

        Assert.Equal([.. packet[..8], .. packet[12..]], result.DataOut);
        Assert.Equal(Convert.FromHexString(Md(8, 60)), result.CtxOut);
    }

    [Fact]
    public void TestRun_XdpAdjustTailGrow_ZeroedBytesInDataOut()
    {
        var fd = Load(ProgramType.Xdp, "r2 = 4\ncall 65\nr0 = 2");
        var packet = TestData.SynPacket();

        Assert.Equal(Errno.None, _backend.ProgTestRun(fd, new TestRunAttr { DataIn = packet, DataSizeOut = 8192 }, out var result));

        Assert.Equal([.. packet, 0, 0, 0, 0], result.DataOut);
    }

    [Fact]
    public void TestRun_SkbContextOut_RunChangesAndTheDeviceComeBack()
    {
        // tc: mark, priority, tc_index, tc_classid, queue_mapping written; ctx_out copies back mark and priority only.
        var fd = Load(ProgramType.SchedCls,
            "*(u32 *)(r1 +8) = 77\n*(u32 *)(r1 +32) = 5\n*(u32 *)(r1 +44) = 6\n*(u32 *)(r1 +72) = 9\n*(u32 *)(r1 +12) = 3\nr0 = *(u32 *)(r1 +8)");
        var ctx = new byte[192];
        ctx[8] = 7;

        Assert.Equal(Errno.None, _backend.ProgTestRun(fd, new TestRunAttr
        {
            DataIn = TestData.SynPacket(), DataSizeOut = 8192, CtxIn = ctx, CtxSizeOut = 192,
        }, out var result));

        var expected = new byte[192];
        expected[8] = 77;     // mark
        expected[32] = 5;     // priority
        expected[40] = 1;     // ifindex: the loopback device
        expected[160] = 64;   // wire_len: the packet length
        Assert.Equal(77u, result.Retval);
        Assert.Equal(expected, result.CtxOut);
        Assert.Equal(TestData.SynPacket(), result.DataOut);
    }

    [Fact]
    public void TestRun_SocketFilter_EthernetHeaderZeroedInDataOut()
    {
        var fd = Load(ProgramType.SocketFilter, "r0 = 0");
        var packet = TestData.SynPacket();

        Assert.Equal(Errno.None, _backend.ProgTestRun(fd, new TestRunAttr { DataIn = packet, DataSizeOut = 8192 }, out var result));

        Assert.Equal([.. new byte[14], .. packet[14..]], result.DataOut);
    }

    [Theory]
    [InlineData("a field a test may not set (len)", 0, Errno.EINVAL)]
    [InlineData("mark", 8, Errno.None)]
    [InlineData("hash", 68, Errno.EINVAL)]
    [InlineData("cb[4]", 64, Errno.None)]
    [InlineData("tstamp", 152, Errno.None)]
    [InlineData("tstamp_type", 180, Errno.EINVAL)]
    public void TestRun_SkbContextIn_OnlySettableFields(string row, int offset, Errno expected)
    {
        var fd = Load(ProgramType.SchedCls, "r0 = 0");
        var ctx = new byte[192];
        ctx[offset] = 1;

        var err = _backend.ProgTestRun(fd, new TestRunAttr { DataIn = TestData.SynPacket(), CtxIn = ctx, CtxSizeOut = 192 }, out _);

        Assert.True(expected == err, $"{row}: {err}");
    }

    [Fact]
    public void TracePrintk_Capture_GetsTheFormattedLine()
    {
        // bpf_trace_printk("%d %s\n", 8, -42, "hi") with both strings on the stack.
        var fd = Load(ProgramType.Xdp,
            "r1 = 0xa7325206425 ll\n*(u64 *)(r10 -16) = r1\n*(u64 *)(r10 -24) = 0\n*(u32 *)(r10 -24) = 0x6968\n"
            + "r1 = r10\nr1 += -16\nr2 = 8\nr3 = -42\nr4 = r10\nr4 += -24\ncall 6");

        using var capture = TracePipe.Capture();
        Assert.Equal(Errno.None, _backend.ProgTestRun(fd, new TestRunAttr { DataIn = TestData.SynPacket() }, out var result));

        Assert.Equal(["-42 hi"], capture.Lines);
        Assert.Equal(7u, result.Retval);
    }

    private int Load(ProgramType type, string asm)
    {
        var err = _backend.ProgLoad(Attr(type, asm + "\nexit"), out var fd, out var log);
        Assert.True(err == Errno.None, $"load: {err} {log}");
        return fd;
    }

    private static ProgLoadAttr Attr(ProgramType type, string asm) => new()
    {
        Type = type,
        Instructions = KernelSyntaxAssembler.Assemble(asm),
        License = "GPL",
        LogLevel = 1,
    };

    /// <summary>A <c>struct xdp_md</c> as hex.</summary>
    private static string Md(uint data, uint dataEnd, uint meta = 0, uint ingress = 0, uint rxq = 0, uint egress = 0) =>
        Convert.ToHexString([.. new[] { data, dataEnd, meta, ingress, rxq, egress }.SelectMany(BitConverter.GetBytes)]);
}
