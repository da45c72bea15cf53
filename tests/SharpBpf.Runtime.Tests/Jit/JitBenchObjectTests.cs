using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Runtime.Tests.Programs;

namespace SharpBpf.Runtime.Tests.Jit;

/// <summary>
/// The bench objects (testdata/bench/*.o) loaded in <see cref="ExecutionMode.Jit"/> and
/// <see cref="ExecutionMode.JitTrusted"/> and run through BPF_PROG_TEST_RUN: the kernel's results of
/// shared/bench/EXPECTED.md (array_hist and array_sum exercise the inlined ARRAY / PERCPU_ARRAY lookups,
/// global_data the constant map-value pointers).
/// </summary>
public class JitBenchObjectTests
{
    public static TheoryData<ExecutionMode> Modes => new(ExecutionMode.Jit, ExecutionMode.JitTrusted);

    public static TheoryData<string, string, uint, ExecutionMode> Stateless
    {
        get
        {
            var data = new TheoryData<string, string, uint, ExecutionMode>();
            foreach (var mode in new[] { ExecutionMode.Jit, ExecutionMode.JitTrusted })
            {
                data.Add("nop.o", "nop", 2u, mode);
                data.Add("alu_loop.o", "alu_loop", 190592439u, mode);
                data.Add("alu_ilp.o", "alu_ilp", 1827812792u, mode);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Stateless))]
    public void StatelessProgram_Jit_KernelResult(string file, string name, uint expected, ExecutionMode mode)
    {
        using var kit = new ProgramTestKit();
        var prog = BenchObjects.Open(kit, file).Load(name, mode);

        Assert.Equal(expected, kit.Run(prog).Retval);
        Assert.Equal(expected, kit.Run(prog, repeat: 100).Retval);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void ArrayHist_Jit_1And1000Runs_KernelCounts(ExecutionMode mode)
    {
        using var kit = new ProgramTestKit();
        var bench = BenchObjects.Open(kit, "array_hist.o");
        var prog = bench.Load("array_hist", mode);
        var counter = bench.MapFd("hist_counter");
        var slots = bench.MapFd("hist_slots");

        Assert.Equal(24u, kit.Run(prog).Retval);
        Assert.Equal(1ul, kit.LookupPerCpu(slots, 24).Aggregate((a, b) => a + b));
        Assert.Equal(57u, kit.Run(prog, 999).Retval);

        Assert.Equal(1000ul, kit.LookupU64(counter, 0));
        var total = Enumerable.Range(0, 64).Sum(s => (long)kit.LookupPerCpu(slots, (uint)s).Aggregate((a, b) => a + b));
        Assert.Equal(1000L, total);
        Assert.Equal(39ul, kit.LookupPerCpu(slots, 57).Aggregate((a, b) => a + b));
        Assert.Equal(31ul, kit.LookupPerCpu(slots, 31).Aggregate((a, b) => a + b));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void ArraySum_Jit_KernelSumAndMapUnchanged(ExecutionMode mode)
    {
        using var kit = new ProgramTestKit();
        var bench = BenchObjects.Open(kit, "array_sum.o");
        var prog = bench.Load("array_sum", mode);
        var map = bench.MapFd("sum_vals");
        for (var k = 0u; k < 256; k++)
            Assert.Equal(Errno.None, kit.Backend.MapUpdateElem(map, ProgramTestKit.Key(k), ProgramTestKit.U64((k + 1) * (k + 1)), 0));

        Assert.Equal(5625216u, kit.Run(prog).Retval);
        Assert.Equal(5625216u, kit.Run(prog, repeat: 100).Retval);
        for (var k = 0u; k < 256; k++)
            Assert.Equal((k + 1UL) * (k + 1), kit.LookupU64(map, k));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void GlobalData_Jit_1And1000Runs_KernelState(ExecutionMode mode)
    {
        using var kit = new ProgramTestKit();
        var bench = BenchObjects.Open(kit, "global_data.o");
        var prog = bench.Load("global_data", mode);
        var bss = bench.MapFd("global_d.bss");
        var data = bench.MapFd("global_d.data");

        Assert.Equal(50444617u, kit.Run(prog).Retval);
        Assert.Equal(433315962919513060ul, kit.LookupU64(data, 0));
        Assert.Equal(919464610u, kit.Run(prog, 999).Retval);
        Assert.Equal(1000ul, kit.LookupU64(bss, 0));
        Assert.Equal(7898140859989670483ul, kit.LookupU64(data, 0));
    }

    [Fact]
    public void RodataStore_JitChecked_FaultsLikeTheInterpreter()
    {
        using var kit = new ProgramTestKit();
        var bench = BenchObjects.Open(kit, "global_data.o");
        var rodata = bench.MapFd("global_d.rodata");
        Asm.Instruction[] insns = [.. ProgramAsm.LdMapValue(ProgramAsm.R1, rodata, 0), ProgramAsm.StDw(ProgramAsm.R1, 0, 1),
            .. ProgramAsm.ReturnConstant(2)];
        var err = kit.Backend.ProgLoad(new ProgLoadAttr
        {
            Type = ProgramType.Xdp, Instructions = insns, License = "GPL", ExecutionMode = ExecutionMode.Jit,
        }, out var prog, out var log);
        Assert.True(err == Errno.None, log);

        Assert.Equal(Errno.EFAULT, kit.Backend.ProgTestRun(prog, new TestRunAttr { DataIn = ProgramTestKit.Packet }, out _));
        Assert.Equal(6364136223846793005ul, kit.LookupU64(rodata, 0));
    }
}
