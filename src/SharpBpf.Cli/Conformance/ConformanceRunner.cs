using System.Globalization;
using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Diff;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Helpers;
using SharpBpf.Runtime.Jit;
using SharpBpf.Runtime.Programs;

namespace SharpBpf.Cli.Conformance;

/// <summary>
/// Runs bpf_conformance / uBPF <c>.data</c> files through the interpreter (testdata/conformance/FORMAT.md): r1 points
/// to a writable copy of the memory and r2 holds its length (both 0 without memory), uBPF's test helpers 0-5 are
/// available, and a file passes when r0 equals its result, or, for a file that expects an error, when the program
/// is refused at creation or faults at run time (the error text is implementation-specific and only a hint).
/// </summary>
public static class ConformanceRunner
{
    /// <summary>
    /// Instruction budget per run: far above what any conformance program executes (at most a few thousand), so
    /// that an infinite loop (uBPF's <c>err-infinite-loop.data</c>) fails instead of hanging.
    /// </summary>
    public const long InstructionBudget = 10_000_000;

    /// <summary>Files that are not run, by path suffix, with the reason.</summary>
    public static IReadOnlyDictionary<string, string> KnownSkips { get; } = new Dictionary<string, string>
    {
        ["ubpf-tests/errors/err-unknown-opcode.data"] =
            "stale uBPF file: expects opcode 0x06 to be unknown, but RFC 9669 defines it as ja32, which ja32.data "
            + "and rfc9669_ja32.data require (FORMAT.md section 7)",
        ["ubpf-tests/errors/err-too-many-instructions.data"] =
            "uBPF's own 65,536-instruction limit; SharpBPF follows the kernel's 1,000,000 (BPF_COMPLEXITY_LIMIT_INSNS)",
        ["ubpf-tests/reload.data"] =
            "tests uBPF's load API (loading code twice into one VM must fail), not program behaviour",
    };

    /// <summary>The instruction set's helper table for conformance runs: uBPF's test helpers 0-5.</summary>
    public static ProgramOptions Options { get; } = new()
    {
        Helpers = TestHelpers.CreateTable(),
        InstructionBudget = InstructionBudget,
    };

