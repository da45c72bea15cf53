using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Linux.Tests.Support;
using Xunit.Abstractions;
using static SharpBpf.Linux.Tests.Differential.TailAsm;
using static SharpBpf.Linux.Tests.Support.BackendExtensions;

namespace SharpBpf.Linux.Tests.Differential;

/// <summary>
/// Tail calls (spec D.2) on the kernel and on the userspace backend: the same XDP programs, maps and run sequence on
/// both, every return value, errno and counter compared. Where the spec states the kernel's result, the kernel's
/// observations are checked against it too, so a scenario cannot pass by both backends doing nothing.
/// </summary>
public sealed class TailCallDifferentialTests(ITestOutputHelper output)
{
    private const uint CounterSlots = 64;

    private static readonly byte[] Packet = new byte[64];

    public static TheoryData<int> ChainLengths() => [1, 5, 33, 34, 40];

    [SkippableTheory]
    [MemberData(nameof(ChainLengths))]
    public void Chain_NPrograms_StopsAfter33TailCallsOnBothBackends(int n)
    {
        var (kernel, _, compared) = DifferentialRun.Compare($"chain of {n}", (b, obs) =>
        {
            int counter = b.CreateMap(MapType.Array, 4, 8, CounterSlots);
            int progs = b.CreateMap(MapType.ProgArray, 4, 4, CounterSlots);
            int[] links = [.. Enumerable.Range(0, n).Select(i => b.LoadProgram(ProgramType.Xdp, ChainLink(counter, progs, i)))];
            for (int i = 0; i < n; i++)
                obs.Add($"update slot {i}", b.Update(progs, (uint)i, U32((uint)links[i])).ToString());
            foreach (uint repeat in new uint[] { 1, 10 })
            {
                Run(b, obs, $"repeat {repeat}", links[0], repeat);
                Counters(b, obs, $"after repeat {repeat}", counter, (uint)Math.Min(n + 2, (int)CounterSlots));
            }
        });

        // D.2: the entry run plus at most 33 tail calls; the 34th falls through in link 33.
        int ran = Math.Min(n, 34);
        Assert.Equal((1000 + ran - 1).ToString(), kernel["repeat 1 retval"]);
        Assert.Equal("1", kernel[$"after repeat 1 counter[{ran - 1}]"]);
        Assert.Equal("11", kernel[$"after repeat 10 counter[{ran - 1}]"]);
        Assert.Equal("0", kernel[$"after repeat 10 counter[{ran}]"]);
        output.WriteLine($"chain of {n}: {compared} compared");
    }

    [SkippableFact]
    public void SelfTailCall_CountsRunsInArray_34PerRunOnBothBackends()
    {
        var (kernel, _, compared) = DifferentialRun.Compare("self tail call", (b, obs) =>
        {
            int counter = b.CreateMap(MapType.Array, 4, 8, 1);
            int progs = b.CreateMap(MapType.ProgArray, 4, 4, 4);
            int self = b.LoadProgram(ProgramType.Xdp, SelfCounting(counter, progs));
            obs.Add("update", b.Update(progs, 0, U32((uint)self)).ToString());
            foreach (uint repeat in new uint[] { 1, 10, 1000 })
            {
                Run(b, obs, $"repeat {repeat}", self, repeat);
                Counters(b, obs, $"after repeat {repeat}", counter, 1);
            }
        });

        Assert.Equal("7", kernel["repeat 1 retval"]);
        Assert.Equal("34", kernel["after repeat 1 counter[0]"]); // D.2 chain limit
        Assert.Equal((34 + 340 + 34000).ToString(), kernel["after repeat 1000 counter[0]"]);
        output.WriteLine($"self tail call: {compared} compared");
    }

    [SkippableFact]
    public void FallThroughAttempts_DoNotCountAgainstTheLimit_SameOnBothBackends()
    {
        var (kernel, _, compared) = DifferentialRun.Compare("empty and out-of-range attempts, then self calls", (b, obs) =>
        {
            int counter = b.CreateMap(MapType.Array, 4, 8, 1);
            int progs = b.CreateMap(MapType.ProgArray, 4, 4, 4);
            int entry = b.LoadProgram(ProgramType.Xdp, EmptyThenSlot0(progs));
            int self = b.LoadProgram(ProgramType.Xdp, SelfCounting(counter, progs));
            obs.Add("update", b.Update(progs, 0, U32((uint)self)).ToString());
            Run(b, obs, "entry", entry, 1);
            Counters(b, obs, "after entry", counter, 1);
        });

        // D.2, measured with the JIT: the entry's successful call plus 32 self calls.
        Assert.Equal("33", kernel["after entry counter[0]"]);
        output.WriteLine($"fall-through attempts: {compared} compared");
    }

