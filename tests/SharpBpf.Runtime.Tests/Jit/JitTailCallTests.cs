using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Loading;
using SharpBpf.Maps;
using SharpBpf.Runtime.Tests.Programs;

namespace SharpBpf.Runtime.Tests.Jit;

/// <summary>
/// tail_chain.o (an entry and eight programs, each counting itself in <c>chain_hits</c> and tail-calling the next)
/// compiled, checked and trusted: EXPECTED.md's results after 1 and after 2,000 runs of one test run (more runs than
/// one read-side section covers).
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
}
