using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SharpBpf.Cli.Conformance;

namespace SharpBpf.Cli.Commands;

/// <summary>
/// <c>sharpbpf conformance &lt;dir-or-files...&gt; [--mode interpreter|jit] [--json]</c>: runs bpf_conformance
/// <c>.data</c> files through the interpreter or the JIT, prints one line per failing file and ends with <c>N passed, N failed</c>; exit code 1 if any failed.
/// </summary>
public static class ConformanceCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Test files or directories (a directory is searched recursively for .data files)",
            Arity = ArgumentArity.OneOrMore,
        };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also print passing and skipped files" };
        var mode = new Option<ConformanceEngine>("--mode")
        {
            Description = "Execution engine: interpreter or jit (ignored with --backend kernel: the kernel JITs)",
            DefaultValueFactory = _ => ConformanceEngine.Interpreter,
        };
        var backend = BackendOption.Create();
        backend.Description = "userspace (default: the interpreter or the JIT with uBPF's test helpers 0-5) or kernel (each program "
            + "wrapped as an XDP program that stores r0 in a map, as testdata/conformance/VERIFY.md did; Linux helper ids; the 13 "
            + "refusals listed in docs/DIVERGENCES.md are reported as skipped)";
        var command = new Command("conformance", "Run bpf_conformance test files through the interpreter, the JIT or the kernel")
        {
            paths, verbose, mode, backend,
        };
        command.SetAction(parse => SharpBpfCli.Guard(context.Console, () =>
        {
            IReadOnlyList<string> files;
            try
            {
                files = ConformanceRunner.FindFiles(parse.GetValue(paths) ?? []);
            }
            catch (FileNotFoundException e)
            {
                throw new CliUsageException(e.Message, e);
            }

            if (files.Count == 0)
                throw new CliUsageException("no .data files found");
            var engine = parse.GetValue(mode);
            List<ConformanceResult> results;
            if (parse.GetValue(backend) == BackendOption.Kernel)
            {
                using var kernel = BackendOption.CreateBackend(BackendOption.Kernel);
                results = [.. files.Select(f => ConformanceRunner.RunOnBackend(f, kernel))];
            }
            else
            {
                results = [.. files.Select(f => ConformanceRunner.Run(f, engine))];
            }

            var passed = results.Count(r => r.Verdict == ConformanceVerdict.Passed);
            var failed = results.Count(r => r.Verdict == ConformanceVerdict.Failed);
            var skipped = results.Count(r => r.Verdict == ConformanceVerdict.Skipped);
            if (parse.GetValue(context.Json))
                WriteJson(context.Console, results, passed, failed, skipped);
            else
                WriteText(context.Console, results, parse.GetValue(verbose), passed, failed, skipped);
            return failed == 0 ? ExitCodes.Success : ExitCodes.Failure;
        }));
        return command;
    }

    private static void WriteText(CliConsole console, List<ConformanceResult> results, bool verbose, int passed,
        int failed, int skipped)
    {
        foreach (var r in results)
        {
            if (r.Verdict == ConformanceVerdict.Failed || verbose)
                console.Output.WriteLine($"{r.Verdict.ToString().ToUpperInvariant()} {r.Path}: {r.Message}");
        }

        var summary = string.Create(CultureInfo.InvariantCulture, $"{passed} passed, {failed} failed");
        if (skipped > 0)
            summary += string.Create(CultureInfo.InvariantCulture, $", {skipped} skipped");
        console.Output.WriteLine(summary);
    }

    private static void WriteJson(CliConsole console, List<ConformanceResult> results, int passed, int failed,
        int skipped)
    {
        var document = new
        {
            passed,
            failed,
            skipped,
            files = results.Select(r => new
            {
                path = r.Path,
                verdict = r.Verdict.ToString().ToLowerInvariant(),
                message = r.Message,
            }),
        };
        console.Output.WriteLine(JsonSerializer.Serialize(document));
    }
}
