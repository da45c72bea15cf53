using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Diff;
using SharpBpf.Linux.Tests.Support;
using SharpBpf.Runtime;
using Xunit.Abstractions;

namespace SharpBpf.Linux.Tests.Differential;

/// <summary>
/// Every conformance program (testdata/conformance/tests) through the harness of VERIFY.md on the kernel and on the
/// userspace backend: XDP, a wrapper that calls the body as a local function and stores the 64-bit r0 into a
/// one-entry array via lddw src=2, the packet prolog when the test has memory (<see cref="ConformanceHarness"/>). Both r0s must equal the file's result;
/// the kernel may refuse only the programs listed in <see cref="KnownDivergences"/>.
/// </summary>
public sealed class ConformanceDifferentialTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void ConformancePrograms_KernelAndUserspace_SameR0()
    {
        KernelTestBase.RequireKernel();
        using var kernel = new LinuxBackend();
        using var user = new UserspaceBackend(new UserspaceBackendOptions { PossibleCpus = kernel.PossibleCpus });
        var failures = new List<string>();
        int compared = 0, refused = 0;

        foreach (string path in Directory.EnumerateFiles(Path.Combine(TestData.Root, "conformance", "tests"), "*.data").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            var test = ConformanceTestFile.Load(path);
            if (test.ExpectsError || test.ExpectedResult is not { } expected)
                continue;

            (Errno kErr, ulong kR0, string kLog) = Run(kernel, test);
            (Errno uErr, ulong uR0, string uLog) = Run(user, test);
            if (kErr != Errno.None)
            {
                if (!KnownDivergences.IsExpectedConformanceRefusal(name, out _))
                    failures.Add($"{path}: kernel refused ({kErr}): {Last(kLog)}");
                else
                    refused++;
                if (uErr == Errno.None && uR0 != expected)
                    failures.Add($"{path}: userspace r0 0x{uR0:x} != result 0x{expected:x}");
                continue;
            }

            compared++;
            if (uErr != Errno.None)
                failures.Add($"{path}: userspace {uErr} ({Last(uLog)}) but the kernel ran it");
            else if (kR0 != uR0 || kR0 != expected)
                failures.Add($"{path}: r0 kernel 0x{kR0:x} userspace 0x{uR0:x} result 0x{expected:x}");
        }

        output.WriteLine($"conformance differential: {compared} programs compared, {refused} expected kernel refusals");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(KnownDivergences.ConformanceRefusedByKernel.Count, refused);
        Assert.True(compared >= 300, $"only {compared} conformance programs compared");
    }

    private static string Last(string log) => log.TrimEnd().Split('\n')[^1];

    /// <summary>Loads and runs <paramref name="test"/> through the VERIFY.md harness (<see cref="ConformanceHarness"/>, shared with the CLI).</summary>
    private static (Errno Err, ulong R0, string Log) Run(IBpfBackend backend, ConformanceTestFile test)
    {
        Errno err = ConformanceHarness.Run(backend, test.Program, test.Memory, ExecutionMode.Default, out ulong r0, out string log);
        return (err, r0, log);
    }
}