    public static TheoryData<ulong> Indexes() =>
    [
        0, 1, 2, 3, 4, 0xffff_ffff, 0x1_0000_0000, 0x1_0000_0002, 0x1_0000_0001, 0xffff_ffff_0000_0000, 0x8000_0000_0000_0002,
        0x7fff_ffff, 0x8000_0000,
    ];

    [SkippableTheory]
    [MemberData(nameof(Indexes))]
    public void TailCall_Index_EmptyOutOfRangeAndHighBitsSameOnBothBackends(ulong index)
    {
        var (kernel, _, compared) = DifferentialRun.Compare($"index 0x{index:x}", (b, obs) =>
        {
            int progs = b.CreateMap(MapType.ProgArray, 4, 4, 4);
            int indexMap = b.CreateMap(MapType.Array, 4, 8, 1);
            obs.Add("store index", b.Update(indexMap, 0, U64(index)).ToString());
            int constant = b.LoadProgram(ProgramType.Xdp, Caller(progs, index));
            int fromMap = b.LoadProgram(ProgramType.Xdp, CallerFromMap(progs, indexMap));
            obs.Add("slot 0", b.Update(progs, 0, U32((uint)b.LoadProgram(ProgramType.Xdp, Insn.ReturnConstant(Target)))).ToString());
            obs.Add("slot 2", b.Update(progs, 2, U32((uint)b.LoadProgram(ProgramType.Xdp, Insn.ReturnConstant(Target + 2)))).ToString());
            Run(b, obs, "constant index", constant, 1);
            Run(b, obs, "index from map", fromMap, 1);
        });

        // D.2: only the low 32 bits select the slot; empty and out-of-range slots fall through.
        uint low = (uint)index;
        string expected = low switch { 0 => Target.ToString(), 2 => (Target + 2).ToString(), _ => Fallthrough.ToString() };
        Assert.Equal(expected, kernel["constant index retval"]);
        Assert.Equal(expected, kernel["index from map retval"]);
        output.WriteLine($"index 0x{index:x}: {compared} compared");
    }

    [SkippableFact]
    public void Slot_ReplacedAndDeletedBetweenRuns_SameOnBothBackends()
    {
        var (kernel, _, compared) = DifferentialRun.Compare("replace and delete", (b, obs) =>
        {
            int progs = b.CreateMap(MapType.ProgArray, 4, 4, 4);
            int caller = b.LoadProgram(ProgramType.Xdp, Caller(progs, 0));
            int a = b.LoadProgram(ProgramType.Xdp, Insn.ReturnConstant(10));
            int c = b.LoadProgram(ProgramType.Xdp, Insn.ReturnConstant(20));
            string Name(uint id) => id == IdOf(b, a) ? "A" : id == IdOf(b, c) ? "B" : $"other";
            void Slot(string step)
            {
                (Errno err, byte[] value) = b.Lookup(progs, 0, 4);
                obs.Add($"{step}: lookup", err == Errno.None ? Name(ReadU32(value)) : err.ToString());
            }

            Run(b, obs, "empty", caller, 1);
            obs.Add("put A", b.Update(progs, 0, U32((uint)a)).ToString());
            Slot("after put A");
            Run(b, obs, "A", caller, 3);
            obs.Add("replace by B", b.Update(progs, 0, U32((uint)c)).ToString());
            Slot("after replace");
            Run(b, obs, "B", caller, 3);
            obs.Add("delete", b.MapDeleteElem(progs, U32(0), 0).ToString());
            Slot("after delete");
            Run(b, obs, "deleted", caller, 3);
            obs.Add("delete again", b.MapDeleteElem(progs, U32(0), 0).ToString());
            obs.Add("delete out of range", b.MapDeleteElem(progs, U32(4), 0).ToString());
            obs.Add("put NOEXIST", b.Update(progs, 0, U32((uint)a), ElemFlags.BPF_NOEXIST).ToString());
            obs.Add("put key 4", b.Update(progs, 4, U32((uint)a)).ToString());
            obs.Add("put A again", b.Update(progs, 0, U32((uint)a)).ToString());
            obs.Add("close A's fd", b.Close(a).ToString());
            Run(b, obs, "A kept by its slot", caller, 1); // D.1: the slot holds its own reference
            obs.Add("put the caller itself", b.Update(progs, 1, U32((uint)caller)).ToString());
        });

        Assert.Equal(Fallthrough.ToString(), kernel["empty retval"]);
        Assert.Equal("20", kernel["B retval"]);
        Assert.Equal(Fallthrough.ToString(), kernel["deleted retval"]);
        Assert.Equal("10", kernel["A kept by its slot retval"]);
        output.WriteLine($"replace and delete: {compared} compared");
    }