    /// <summary>
    /// The <c>.data</c> files named by <paramref name="paths"/>: files as given, directories searched recursively,
    /// sorted. A directory with no <c>.data</c> files of its own but a <c>tests</c> folder (the layout of the
    /// bpf_conformance repository and of testdata/conformance) stands for that folder.
    /// </summary>
    /// <exception cref="FileNotFoundException">A path does not exist.</exception>
    public static IReadOnlyList<string> FindFiles(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                files.Add(path);
            }
            else if (Directory.Exists(path))
            {
                var dir = path;
                var tests = Path.Combine(path, "tests");
                if (Directory.GetFiles(path, "*.data").Length == 0 && Directory.Exists(tests))
                    dir = tests;
                files.AddRange(Directory.GetFiles(dir, "*.data", SearchOption.AllDirectories)
                    .Order(StringComparer.Ordinal));
            }
            else
            {
                throw new FileNotFoundException($"no such file or directory: {path}", path);
            }
        }

        return files;
    }

    /// <summary>The documented reason to skip <paramref name="path"/>, or null.</summary>
    public static string? SkipReason(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var normalized = path.Replace('\\', '/');
        foreach (var (suffix, reason) in KnownSkips)
        {
            if (normalized.EndsWith(suffix, StringComparison.Ordinal))
                return reason;
        }

        return null;
    }

    /// <summary>Runs one file through the interpreter.</summary>
    public static ConformanceResult Run(string path) => Run(path, ConformanceEngine.Interpreter);

    // Reads a test file; returns the result to report instead of running it (a known skip, or a file that cannot be
    // read), or null with the test loaded.
    private static ConformanceResult? TryLoad(string path, out ConformanceTestFile? test)
    {
        test = null;
        if (SkipReason(path) is { } reason)
            return new(path, ConformanceVerdict.Skipped, reason);
        try
        {
            test = ConformanceTestFile.Load(path);
            return null;
        }
        catch (Exception e) when (e is BpfAssemblyException or IOException)
        {
            return new(path, ConformanceVerdict.Failed, $"cannot read the test: {e.Message}");
        }
    }

    /// <summary>Runs one file through <paramref name="engine"/>.</summary>
    public static ConformanceResult Run(string path, ConformanceEngine engine)
    {
        ArgumentNullException.ThrowIfNull(path);
        return TryLoad(path, out var test) is { } early ? early : Run(path, test!, engine);
    }

    /// <summary>Runs a parsed test through the interpreter.</summary>
    public static ConformanceResult Run(string path, ConformanceTestFile test) =>
        Run(path, test, ConformanceEngine.Interpreter);

    /// <summary>Runs a parsed test through <paramref name="engine"/>.</summary>
    public static ConformanceResult Run(string path, ConformanceTestFile test, ConformanceEngine engine)
    {
        ArgumentNullException.ThrowIfNull(test);
        if (!test.ExpectsError && test.ExpectedResult is null)
            return new(path, ConformanceVerdict.Skipped, "no result or error to check (an assembler encoding test)");
        if (test.Program.Length == 0 && !test.ExpectsError)
            return new(path, ConformanceVerdict.Failed, "the file has no program");

        InterpretedProgram program;
        try
        {
            program = InterpretedProgram.Create(test.Program, Options);
        }
        catch (BpfProgramException e)
        {
            return test.ExpectsError
                ? new(path, ConformanceVerdict.Passed, $"refused as expected: {e.Message}")
                : new(path, ConformanceVerdict.Failed, $"refused: {e.Message}");
        }

        ulong r0;
        try
        {
            var memory = test.Memory is null ? [] : (byte[])test.Memory.Clone();
            r0 = engine == ConformanceEngine.Jit
                ? JitProgram.Compile(program).Run(new RunState(), memory)
                : program.Run(new RunState(), memory);
        }
        catch (BpfRuntimeException e)
        {
            return test.ExpectsError
                ? new(path, ConformanceVerdict.Passed, $"faulted as expected: {e.Message}")
                : new(path, ConformanceVerdict.Failed, $"faulted: {e.Message}");
        }

        return Returned(path, test, r0);
    }

    /// <summary>
    /// Runs one file on <paramref name="backend"/> (the kernel for <c>--backend kernel</c>) through the harness of
    /// VERIFY.md (<see cref="ConformanceHarness"/>): an XDP program, Linux helper ids, the backend's own verifier. A
    /// refusal listed in <see cref="KnownDivergences"/> is reported as skipped with its reason.
    /// </summary>
    public static ConformanceResult RunOnBackend(string path, IBpfBackend backend)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(backend);
        if (TryLoad(path, out var loaded) is { } early)
            return early;
        var test = loaded!;

        if (!test.ExpectsError && test.ExpectedResult is null)
            return new(path, ConformanceVerdict.Skipped, "no result or error to check (an assembler encoding test)");
        if (test.Program.Length == 0)
        {
            return test.ExpectsError
                ? new(path, ConformanceVerdict.Passed, "no program: nothing to load")
                : new(path, ConformanceVerdict.Failed, "the file has no program");
        }

        var err = ConformanceHarness.Run(backend, test.Program, test.Memory, ExecutionMode.Default, out var r0, out var log);
        var last = ConformanceHarness.Reason(log);
        if (err != Errno.None)
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (test.ExpectsError)
                return new(path, ConformanceVerdict.Passed, $"refused as expected ({BpfException.ErrnoName(err)}): {last}");
            if (KnownDivergences.IsExpectedConformanceRefusal(name, out var why))
                return new(path, ConformanceVerdict.Skipped, $"known divergence ({BpfException.ErrnoName(err)}: {last}): {why}");
            return new(path, ConformanceVerdict.Failed, $"refused ({BpfException.ErrnoName(err)}): {last}");
        }

        return Returned(path, test, r0);
    }

    // The verdict for a program that returned r0: right if the file expected that value, wrong if it expected one
    // that differs or an error.
    private static ConformanceResult Returned(string path, ConformanceTestFile test, ulong r0)
    {
        if (test.ExpectsError)
        {
            return new(path, ConformanceVerdict.Failed,
                string.Create(CultureInfo.InvariantCulture, $"expected an error ({test.ErrorText ?? test.ErrorPattern}), but r0 = 0x{r0:x}"));
        }

        var expected = test.ExpectedResult!.Value;
        return r0 == expected
            ? new(path, ConformanceVerdict.Passed, string.Create(CultureInfo.InvariantCulture, $"r0 = 0x{r0:x}"))
            : new(path, ConformanceVerdict.Failed, string.Create(CultureInfo.InvariantCulture, $"r0 = 0x{r0:x}, expected 0x{expected:x}"));
    }
}
