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
/// one-entry array via lddw src=2, the packet prolog when the test has memory. Both r0s must equal the file's result;
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

    /// <summary>Loads and runs <paramref name="test"/> through the harness; returns the errno, r0 and the load log.</summary>
    private static (Errno Err, ulong R0, string Log) Run(IBpfBackend backend, ConformanceTestFile test)
    {
        int map = backend.CreateMap(MapType.Array, 4, 8, 1);
        int prog = -1;
        try
        {
            Errno err = backend.ProgLoad(new ProgLoadAttr
            {
                Type = ProgramType.Xdp, Instructions = Wrap(map, test), License = "MIT",
            }, out prog, out string log);
            if (err != Errno.None)
            {
                prog = -1;
                return (err, 0, log);
            }

            byte[] mem = test.Memory ?? [];
            byte[] packet = new byte[Math.Max(14, mem.Length)];
            mem.CopyTo(packet, 0);
            err = backend.ProgTestRun(prog, new TestRunAttr { DataIn = packet, Repeat = 1 }, out _);
            if (err != Errno.None)
                return (err, 0, $"BPF_PROG_TEST_RUN {err}");
            (Errno lookup, byte[] value) = backend.Lookup(map, 0, 8);
            Assert.Equal(Errno.None, lookup);
            return (Errno.None, BackendExtensions.ReadU64(value), log);
        }
        finally
        {
            if (prog >= 0)
                backend.Close(prog);
            backend.Close(map);
        }
    }

    /// <summary>The VERIFY.md harness: the wrapper, the packet prolog when there is memory, then the body.</summary>
    private static Instruction[] Wrap(int mapFd, ConformanceTestFile test)
    {
        var insns = new List<Instruction>
        {
            new(0x85, 0, 1, 0, 4), // call local +4: the body is a BPF-to-BPF callee
            new(0x18, Insn.R1, 2, 0, mapFd), // lddw r1, map value (BPF_PSEUDO_MAP_VALUE, offset 0)
            new(0x00, 0, 0, 0, 0),
            Insn.StxDw(Insn.R1, Insn.R0, 0),
            Insn.Exit(),
        };
        if (test.Memory is { } mem)
        {
            int len = mem.Length;
            insns.AddRange(
            [
                Insn.Mov64Imm(Insn.R0, -1),
                Insn.Mov64Reg(Insn.R6, Insn.R1),
                new(0x61, Insn.R1, Insn.R6, 0, 0), // r1 = ctx->data
                new(0x61, Insn.R2, Insn.R6, 4, 0), // r2 = ctx->data_end
                Insn.Mov64Reg(Insn.R3, Insn.R1),
                Insn.Add64Imm(Insn.R3, len),
                new(0xbd, Insn.R3, Insn.R2, 1, 0), // if r3 <= r2 goto +1
                Insn.Exit(),
                Insn.Mov64Imm(Insn.R2, len),
            ]);
        }

        insns.AddRange(test.Program);
        return [.. insns];
    }
}
