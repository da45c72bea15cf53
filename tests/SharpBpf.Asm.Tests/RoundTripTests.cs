namespace SharpBpf.Asm.Tests;

/// <summary>decode -> print -> assemble -> encode gives the same bytes, for every conformance program, in both dialects.</summary>
public class RoundTripTests
{
    public static TheoryData<string> ProgramFiles => TestData.Theory(
        TestData.DataFiles("tests").Concat(TestData.DataFiles("ubpf-tests"))
            // err-too-many-instructions.data (65,537 copies of one mov) adds no coverage, only seconds.
            .Where(f => TestData.Load(f).Program.Length is > 0 and <= 4096));

    [Theory]
    [MemberData(nameof(ProgramFiles))]
    public void KernelSyntax_EveryInstruction_RoundTrips(string file)
    {
        var program = TestData.Load(file).Program;
        if (!Validator.TryValidate(program, out _))
            program = ValidPrefix(program);

        var text = string.Join('\n', Decoder.Decode(program).Select(i => Disassembler.Format(i)));
        var again = KernelSyntaxAssembler.Assemble(text);

        SlotAssert.Equal(program, again, file);
    }

    [Theory]
    [MemberData(nameof(ProgramFiles))]
    public void KernelSyntax_BpftoolStyleListing_RoundTrips(string file)
    {
        var program = TestData.Load(file).Program;
        if (!Validator.TryValidate(program, out _))
            program = ValidPrefix(program);

        var again = KernelSyntaxAssembler.Assemble(Disassembler.Format(program));

        SlotAssert.Equal(program, again, file);
    }

    [Theory]
    [MemberData(nameof(ProgramFiles))]
    public void ConformanceSyntax_EveryInstruction_RoundTrips(string file)
    {
        var program = TestData.Load(file).Program;
        if (!Validator.TryValidate(program, out _))
            program = ValidPrefix(program);

        var again = ConformanceAssembler.Assemble(ConformanceDisassembler.Format(program));

        SlotAssert.Equal(program, again, file);
    }

    [Fact]
    public void RoundTrip_CoversEveryOperationTheSuiteUses()
    {
        // Guards the theories above against silently testing little: the suite's programs use most operations.
        var used = TestData.DataFiles("tests").SelectMany(f => Decoder.Decode(TestData.Load(f).Program)).Select(i => i.Op).ToHashSet();

        Assert.True(used.Count >= 150, $"only {used.Count} distinct operations");
    }

    // Error files may hold undecodable or malformed slots: keep the instructions before the first bad one (those
    // still must round-trip), as long as they are well-formed on their own.
    private static Instruction[] ValidPrefix(Instruction[] program)
    {
        var decoded = Decoder.Decode(program);
        var keep = new List<Instruction>();
        foreach (var insn in decoded)
        {
            if (insn.Op == Op.Invalid || insn.Pc + insn.SlotCount > program.Length || insn.Dst > 10 || insn.Src > 10)
                break;
            if (insn.Op == Op.Lddw && (program[insn.Pc + 1].Opcode != 0 || program[insn.Pc + 1].Registers != 0 || program[insn.Pc + 1].Offset != 0))
                break;
            keep.AddRange(program.AsSpan(insn.Pc, insn.SlotCount));
        }

        return [.. keep];
    }
}
