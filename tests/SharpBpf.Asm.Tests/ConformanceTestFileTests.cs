namespace SharpBpf.Asm.Tests;

public class ConformanceTestFileTests
{
    public static TheoryData<string> SuiteFiles => TestData.Theory(TestData.DataFiles("tests"));

    [Theory]
    [MemberData(nameof(SuiteFiles))]
    public void Load_SuiteFile_HasProgramAndResult(string file)
    {
        var test = TestData.Load(file);

        Assert.NotEmpty(test.Program);
        Assert.NotNull(test.ExpectedResult);
        Assert.False(test.ExpectsError);
        Assert.NotNull(test.Asm);
    }

    [Fact]
    public void Load_SuiteFiles_MatchIndexTsv()
    {
        // INDEX.tsv (written independently of this parser) lists memory size and expected r0 for every file.
        var rows = File.ReadAllLines(Path.Combine(TestData.Conformance, "INDEX.tsv")).Skip(1)
            .Select(l => l.Split('\t')).Where(c => c.Length >= 5).ToList();
        Assert.Equal(313, rows.Count);
        foreach (var cols in rows)
        {
            var test = TestData.Load(Path.Combine("tests", cols[0]));
            Assert.True(int.Parse(cols[3]) == (test.Memory?.Length ?? 0), $"{cols[0]}: memory size");
            Assert.True(Convert.ToUInt64(cols[4], 16) == test.ExpectedResult, $"{cols[0]}: expected r0");
        }
    }

    [Fact]
    public void Parse_MemAndResultAfterResult_ReadsBoth()
    {
        var test = ConformanceTestFile.Parse("-- asm\nexit\n-- result\n0x1\n0X2 # last line wins\n-- mem\naa bb\ncc\n");

        Assert.Equal(2UL, test.ExpectedResult);
        Assert.Equal(new byte[] { 0xaa, 0xbb, 0xcc }, test.Memory);
    }

    [Fact]
    public void Parse_DecimalResult_Reads()
    {
        Assert.Equal(0UL, ConformanceTestFile.Parse("-- asm\nexit\n-- result\n0\n").ExpectedResult);
    }

    [Fact]
    public void Load_LddwFile_RawAndAsmAgree()
    {
        var test = TestData.Load("tests/lddw.data");

        Assert.NotNull(test.Raw);
        Assert.Equal(new ulong[] { 0x5566778800000018, 0x1122334400000000, 0x95 }, test.Raw!.Select(i => i.Raw));
        Assert.Equal(test.Raw, ConformanceAssembler.Assemble(test.Asm!));
    }

    [Theory]
    [InlineData("negative/unused-exit-offset.data", new ulong[] { 0x0000000000010095, 0x95 })]
    [InlineData("negative/unused-add64_imm-offset.data", new ulong[] { 0x0000000100010007 })]
    public void Load_ByteDumpRaw_ReadsBytesInMemoryOrder(string file, ulong[] firstWords)
    {
        var test = TestData.Load(file);

        Assert.True(test.ExpectsError);
        Assert.Equal("", test.ErrorText);
        Assert.Equal(firstWords, test.Program.Take(firstWords.Length).Select(i => i.Raw));
    }

    [Fact]
    public void Load_AsmAndMemFromFiles_ReadsTcpdumpLayout()
    {
        var test = TestData.Load("ubpf-tests/tcp-sack/match.data");

        Assert.NotEmpty(test.Program);
        Assert.Equal(0x1UL, test.ExpectedResult);
        Assert.NotNull(test.Memory);
        // pkt-sack.hex starts "0x0000:  0026 622f 4787 ..."
        Assert.Equal(new byte[] { 0x00, 0x26, 0x62, 0x2f, 0x47, 0x87 }, test.Memory![..6]);
        Assert.Equal(78, test.Memory.Length);
    }

    [Fact]
    public void Load_UbpfErrorPatternFile_ReadsPatternNoJitAndResult()
    {
        var test = TestData.Load("ubpf-tests/errors/err-stack-oob.data");

        Assert.True(test.ExpectsError);
        Assert.Null(test.ErrorText);
        Assert.Equal("uBPF error: out of bounds memory store at PC 0, addr .*, size 1", test.ErrorPattern);
        Assert.True(test.NoJit);
        Assert.Equal(ulong.MaxValue, test.ExpectedResult);
    }

    [Fact]
    public void Load_ReloadFile_SetsReload()
    {
        Assert.True(TestData.Load("ubpf-tests/reload.data").Reload);
        Assert.True(TestData.Load("ubpf-tests/unload_reload.data").Unload);
    }

    [Fact]
    public void Load_NoRegisterOffsetBetweenMemAndResult_EndsMem()
    {
        var test = TestData.Load("tests/mem-len.data");

        Assert.Equal(8, test.Memory!.Length);
        Assert.Contains("no register offset", test.Sections);
    }

    [Theory]
    [InlineData("negative/invalid_unknown_directive.data", 4)]
    [InlineData("negative/invalid_mnemonic.data", 5)]
    [InlineData("negative/invalid_register.data", 4)]
    [InlineData("negative/invalid_label.data", 4)]
    [InlineData("negative/invalid_lock.data", 4)]
    [InlineData("negative/invalid_lock2.data", 4)]
    [InlineData("negative/invalid_offset.data", 4)]
    [InlineData("negative/invalid_offset_range.data", 5)]
    [InlineData("negative/invalid_operand_count.data", 4)]
    [InlineData("negative/invalid_imm32_dec_range.data", 5)]
    [InlineData("negative/invalid_imm32_hex_range.data", 5)]
    public void Load_InvalidAssemblyFile_ThrowsNamingFileAndLine(string file, int line)
    {
        var ex = Assert.Throws<BpfAssemblyException>(() => TestData.Load(file));

        Assert.Equal(line, ex.Line);
        Assert.Contains(Path.GetFileName(file), ex.Message);
        Assert.Contains($":{line}:", ex.Message);
    }

    [Fact]
    public void Load_EmptyFile_HasEmptyProgram()
    {
        var test = TestData.Load("negative/empty.data");

        Assert.Empty(test.Program);
        Assert.Null(test.ExpectedResult);
    }

    [Fact]
    public void Parse_TextOutsideSection_Throws()
    {
        var ex = Assert.Throws<BpfAssemblyException>(() => ConformanceTestFile.Parse("# c\nexit\n"));

        Assert.Equal(2, ex.Line);
    }

    [Fact]
    public void Parse_BadMemoryByte_ThrowsWithLine()
    {
        var ex = Assert.Throws<BpfAssemblyException>(() => ConformanceTestFile.Parse("-- asm\nexit\n-- mem\naa\nzz\n"));

        Assert.Equal(5, ex.Line);
    }

    [Fact]
    public void Parse_AsmFileWithoutDirectory_Throws()
    {
        Assert.Throws<BpfAssemblyException>(() => ConformanceTestFile.Parse("-- asm @ x.asm\n-- result\n0\n"));
    }
}
