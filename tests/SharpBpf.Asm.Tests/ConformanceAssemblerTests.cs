namespace SharpBpf.Asm.Tests;

public class ConformanceAssemblerTests
{
    public static TheoryData<string> EncodingFiles => TestData.Theory(
        ["tests/lddw.data", "ubpf-tests/alu.data", "ubpf-tests/alu64.data", "ubpf-tests/jmp.data",
         "ubpf-tests/ldx.data", "ubpf-tests/st.data", "ubpf-tests/stx.data"]);

    public static TheoryData<string> UbpfFiles => TestData.Theory(TestData.DataFiles("ubpf-tests"));

    [Theory]
    [MemberData(nameof(EncodingFiles))]
    public void Assemble_EncodingFile_MatchesRawBitForBit(string file)
    {
        var test = TestData.Load(file);

        var assembled = ConformanceAssembler.Assemble(test.Asm!);

        Assert.NotNull(test.Raw);
        Assert.Equal(test.Raw!.Select(i => $"0x{i.Raw:x16}"), assembled.Select(i => $"0x{i.Raw:x16}"));
    }

    [Theory]
    [MemberData(nameof(UbpfFiles))]
    public void Load_UbpfFile_Parses(string file)
    {
        var test = TestData.Load(file);

        Assert.True(test.Program.Length > 0 || test.ExpectsError, $"{file}: no program");
    }

    [Theory]
    [InlineData("mov %r0, 0xffffffff", 0xffffffff000000b7UL)]
    [InlineData("mov %r0, -1", 0xffffffff000000b7UL)]
    [InlineData("mov32 %r1 0x7fffffff", 0x7fffffff000001b4UL)]
    [InlineData("sdiv %r1, %r2", 0x000000000001213fUL)]
    [InlineData("smod32 %r1, 3", 0x0000000300010194UL)]
    [InlineData("movsx1664 %r1, %r2", 0x00000000001021bfUL)]
    [InlineData("movsx832 %r1, %r2", 0x00000000000821bcUL)]
    [InlineData("bswap32 %r3", 0x00000020000003d7UL)]
    [InlineData("swap64 %r3", 0x00000040000003d7UL)]
    [InlineData("ldxsh %r0, [%r1-2]", 0x00000000fffe1089UL)]
    [InlineData("stdw [%r10-8], -1", 0xfffffffffff80a7aUL)]
    [InlineData("stxb [%r1], %r2", 0x0000000000002173UL)]
    [InlineData("lock fetch add32 [%r10-8], %r1", 0x00000001fff81ac3UL)]
    [InlineData("lock cmpxchg [%r1+0x10], %r2", 0x000000f1001021dbUL)]
    [InlineData("lock xchg32 [%r1], %r2", 0x000000e1000021c3UL)]
    [InlineData("ja +3", 0x0000000000030005UL)]
    [InlineData("ja -1", 0x00000000ffff0005UL)]
    [InlineData("ja32 +70000", 0x0001117000000006UL)]
    [InlineData("jsge32 %r1, -3, +2", 0xfffffffd00020176UL)]
    [InlineData("jset %r1, %r2, -4", 0x00000000fffc214dUL)]
    [InlineData("call 5", 0x0000000500000085UL)]
    [InlineData("call %r2", 0x000000000000028dUL)]
    [InlineData("call runtime 7", 0x0000000700002085UL)]
    [InlineData("ldabsh 12", 0x0000000c00000028UL)]
    [InlineData("ldindb %r3, 4", 0x0000000400003050UL)]
    [InlineData("exit", 0x0000000000000095UL)]
    public void Assemble_OneInstruction_EncodesExpectedWord(string line, ulong word)
    {
        var program = ConformanceAssembler.Assemble(line);

        Assert.Equal($"0x{word:x16}", $"0x{Assert.Single(program).Raw:x16}");
    }

