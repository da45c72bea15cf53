using SharpBpf.Abi;
using SharpBpf.Diff;
using SharpBpf.Loading;
using SharpBpf.Maps;
using SharpBpf.Programs;
using SharpBpf.Linux.Tests.Support;
using SharpBpf.Runtime;
using Xunit.Abstractions;

namespace SharpBpf.Linux.Tests.Differential;

/// <summary>
/// Every bench object (testdata/bench) loaded through CollectionLoader on the kernel and on the userspace backend;
/// each program's retval and every map compared after 1 run and after 1000 runs.
/// </summary>
public sealed class BenchDifferentialTests(ITestOutputHelper output)
{
    public static TheoryData<string> Objects() =>
    [
        .. Directory.EnumerateFiles(Path.Combine(TestData.Root, "bench"), "*.o").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal),
    ];

    [SkippableTheory]
    [MemberData(nameof(Objects))]
    public void BenchObject_OneAndThousandRuns_SameRetvalAndMaps(string objectFile)
    {
        KernelTestBase.RequireKernel();
        string path = Path.Combine(TestData.Root, "bench", objectFile);
        using var kernel = new LinuxBackend();
        using var user = new UserspaceBackend(new UserspaceBackendOptions { PossibleCpus = kernel.PossibleCpus });
        // tail_chain's xdp/tail_i sections are not libbpf names; every bench program is XDP (testdata/bench/README.md).
        var options = new CollectionLoadOptions { UnknownSectionType = ProgramType.Xdp };
        using BpfCollection k = CollectionLoader.LoadFile(kernel, path, options);
        using BpfCollection u = CollectionLoader.LoadFile(user, path, options);
        // tail_chain's tail_i programs run only through the entry's tail calls; the entry is the one to test-run.
        var programs = k.Programs.Where(p => !p.Name.StartsWith("tail_", StringComparison.Ordinal) || p.Name == "tail_entry").ToList();
        Assert.NotEmpty(programs);
        int compared = 0;
        foreach (BpfProgram kp in programs)
        {
            BpfProgram up = u.Program(kp.Name);
            byte[] packet = new byte[64];
            foreach (uint repeat in new uint[] { 1, 999 })
            {
                ProgramRunResult kr = kp.TestRun(packet, repeat);
                ProgramRunResult ur = up.TestRun(packet, repeat);
                // The one comparer prog diff uses: retval, data_out and every element of every map (prog-array slots by program name).
                var comparison = ProgramRunComparison.Compare(RunSnapshot.Capture(u, ur), RunSnapshot.Capture(k, kr));
                Assert.True(comparison.Agree, $"{objectFile} {kp.Name} after {(repeat == 1 ? 1 : 1000)} runs (userspace vs kernel): "
                    + string.Join("; ", comparison.Differences.Where(d => d.IsFailure)));
                compared += comparison.Compared;
            }
        }

        output.WriteLine($"{objectFile}: {compared} comparisons (retvals and map entries)");
    }
}