    [SkippableFact]
    public void ProgArray_SlotOfAnotherProgramType_UpdateEinvalOnBothBackends()
    {
        var (kernel, _, compared) = DifferentialRun.Compare("owner program type", (b, obs) =>
        {
            // Owner fixed by the first program that references the map (D.u15-16).
            int byLoad = b.CreateMap(MapType.ProgArray, 4, 4, 4);
            obs.Add("load XDP caller", Load(b, ProgramType.Xdp, Caller(byLoad, 0)).Err.ToString());
            int filter = Load(b, ProgramType.SocketFilter, Insn.ReturnConstant(1)).Fd;
            int xdp = Load(b, ProgramType.Xdp, Insn.ReturnConstant(2)).Fd;
            obs.Add("put SOCKET_FILTER into XDP-owned", b.Update(byLoad, 0, U32((uint)filter)).ToString());
            obs.Add("put XDP into XDP-owned", b.Update(byLoad, 0, U32((uint)xdp)).ToString());
            obs.Add("load SOCKET_FILTER caller of XDP-owned", Load(b, ProgramType.SocketFilter, Caller(byLoad, 0)).Err.ToString());

            // Owner fixed by the first insert (D.u12-14), and sticky after that slot is deleted.
            int byInsert = b.CreateMap(MapType.ProgArray, 4, 4, 4);
            obs.Add("put SOCKET_FILTER first", b.Update(byInsert, 0, U32((uint)filter)).ToString());
            obs.Add("put XDP into SOCKET_FILTER-owned", b.Update(byInsert, 1, U32((uint)xdp)).ToString());
            obs.Add("delete the only slot", b.MapDeleteElem(byInsert, U32(0), 0).ToString());
            obs.Add("put XDP after delete", b.Update(byInsert, 1, U32((uint)xdp)).ToString());
            obs.Add("load XDP caller of SOCKET_FILTER-owned", Load(b, ProgramType.Xdp, Caller(byInsert, 0)).Err.ToString());
            obs.Add("load SOCKET_FILTER caller of SOCKET_FILTER-owned", Load(b, ProgramType.SocketFilter, Caller(byInsert, 0)).Err.ToString());

            // Not programs at all.
            int array = b.CreateMap(MapType.Array, 4, 8, 1);
            obs.Add("put a map fd", b.Update(byLoad, 1, U32((uint)array)).ToString());
            obs.Add("put fd 9999", b.Update(byLoad, 1, U32(9999)).ToString());
            obs.Add("put fd -1", b.Update(byLoad, 1, U32(uint.MaxValue)).ToString());
        });

        Assert.Equal("EINVAL", kernel["put SOCKET_FILTER into XDP-owned"]);
        Assert.Equal("EINVAL", kernel["put XDP into SOCKET_FILTER-owned"]);
        Assert.Equal("EINVAL", kernel["put XDP after delete"]);
        Assert.Equal("EINVAL", kernel["load XDP caller of SOCKET_FILTER-owned"]);
        output.WriteLine($"owner program type: {compared} compared");
    }