    [Fact]
    public void Assemble_LabelsAndExitLabel_ResolveRelativeToNextSlot()
    {
        var program = ConformanceAssembler.Assemble("""
            L0:
            jeq %r1, 0, exit   # to the first exit
            lddw %r0, 0x1122334455667788
            ja L0
            exit
            exit
            """);

        Assert.Equal(6, program.Length);
        Assert.Equal(3, program[0].Offset);   // exit is slot 4: 4 - (0 + 1)
        Assert.Equal(-4, program[3].Offset);  // L0 is slot 0: 0 - (3 + 1)
    }

    [Fact]
    public void Assemble_CallLocal_PutsRelativeTargetInImm()
    {
        var program = ConformanceAssembler.Assemble("call local f\nexit\nf:\nexit");

        Assert.Equal(1, program[0].Src);
        Assert.Equal(1, program[0].Imm);
    }

    [Theory]
    [InlineData("lddw %r1, map_fd(3)", 1, 3L)]
    [InlineData("lddw %r1, map_value(3, 16)", 2, (16L << 32) | 3)]
    [InlineData("lddw %r1, map_idx_value(0, 8)", 6, 8L << 32)]
    [InlineData("lddw %r1, -1", 0, -1L)]
    [InlineData("lddw %r1, 0xffffffffffffffff", 0, -1L)]
    [InlineData("lddw %r1, 18446744073709551615", 0, -1L)]
    public void Assemble_LddwForms_EncodeSrcAndBothWords(string line, int src, long imm)
    {
        var insn = Assert.Single(Decoder.Decode(ConformanceAssembler.Assemble(line)));

        Assert.Equal(src, insn.Src);
        Assert.Equal(imm, insn.Imm);
    }

    [Theory]
    [InlineData("ldxq %r0, %r1", "unknown mnemonic 'ldxq'")]
    [InlineData("or %r0, %r50", "invalid register '%r50'")]
    [InlineData("ja NOT_A_LABEL", "unknown label 'NOT_A_LABEL'")]
    [InlineData("lock or [%r10-8]", "invalid number of operands for lock")]
    [InlineData("lock", "invalid number of operands for lock")]
    [InlineData("lock nand [%r1], %r2", "unknown atomic operation")]
    [InlineData("ldxb %r0, %r1", "expected a memory operand")]
    [InlineData("ldxb %r0, [%r1+0x10000]", "out of range")]
    [InlineData("ldxb %r0, [%r1+32768]", "out of range")]
    [InlineData("lddw %r0", "wrong operand count")]
    [InlineData("mov32 %r0, 2147483648", "out of range")]
    [InlineData("mov32 %r0, -2147483649", "out of range")]
    [InlineData("mov32 %r0, 0x100000000", "out of range")]
    [InlineData("movsx864 %r0, 5", "needs a register source")]
    [InlineData("exit %r0", "wrong operand count")]
    [InlineData("neg %r1, %r2", "wrong operand count")]
    [InlineData("ja +40000", "out of range")]
    [InlineData("mov %r0, 1x", "invalid immediate")]
    [InlineData("lddw %r0, 0x10000000000000000", "invalid 64-bit immediate")]
    [InlineData("lddw %r0, frob(1)", "unknown lddw operand")]
    [InlineData("call", "wrong operand count for call")]
    [InlineData("x:\nx:\nexit", "defined twice")]
    [InlineData("mov [%r1, 1", "unbalanced")]
    public void Assemble_BadLine_ThrowsNamingLineAndProblem(string text, string problem)
    {
        var ex = Assert.Throws<BpfAssemblyException>(() => ConformanceAssembler.Assemble("exit\n" + text));

        Assert.Contains(problem, ex.Reason);
        Assert.True(ex.Line >= 2, ex.Message);
        Assert.StartsWith($"line {ex.Line}: ", ex.Message);
    }

    [Fact]
    public void Assemble_RegistersUpTo15_AreEncodable()
    {
        // The upstream assembler accepts %r11-%r15 so that the validator's bad-register error can be tested.
        var insn = Assert.Single(ConformanceAssembler.Assemble("mov %r11, %r15"));

        Assert.Equal(11, insn.Dst);
        Assert.Equal(15, insn.Src);
    }
}
