using SharpBpf.Abi;
using SharpBpf.Asm;

namespace SharpBpf.Object.Tests;

/// <summary>Specs built by hand, as a loader's tests would build them around assembled code.</summary>
public class SpecConstructionTests
{
    private static readonly Instruction[] ReturnTwo = [new(0xb7, 0, 0, 0, 2), new(0x95, 0, 0, 0, 0)];

    [Fact]
    public void ProgramSpec_HandBuilt_LineAtUsesTheGivenRecords()
    {
        var line = new SourceLine("a.c", 3, 1, "return 2;");

        var p = new ProgramSpec("p", "xdp", ProgramType.Xdp, AttachType.Xdp, ReturnTwo, lineInfos: [new LineInfo(1, line)]);

        Assert.Null(p.LineAt(0));
        Assert.Same(line, p.LineAt(1));
        Assert.Empty(p.MapRelocations);
        Assert.Equal("", p.License);
    }

    [Fact]
    public void ProgramSpec_LineInfoOutOfOrder_Rejected()
    {
        var a = new LineInfo(1, new SourceLine("a.c", 2, 0, ""));
        var b = new LineInfo(0, new SourceLine("a.c", 1, 0, ""));

        Assert.Throws<ArgumentException>(() => new ProgramSpec("p", "xdp", ProgramType.Xdp, null, ReturnTwo, lineInfos: [a, b]));
    }

    [Fact]
    public void CollectionSpec_HandBuilt_FindsByName()
    {
        var map = new MapSpec { Name = "m", Type = MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = 1 };
        var prog = new ProgramSpec("p", "xdp", ProgramType.Xdp, null, ReturnTwo);

        var spec = new CollectionSpec([map], [prog], "GPL");

        Assert.Same(map, spec.FindMap("m"));
        Assert.Same(prog, spec.FindProgram("p"));
        Assert.Null(spec.FindMap("p"));
        Assert.Null(spec.Btf);
    }

    [Fact]
    public void GlobalDataMapName_FollowsLibbpfInternalMapName()
    {
        Assert.Equal("global_d.rodata", BpfObjectReader.GlobalDataMapName("global_data", ".rodata"));
        Assert.Equal("global_d.bss", BpfObjectReader.GlobalDataMapName("global_data", ".bss"));
        Assert.Equal("nop.data", BpfObjectReader.GlobalDataMapName("nop", ".data"));
        Assert.Equal(".rodata.str1.1", BpfObjectReader.GlobalDataMapName("whatever", ".rodata.str1.1"));
        Assert.Equal(".rodata.abracad", BpfObjectReader.GlobalDataMapName("x", ".rodata.abracadabra")); // libbpf's own example
        Assert.Equal("my_obj_.data", BpfObjectReader.GlobalDataMapName("my-obj!", ".data"));
        Assert.Equal(".data", BpfObjectReader.GlobalDataMapName("", ".data"));
    }

    [Theory]
    [InlineData("/tmp/global_data.o", "global_data")]
    [InlineData("tail_chain.bpf.o", "tail_chain")]
    [InlineData("a_very_long_object_name.o", "a_very_long_obj")]
    [InlineData("noext", "noext")]
    public void ObjectNameFromPath_BaseNameUpToFirstDotAtMost15(string path, string expected)
    {
        Assert.Equal(expected, BpfObjectReader.ObjectNameFromPath(path));
    }
}
