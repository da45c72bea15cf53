using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Loading;
using SharpBpf.Maps;
using SharpBpf.Runtime.Tests.Programs;

namespace SharpBpf.Runtime.Tests.Jit;

/// <summary>
/// tail_chain.o (an entry and eight programs, each counting itself in <c>chain_hits</c> and tail-calling the next)
/// compiled, checked and trusted: EXPECTED.md's results after 1 and after 2,000 runs of one test run (more runs than
/// one read-side section covers); and a tail call from a subprogram, whose target takes the subprogram's place and
/// returns to its caller (measured on Linux 6.18: see the differential TailCallFromSubprogram test).
/// </summary>
public class JitTailCallTests
{
    public static TheoryData<ExecutionMode, uint> Runs => new()
    {
        { ExecutionMode.Jit, 1 },
        { ExecutionMode.Jit, 2000 },
        { ExecutionMode.JitTrusted, 1 },
        { ExecutionMode.JitTrusted, 2000 },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void TailChain_Compiled_EveryLinkRunsOncePerRun(ExecutionMode mode, uint runs)
    {
        using var kit = new ProgramTestKit();
        using var collection = CollectionLoader.LoadFile(kit.Backend, BenchObjects.PathOf("tail_chain.o"),
            new CollectionLoadOptions { UnknownSectionType = ProgramType.Xdp, ExecutionMode = mode });
        using (var chain = new ProgramArray(collection.Map("chain_progs"), ownsMap: false))
        {
            for (uint i = 0; i < 8; i++)
                chain.Set(i, collection.Program($"tail_{i}").Fd);
        }

        var result = collection.Program("tail_entry").TestRun(ProgramTestKit.Packet, runs);

        Assert.Equal(2u, result.ReturnValue);
        using var hits = collection.ArrayMap<ulong>("chain_hits");
        for (uint i = 0; i < 8; i++)
            Assert.Equal(runs, hits[i]);
    }

    public static TheoryData<ExecutionMode> AllModes => new(ExecutionMode.Interpreter, ExecutionMode.Jit, ExecutionMode.JitTrusted);

    [Theory]
    [MemberData(nameof(AllModes))]
    public void TailCallFromSubprogram_TargetReturnsToTheCaller_CallerRegistersKept(ExecutionMode mode)
    {
        using var kit = new ProgramTestKit();
        var progs = kit.CreateMap(MapType.ProgArray, 4, 4);
        var main = Load(kit, mode,
        [
            new(0xb7, 6, 0, 0, 1000),   // r6 = 1000 (callee-saved: the target must not change it for main)
            new(0x85, 0, 1, 0, 3),      // call sub (pc 5)
            new(0x0f, 0, 6, 0, 0),      // r0 += r6
            new(0x07, 0, 0, 0, 100),    // r0 += 100
            new(0x95, 0, 0, 0, 0),      // exit
            new(0x18, 2, 1, 0, progs),  // sub: r2 = progs
            new(0x00, 0, 0, 0, 0),
            new(0xb7, 3, 0, 0, 0),      // r3 = 0
            new(0x85, 0, 0, 0, 12),     // bpf_tail_call(ctx, progs, 0)
            new(0xb7, 0, 0, 0, 5),      // r0 = 5 (empty slot: falls through)
            new(0x95, 0, 0, 0, 0),
        ]);
        Assert.Equal(1105u, kit.Run(main).Retval);

        // The target clobbers r6 and returns 222 to main, which goes on: 222 + 1000 + 100.
        var target = Load(kit, mode, [new(0xb7, 6, 0, 0, 7), new(0xb7, 0, 0, 0, 222), new(0x95, 0, 0, 0, 0)]);
        Assert.Equal(Errno.None, kit.Backend.MapUpdateElem(progs, ProgramTestKit.Key(0), BitConverter.GetBytes(target), 0));

        Assert.Equal(1322u, kit.Run(main).Retval);
        Assert.Equal(1322u, kit.Run(main, 3000).Retval);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public void SelfTailCalling_Runs34TimesPerRun_AsTheInterpreter(ExecutionMode mode)
    {
        // Compiled code jumps to a compiled target directly (tail. call); the 33-call limit still holds.
        using var kit = new ProgramTestKit();
        var counter = kit.CreateArray();
        var progs = kit.CreateMap(MapType.ProgArray, 4, 4);
        var self = Load(kit, mode, FdArrays.TailCallTests.SelfCounting(counter, progs));
        Assert.Equal(Errno.None, kit.Backend.MapUpdateElem(progs, ProgramTestKit.Key(0), BitConverter.GetBytes(self), 0));

        Assert.Equal(7u, kit.Run(self, 1000).Retval);
        Assert.Equal(34_000UL, kit.LookupU64(counter, 0));
    }

    private static int Load(ProgramTestKit kit, ExecutionMode mode, Instruction[] insns)
    {
        var err = kit.Backend.ProgLoad(new ProgLoadAttr { Type = ProgramType.Xdp, Instructions = insns, License = "GPL", ExecutionMode = mode },
            out var fd, out var log);
        Assert.True(err == Errno.None, $"load failed: {err} {log}");
        return fd;
    }
}
