using SharpBpf.Asm;
using SharpBpf.Cli.Conformance;

namespace SharpBpf.Conformance.Tests;

/// <summary>
/// The same files as <see cref="InterpreterConformanceTests"/>, compiled by the IL JIT in checked mode: all 313
/// bpf_conformance files and uBPF's result/error files must pass.
/// </summary>
public class JitConformanceTests
{
    public static TheoryData<string> SuiteFiles => InterpreterConformanceTests.SuiteFiles;

    public static TheoryData<string> UbpfFiles => InterpreterConformanceTests.UbpfFiles;

    [Theory]
    [MemberData(nameof(SuiteFiles))]
    public void BpfConformance_FileInJit_Passes(string file)
    {
        var result = ConformanceRunner.Run(TestData.Full(file), ConformanceEngine.Jit);

        Assert.True(result.Verdict == ConformanceVerdict.Passed, $"{file}: {result.Verdict}: {result.Message}");
    }

    [SkippableTheory]
    [MemberData(nameof(UbpfFiles))]
    public void Ubpf_FileInJit_Passes(string file)
    {
        Skip.If(ConformanceRunner.SkipReason(file) is not null, ConformanceRunner.SkipReason(file));

        var result = ConformanceRunner.Run(TestData.Full(file), ConformanceEngine.Jit);

        Assert.True(result.Verdict == ConformanceVerdict.Passed, $"{file}: {result.Verdict}: {result.Message}");
    }

    [Fact]
    public void Runner_WrongExpectedResultInJit_Fails()
    {
        var test = ConformanceTestFile.Parse("-- asm\nmov %r0, 1\nexit\n-- result\n0x2\n");

        var result = ConformanceRunner.Run("inline", test, ConformanceEngine.Jit);

        Assert.Equal(ConformanceVerdict.Failed, result.Verdict);
        Assert.Contains("expected 0x2", result.Message);
    }
}
