using SharpBpf.Asm;
using SharpBpf.Cli.Conformance;

namespace SharpBpf.Conformance.Tests;

/// <summary>
/// The bpf_conformance suite (all 313 files must pass, including the 12 shift-by-out-of-range-constant tests and
/// callx.data that Linux refuses: we follow RFC 9669) and uBPF's tests that expect a result or an error, one case per
/// file, through the interpreter.
/// </summary>
public class InterpreterConformanceTests
{
    public static TheoryData<string> SuiteFiles => new(TestData.Files(TestData.SuiteDirectory));

    // uBPF files with an outcome to check (the six assembler-encoding files have none).
    public static TheoryData<string> UbpfFiles => new(TestData.Files(TestData.UbpfDirectory).Where(f =>
    {
        var test = ConformanceTestFile.Load(TestData.Full(f));
        return test.ExpectsError || test.ExpectedResult is not null;
    }));

    [Theory]
    [MemberData(nameof(SuiteFiles))]
    public void BpfConformance_File_Passes(string file)
    {
        var result = ConformanceRunner.Run(TestData.Full(file));

        Assert.True(result.Verdict == ConformanceVerdict.Passed, $"{file}: {result.Verdict}: {result.Message}");
    }

    [SkippableTheory]
    [MemberData(nameof(UbpfFiles))]
    public void Ubpf_File_Passes(string file)
    {
        Skip.If(ConformanceRunner.SkipReason(file) is not null, ConformanceRunner.SkipReason(file));

        var result = ConformanceRunner.Run(TestData.Full(file));

        Assert.True(result.Verdict == ConformanceVerdict.Passed, $"{file}: {result.Verdict}: {result.Message}");
    }

    [Fact]
    public void Suite_Files_AreAll313()
    {
        Assert.Equal(313, TestData.Files(TestData.SuiteDirectory).Count());
    }

    [Fact]
    public void KnownSkips_EachNamesAnExistingUbpfFile()
    {
        foreach (var suffix in ConformanceRunner.KnownSkips.Keys)
            Assert.True(File.Exists(TestData.Full(suffix)), $"skip entry without a file: {suffix}");
    }

    [Fact]
    public void Runner_WrongExpectedResult_Fails()
    {
        var test = ConformanceTestFile.Parse("-- asm\nmov %r0, 1\nexit\n-- result\n0x2\n");

        var result = ConformanceRunner.Run("inline", test);

        Assert.Equal(ConformanceVerdict.Failed, result.Verdict);
        Assert.Contains("expected 0x2", result.Message);
    }

    [Fact]
    public void Runner_ExpectedErrorButProgramRuns_Fails()
    {
        var test = ConformanceTestFile.Parse("-- asm\nmov %r0, 1\nexit\n-- error\nsomething\n");

        Assert.Equal(ConformanceVerdict.Failed, ConformanceRunner.Run("inline", test).Verdict);
    }

    [Fact]
    public void Runner_Memory_IsACopy()
    {
        var test = ConformanceTestFile.Parse("-- asm\nstb [%r1], 9\nldxb %r0, [%r1]\nexit\n-- mem\n01 02\n-- result\n0x9\n");

        Assert.Equal(ConformanceVerdict.Passed, ConformanceRunner.Run("inline", test).Verdict);
        Assert.Equal(1, test.Memory![0]);
    }
}
