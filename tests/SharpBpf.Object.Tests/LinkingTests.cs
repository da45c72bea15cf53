using SharpBpf.Abi;

namespace SharpBpf.Object.Tests;

/// <summary>bpf-to-bpf calls in testdata/objects/subprogs.c.</summary>
public class LinkingTests
{
    private const byte OpCall = 0x85;

    [Fact]
    public void Read_Subprogs_XdpProgramAppendsReachedSubprogramsDepthFirst()
    {
        var spec = TestData.Read("objects/subprogs.o");

        var p = spec.FindProgram("calls_xdp")!;

        // Source order of first use: bpf_loop(loop_body), bump (which calls mix), then global_add.
        Assert.Equal(["calls_xdp", "loop_body", "bump", "mix", "global_add"], p.FuncInfos.Select(f => f.Name));
        Assert.Equal(ProgramType.Xdp, p.Type);
    }

    [Fact]
    public void Read_Subprogs_TcProgramGetsItsOwnCopyWithoutUnusedCallback()
    {
        var spec = TestData.Read("objects/subprogs.o");

        var p = spec.FindProgram("calls_tc")!;

        Assert.Equal(["calls_tc", "bump", "mix", "global_add"], p.FuncInfos.Select(f => f.Name));
        Assert.Equal(ProgramType.SchedCls, p.Type);
        Assert.Equal(Assert.Single(p.MapRelocations).Slot, p.FuncInfos.Single(f => f.Name == "bump").Slot + 4);
    }

    [Fact]
    public void Read_Subprogs_StaticSubprogramCalledTwiceIsAppendedOnce()
    {
        var spec = TestData.Read("objects/subprogs.o");
        var p = spec.FindProgram("calls_xdp")!;
        int bump = p.FuncInfos.Single(f => f.Name == "bump").Slot;

        var callsToBump = Enumerable.Range(0, p.Instructions.Length)
            .Where(i => p.Instructions[i].Opcode == OpCall && p.Instructions[i].Src == 1 && i + p.Instructions[i].Imm + 1 == bump)
            .ToList();

        Assert.Equal(2, callsToBump.Count);
        Assert.Single(p.FuncInfos, f => f.Name == "bump");
    }

    [Fact]
    public void Read_Subprogs_MapUsedInsideSubprogramIsRelocatedAtTheCopy()
    {
        var spec = TestData.Read("objects/subprogs.o");

        foreach (var p in spec.Programs)
        {
            var r = Assert.Single(p.MapRelocations);
            Assert.Equal("totals", r.MapName);
            Assert.Equal(p.FuncInfos.Single(f => f.Name == "bump").Slot + 4, r.Slot);
            Assert.Equal(0x18, p.Instructions[r.Slot].Opcode);
        }
    }

    [Fact]
    public void Read_Subprogs_CallbackAddressBecomesPseudoFunc()
    {
        var spec = TestData.Read("objects/subprogs.o");
        var p = spec.FindProgram("calls_xdp")!;

        var lddw = p.Instructions[5];

        Assert.Equal(0x18, lddw.Opcode);
        Assert.Equal(4, lddw.Src); // BPF_PSEUDO_FUNC, as libbpf marks it
        Assert.Equal(p.FuncInfos.Single(f => f.Name == "loop_body").Slot, 5 + lddw.Imm + 1);
        Assert.Equal(0, p.Instructions[6].Imm);
    }

    [Fact]
    public void LineAt_SlotInsideCopiedSubprogram_GivesTheSubprogramSourceLine()
    {
        var spec = TestData.Read("objects/subprogs.o");
        var p = spec.FindProgram("calls_tc")!;
        int mix = p.FuncInfos.Single(f => f.Name == "mix").Slot;
        string[] source = File.ReadAllLines(TestData.Objects("subprogs.c"));

        // mix's first body instruction: `x ^= x >> 31;`
        var line = p.LineAt(mix + 1);

        Assert.NotNull(line);
        Assert.Equal("./subprogs.c", line.FileName);
        Assert.Equal(source[line.Line - 1].Trim(), line.LineText.Trim());
        Assert.Contains("x >> 31", line.LineText, StringComparison.Ordinal);
        Assert.True(line.Column > 0);
    }

    [Fact]
    public void LineAt_OutsideTheProgram_IsNull()
    {
        var p = TestData.Read("bench/nop.o").Programs[0];

        Assert.Null(p.LineAt(-1));
        Assert.Null(p.LineAt(p.Instructions.Length));
        Assert.NotNull(p.LineAt(p.Instructions.Length - 1));
    }

    [Fact]
    public void LineAt_EveryRecordedLineIsTheLineOfTheCFile()
    {
        foreach (var obj in TestData.AllObjects())
        {
            string[] source = File.ReadAllLines(TestData.PathOf(obj)[..^2] + ".c");
            foreach (var p in TestData.Read(obj).Programs)
            {
                foreach (var li in p.LineInfos.Where(l => l.Source.Line > 0))
                    Assert.Equal(source[li.Source.Line - 1], li.Source.LineText);
            }
        }
    }
}
