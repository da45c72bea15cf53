namespace SharpBpf.Asm.Tests;

/// <summary>
/// Compares the printers with real tools' output checked in under testdata/asm (regenerate with make_golden.sh and
/// make_kernel_syntax.sh there): llvm-objdump-14 for every object in testdata/bench and testdata/objects, and
/// bpftool's xlated dump of kernel_syntax.o as loaded by Linux.
/// </summary>
public class DisassemblerGoldenTests
{
    public static TheoryData<string> Goldens => TestData.Theory(
        Directory.EnumerateFiles(TestData.Path_("asm"), "*.objdump*.txt").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    // x.objdump.txt was made without features, x.objdump-alu32.txt with --mattr=+alu32.
    private static DisassemblySyntax SyntaxFor(string golden) =>
        golden.EndsWith("-alu32.txt", StringComparison.Ordinal) ? DisassemblySyntax.LlvmAlu32 : DisassemblySyntax.Llvm;

    private static string ObjectFor(string golden)
    {
        var stem = golden[..golden.IndexOf(".objdump", StringComparison.Ordinal)];
        if (stem == "kernel_syntax")
            return TestData.Path_("asm", "kernel_syntax.o");
        var dir = stem[..stem.IndexOf('_', StringComparison.Ordinal)];
        return TestData.Path_(dir, stem[(dir.Length + 1)..] + ".o");
    }

    [Theory]
    [MemberData(nameof(Goldens))]
    public void Format_LlvmSyntax_MatchesLlvmObjdump(string golden)
    {
        var expected = File.ReadAllLines(TestData.Path_("asm", golden));

        var actual = new List<string>();
        foreach (var (name, code) in MiniElf.ExecutableSections(ObjectFor(golden)))
        {
            actual.Add($"Disassembly of section {name}:");
            actual.AddRange(Disassembler.Format(code, SyntaxFor(golden)).TrimEnd('\n').Split('\n'));
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Format_KernelSyntax_MatchesBpftoolXlated()
    {
        var expected = File.ReadAllText(TestData.Path_("asm", "kernel_syntax.xlated.txt"));
        var (_, code) = Assert.Single(MiniElf.ExecutableSections(TestData.Path_("asm", "kernel_syntax.o")));

        var actual = Disassembler.Format(code);

        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Goldens))]
    public void Assemble_LlvmObjdumpListing_GivesObjectBytesExceptCalls(string golden)
    {
        // objdump prints local and helper calls alike ("call N"); everything else reads back to the object's bytes.
        var sections = File.ReadAllText(TestData.Path_("asm", golden)).Split("Disassembly of section ", StringSplitOptions.RemoveEmptyEntries);
        var objects = MiniElf.ExecutableSections(ObjectFor(golden));
        Assert.Equal(objects.Count, sections.Length);
        for (var s = 0; s < sections.Length; s++)
        {
            var expected = objects[s].Code;

            var actual = KernelSyntaxAssembler.Assemble(sections[s][(sections[s].IndexOf('\n') + 1)..]);

            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < expected.Length; i++)
            {
                var want = expected[i].Opcode == 0x85 ? expected[i] with { Registers = 0 } : expected[i];
                Assert.True(want == actual[i], $"{golden} section {s} slot {i}: expected {want}, got {actual[i]}");
            }
        }
    }

    [Fact]
    public void Assemble_BpftoolXlatedListing_GivesObjectBytes()
    {
        var (_, code) = Assert.Single(MiniElf.ExecutableSections(TestData.Path_("asm", "kernel_syntax.o")));

        var actual = KernelSyntaxAssembler.Assemble(File.ReadAllText(TestData.Path_("asm", "kernel_syntax.xlated.txt")));

        Assert.Equal(code, actual);
    }
}