    [SkippableFact]
    public void TailCallFromSubprogramWithoutBtf_KernelRefuses()
    {
        // The kernel allows a tail call in a bpf-to-bpf subprogram (x86-64 JIT) only when the program comes with BTF
        // func_info; the userspace runtime needs none (KnownDivergences.TailCallInSubprogramWithoutBtf).
        KernelTestBase.RequireKernel();
        using var kernel = new LinuxBackend();
        int progs = kernel.CreateMap(MapType.ProgArray, 4, 4, 4);

        Errno err = kernel.ProgLoad(new ProgLoadAttr { Type = ProgramType.Xdp, Instructions = TailCallFromSubprogram(progs), License = "GPL", LogLevel = 1 },
            out _, out string log);

        Assert.Equal(Errno.EINVAL, err);
        Assert.Contains("tail_call is not allowed in subprogs without BTF", log, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void TailCallFromSubprogram_KernelWithBtf_TargetReturnsToSubprogramsCaller()
    {
        var (kernel, _, compared) = DifferentialRun.Compare("tail call from a bpf-to-bpf subprogram", (b, obs) =>
        {
            int counter = b.CreateMap(MapType.Array, 4, 8, 1);
            int progs = b.CreateMap(MapType.ProgArray, 4, 4, 4);
            var attr = new ProgLoadAttr { Type = ProgramType.Xdp, Instructions = TailCallFromSubprogram(progs), License = "GPL", LogLevel = 1 };
            // The same BTF on both: the kernel needs it, the runtime checks the records and then needs none.
            Assert.Equal(Errno.None, b.BtfLoad(MiniBtf.Functions("main", "sub"), out int btf, out string btfLog));
            Errno err = b.ProgLoad(attr with { ProgBtfFd = btf, FuncInfo = MiniBtf.FuncInfo(0, 3), FuncInfoRecordSize = 8 },
                out int main, out string log);
            Assert.True(err == Errno.None, $"{b.Name}: {err}\n{log}");
            obs.Add("load main with subprogram", err.ToString());
            Run(b, obs, "empty slot", main, 1);
            obs.Add("put target", b.Update(progs, 0, U32((uint)b.LoadProgram(ProgramType.Xdp, Insn.ReturnConstant(Target)))).ToString());
            obs.Add("target retval", RunValue(b, main, 1));
            obs.Add("put self-counting", b.Update(progs, 0, U32((uint)b.LoadProgram(ProgramType.Xdp, SelfCounting(counter, progs)))).ToString());
            obs.Add("self-counting retval", RunValue(b, main, 2));
            Counters(b, obs, "after self-counting", counter, 1);
        });

        Assert.Equal("105", kernel["empty slot retval"]); // the subprogram's 5, plus main's 100
        Assert.Equal("66", kernel["after self-counting counter[0]"]); // 33 per run: the subprogram's call is the first
        // The target replaces the subprogram: its r0 goes back to the subprogram's caller, which adds its 100.
        Assert.Equal(("322", "107"), (kernel["target retval"], kernel["self-counting retval"]));
        output.WriteLine($"tail call from subprogram: {compared} compared");
    }

    [SkippableFact]
    public void ProgArray_TargetWithAnotherExpectedAttachType_EinvalOnBoth()
    {
        // Linux >= 6.17 also compares expected_attach_type with the prog array owner's (the cause of the tail_chain.o
        // refusal); the runtime's owner check does too.
        KernelTestBase.RequireKernel();
        using var kernel = new LinuxBackend();
        using var userBackend = new Runtime.UserspaceBackend(new Runtime.UserspaceBackendOptions { PossibleCpus = kernel.PossibleCpus });
        Observations k = new(kernel.Name), u = new(userBackend.Name);
        AttachTypeScenario(kernel, k);
        AttachTypeScenario(userBackend, u);

        Assert.Equal(("EINVAL", "111", "None", "6"), (k["put attach 0 target"], k["after attach 0 put retval"], k["put BPF_XDP target"], k["after BPF_XDP put retval"]));
        var compared = Observations.AssertSame("attach type of tail-call targets", k, u);
        output.WriteLine($"attach type of tail-call targets: {compared} compared, EINVAL on both");
    }

    private static void AttachTypeScenario(IBpfBackend b, Observations obs)
    {
        int progs = b.CreateMap(MapType.ProgArray, 4, 4, 4);
        var (callerErr, caller) = Load(b, ProgramType.Xdp, Caller(progs, 0), attach: (uint)Object.AttachType.Xdp);
        obs.Add("load BPF_XDP caller", callerErr.ToString());
        int plain = Load(b, ProgramType.Xdp, Insn.ReturnConstant(5)).Fd;
        int same = Load(b, ProgramType.Xdp, Insn.ReturnConstant(6), attach: (uint)Object.AttachType.Xdp).Fd;
        obs.Add("put attach 0 target", b.Update(progs, 0, U32((uint)plain)).ToString());
        Run(b, obs, "after attach 0 put", caller, 1);
        obs.Add("put BPF_XDP target", b.Update(progs, 0, U32((uint)same)).ToString());
        Run(b, obs, "after BPF_XDP put", caller, 1);
    }

    private static (Errno Err, int Fd) Load(IBpfBackend b, ProgramType type, Instruction[] insns, uint attach = 0)
    {
        Errno err = b.ProgLoad(new ProgLoadAttr { Type = type, Instructions = insns, License = "GPL", ExpectedAttachType = attach },
            out int fd, out _);
        return (err, fd);
    }

    private static void Run(IBpfBackend b, Observations obs, string label, int prog, uint repeat)
    {
        Errno err = b.ProgTestRun(prog, new TestRunAttr { DataIn = Packet, Repeat = repeat }, out TestRunResult result);
        obs.Add($"{label} errno", err.ToString());
        obs.Add($"{label} retval", result.Retval);
    }

    private static string RunValue(IBpfBackend b, int prog, uint repeat)
    {
        Errno err = b.ProgTestRun(prog, new TestRunAttr { DataIn = Packet, Repeat = repeat }, out TestRunResult result);
        return err == Errno.None ? result.Retval.ToString(System.Globalization.CultureInfo.InvariantCulture) : err.ToString();
    }

    private static void Counters(IBpfBackend b, Observations obs, string label, int counter, uint count)
    {
        for (uint key = 0; key < count; key++)
        {
            (Errno err, byte[] value) = b.Lookup(counter, key, 8);
            obs.Add($"{label} counter[{key}]", err == Errno.None ? ReadU64(value).ToString() : err.ToString());
        }
    }

    private static uint IdOf(IBpfBackend b, int fd)
    {
        Assert.Equal(Errno.None, b.ProgGetInfo(fd, out ProgInfo info));
        return info.Id;
    }
}
