using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Linux.Tests.Support;
using Xunit.Abstractions;
using static SharpBpf.Linux.Tests.Differential.TailAsm;
using static SharpBpf.Linux.Tests.Support.Insn;

namespace SharpBpf.Linux.Tests.Differential;

/// <summary>
/// <c>bpf_perf_event_output</c> (spec E.1, E.2) on the kernel and on the userspace backend: the same programs write into
/// a PERF_EVENT_ARRAY whose slot i holds a BPF_OUTPUT event on CPU i, each backend with its own events; the helper's
/// return values and the rings (size, head, tail and every record byte, padding included) are compared.
/// </summary>
public sealed class PerfOutputDifferentialTests(ITestOutputHelper output)
{
    private const ulong CurrentCpu = 0xffff_ffff;

    /// <summary>
    /// Fills fp-64..fp-1 with the bytes 1..64, then <c>return bpf_perf_event_output(ctx, map, flags, fp-64, n)</c>.
    /// </summary>
    private static Instruction[] Output(int mapFd, ulong flags, int n)
    {
        var insns = new List<Instruction> { Mov64Reg(R6, R1) };
        for (int k = 0; k < 8; k++)
        {
            ulong word = 0;
            for (int b = 0; b < 8; b++)
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
        insns.Add(Call(25)); // bpf_perf_event_output
        insns.Add(Exit());
        return [.. insns];
    }

    /// <summary>Runs a RAW_TRACEPOINT program on <paramref name="cpu"/> (BPF_F_TEST_RUN_ON_CPU) and records the helper's result.</summary>
    private static void RunOn(IBpfBackend b, Observations obs, string label, int prog, uint cpu)
    {
        Errno err = b.ProgTestRun(prog, new TestRunAttr { Flags = 1, Cpu = cpu }, out TestRunResult result);
        obs.Add($"{label} errno", err.ToString());
        obs.Add($"{label} return", (int)result.Retval);
    }

    public static TheoryData<string, ulong, uint, int> FlagRows() => new()
    {
        { "E.o1 current cpu on cpu0", CurrentCpu, 0, 0 },
        { "E.o2 current cpu on cpu1", CurrentCpu, 1, 0 },
        { "E.o3 index 0 on cpu0", 0, 0, 0 },
        { "E.o4 index 0 on cpu1 (event on another CPU)", 0, 1, -95 },
        { "E.o5 index 1 on cpu0 (event on another CPU)", 1, 0, -95 },
        { "index 1 on cpu1", 1, 1, 0 },
        { "E.o6 index 2 (empty slot)", 2, 0, -2 },
        { "E.o7 index 3 (CPU_CLOCK event, not BPF_OUTPUT)", 3, 0, -22 },
        { "index 3 (CPU_CLOCK event on cpu0) on cpu1", 3, 1, -22 },
        { "E.o8 index 4 (= max_entries)", 4, 0, -7 },
        { "E.o9 index 0xfffffffe", 0xffff_fffe, 0, -7 },
        { "E.o10 flags 1 << 32", 1UL << 32, 0, -22 },
        { "flags current cpu | 1 << 32", CurrentCpu | (1UL << 32), 0, -22 },
        { "flags 1 << 63", 1UL << 63, 1, -22 },
    };

    [SkippableTheory]
    [MemberData(nameof(FlagRows))]
    public void PerfEventOutput_FlagsAndSlots_SameReturnsAndRingsOnBothBackends(string row, ulong flags, uint cpu, int expected)
    {
        var (kernel, _, compared) = DifferentialRun.Compare(row, (b, obs) =>
        {
            int map = b.CreateMap(MapType.PerfEventArray, 4, 4, 4);
            using PerfRings rings = PerfRings.Open(b, map);
            obs.Add("rings", rings.Count);
            obs.Add("put CPU_CLOCK in slot 3", rings.InstallCpuClock(b, map, 3, 0).ToString());
            int prog = b.LoadProgram(ProgramType.RawTracepoint, Output(map, flags, 8));
            RunOn(b, obs, row, prog, cpu);
            for (int ring = 0; ring < rings.Count; ring++)
                rings.Snapshot(obs, "after", ring);
        });

        // E.1 (rows without an id follow from the same rules): the helper's return, and a record only on success, in
        // the ring of the CPU that ran the program.
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), kernel[$"{row} return"]);
        Assert.Equal(expected == 0 ? "24" : "0", kernel[$"after ring {cpu} head"]);
        output.WriteLine($"{row}: kernel returned {expected}; {compared} compared");
    }

    [SkippableFact]
    public void PerfEventOutput_CurrentCpuBeyondMaxEntries_E2bigOnBothBackends()
    {
        var (kernel, _, compared) = DifferentialRun.Compare("E.o11 max_entries 1", (b, obs) =>
        {
            int map = b.CreateMap(MapType.PerfEventArray, 4, 4, 1);
            using PerfRings rings = PerfRings.Open(b, map);
            obs.Add("rings", rings.Count);
            int prog = b.LoadProgram(ProgramType.RawTracepoint, Output(map, CurrentCpu, 8));
            RunOn(b, obs, "on cpu0", prog, 0);
            RunOn(b, obs, "on cpu1", prog, 1);
            rings.Snapshot(obs, "after", 0);
        });

        Assert.Equal("-7", kernel["on cpu1 return"]);
        output.WriteLine($"E.o11: {compared} compared");
    }

    public static TheoryData<int> Sizes() => [0, 1, 4, 5, 7, 8, 12, 13, 16, 60, 63, 64];

    [SkippableTheory]
    [MemberData(nameof(Sizes))]
    public void PerfEventOutput_RecordOfNBytes_SameRingBytesOnBothBackends(int n)
    {
        var (kernel, _, compared) = DifferentialRun.Compare($"E.2 n={n}", (b, obs) =>
        {
            int map = b.CreateMap(MapType.PerfEventArray, 4, 4, 4);
            using PerfRings rings = PerfRings.Open(b, map);
            int explicitIndex = b.LoadProgram(ProgramType.RawTracepoint, Output(map, 1, n));
            int current = b.LoadProgram(ProgramType.RawTracepoint, Output(map, CurrentCpu, n));
            RunOn(b, obs, "index 1", explicitIndex, 1);
            RunOn(b, obs, "current cpu", current, 1);
            RunOn(b, obs, "current cpu again", current, 1);
            rings.Snapshot(obs, "after three", 1);
            RunOn(b, obs, "after consuming", current, 1);
            rings.Snapshot(obs, "after four", 1);
            rings.Snapshot(obs, "cpu0 untouched", 0);
        });

        // E.2: raw.size = round_up(n + 4, 8) - 4, record = 8 + 4 + raw.size.
        int record = 12 + ((n + 4 + 7) / 8 * 8 - 4);
        Assert.Equal((3 * record).ToString(), kernel["after three ring 1 head"]);
        output.WriteLine($"E.2 n={n}: record {record} bytes; {compared} compared");
    }

    [SkippableFact]
    public void PerfEventOutput_SmallRingOverflows_SameEnospcAndLostRecordOnBothBackends()
    {
        var padding = new Dictionary<string, string>();
        var (kernel, _, compared) = DifferentialRun.Compare("E.2 overflow", (b, obs) =>
        {
            int map = b.CreateMap(MapType.PerfEventArray, 4, 4, 4);
            using PerfRings rings = PerfRings.Open(b, map);
            int prog = b.LoadProgram(ProgramType.RawTracepoint, Output(map, 0, 64));
            for (int i = 0; i < 80; i++)
                RunOn(b, obs, $"output {i}", prog, 0);
            rings.Snapshot(obs, "full", 0);
            RunOn(b, obs, "after consuming", prog, 0);
            // The sample after the 24-byte LOST record has wrapped to ring offset 8; its 4 padding bytes follow the
            // 12-byte header and the 64 bytes of data.
            byte[] pad = new byte[4];
            rings.Ring(0).CopyOut(rings.Ring(0).ReadDataTail() + 24 + 12 + 64, pad);
            padding[b.Name] = Convert.ToHexString(pad);
            rings.Snapshot(obs, "lost then sample", 0);
            RunOn(b, obs, "once more", prog, 0);
            rings.Snapshot(obs, "no second lost", 0);
        });

        // E.2: 51 records of 80 bytes fit in 4096; the other 29 return -ENOSPC and come back as one LOST{lost=29}.
        Assert.Equal("0", kernel["output 50 return"]);
        Assert.Equal("-28", kernel["output 51 return"]);
        Assert.Equal((51 * 80).ToString(), kernel["full ring 0 head"]);
        // Both skip the padding: after the wrap it holds the stale misc and size of the record written there before
        // (0x0001 and 80), on the kernel and in the runtime.
        Assert.Equal(("01005000", "01005000"), (padding["kernel"], padding["userspace"]));
        output.WriteLine($"E.2 overflow: {compared} compared");
    }

    /// <summary>
    /// Link <paramref name="i"/> of a chain: outputs the 8 bytes (i, i+1, ..., i+7) into the current CPU's ring, then
    /// tail-calls slot i + 1; returns the helper's result on fall-through.
    /// </summary>
    private static Instruction[] OutputThenTailCall(int perfMap, int progArray, int i)
    {
        ulong word = 0;
        for (int b = 0; b < 8; b++)
            word |= (ulong)(byte)(i + b) << (8 * b);
        return
        [
            Mov64Reg(R6, R1),
            .. Lddw(R1, word),
            StxDw(R10, R1, -8),
            Mov64Reg(R1, R6),
            .. LdMapFd(R2, perfMap),
            .. Lddw(R3, CurrentCpu),
            Mov64Reg(R4, R10),
            Add64Imm(R4, -8),
            Mov64Imm(R5, 8 - (i % 4)), // sizes 8, 7, 6, 5: different padding per record
            Call(25),
            Mov64Reg(R7, R0),
            .. TailCall(progArray, (ulong)(i + 1)),
            Mov64Reg(R0, R7),
            Exit(),
        ];
    }

    [SkippableFact]
    public void PerfEventOutput_FromTailCalledPrograms_SameRecordsInOrderOnBothBackends()
    {
        var (kernel, _, compared) = DifferentialRun.Compare("perf output along a tail-call chain", (b, obs) =>
        {
            int map = b.CreateMap(MapType.PerfEventArray, 4, 4, 4);
            int progs = b.CreateMap(MapType.ProgArray, 4, 4, 40);
            using PerfRings rings = PerfRings.Open(b, map);
            int[] links = [.. Enumerable.Range(0, 36).Select(i => b.LoadProgram(ProgramType.RawTracepoint, OutputThenTailCall(map, progs, i)))];
            for (int i = 0; i < links.Length; i++)
                obs.Add($"put link {i}", b.Update(progs, (uint)i, BackendExtensions.U32((uint)links[i])).ToString());
            RunOn(b, obs, "chain on cpu1", links[0], 1);
            rings.Snapshot(obs, "after chain", 1);
            rings.Snapshot(obs, "after chain", 0);
        });

        // 34 programs ran (D.2), each wrote one record of 16 or 24 bytes into cpu1's ring.
        int expectedBytes = Enumerable.Range(0, 34).Sum(i => 12 + ((8 - (i % 4) + 4 + 7) / 8 * 8 - 4));
        Assert.Equal(expectedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), kernel["after chain ring 1 head"]);
        output.WriteLine($"perf output along a tail-call chain: {compared} compared");
    }

    [SkippableTheory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(14)]
    [InlineData(64)]
    [InlineData(65)]
    public void XdpEventOutput_CurrentCpuWithPacketBytes_SameRecordOnBothBackends(int packetBytes)
    {
        // XDP runs on the calling thread's CPU, which differs between backends: the record is compared wherever it is.
        byte[] packet = [.. Enumerable.Range(0, 64).Select(i => (byte)(0xa0 + i))];
        var (kernel, _, compared) = DifferentialRun.Compare($"xdp output with {packetBytes} packet bytes", (b, obs) =>
        {
            int map = b.CreateMap(MapType.PerfEventArray, 4, 4, 4);
            using PerfRings rings = PerfRings.Open(b, map);
            int prog = b.LoadProgram(ProgramType.Xdp, Output(map, CurrentCpu | ((ulong)packetBytes << 32), 8));
            Errno err = b.ProgTestRun(prog, new TestRunAttr { DataIn = packet, Repeat = 1 }, out TestRunResult result);
            obs.Add("run errno", err.ToString());
            obs.Add("return", (int)result.Retval);
            obs.Add("records", rings.DrainAll());
        });

        output.WriteLine($"xdp output, {packetBytes} packet bytes: kernel returned {kernel["return"]}; {compared} compared");
    }
}
