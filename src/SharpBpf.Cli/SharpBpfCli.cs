using System.CommandLine;
using SharpBpf.Cli.Commands;

namespace SharpBpf.Cli;

/// <summary>
/// The <c>sharpbpf</c> entry point: a root command with one subcommand class per noun (bpftool style), a global
/// <c>--json</c>, exit code 2 and a one-line message for bad arguments, never a stack trace.
/// </summary>
public static class SharpBpfCli
{
    /// <summary>The process entry point.</summary>
    public static int Main(string[] args) => Run(args, CliConsole.System);

    /// <summary>Parses and runs <paramref name="args"/> against <paramref name="console"/>; returns the exit code.</summary>
    public static int Run(string[] args, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        var root = CreateRootCommand(console);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                console.Error.WriteLine($"error: {error.Message}");
            console.Error.WriteLine("Run 'sharpbpf --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration
            {
                Output = console.Output,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
            });
        }
#pragma warning disable CA1031 // The last line of defence: a bug must still end in one line, not a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            console.Error.WriteLine($"error: internal error ({e.GetType().Name}): {e.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>
    /// Builds the command tree writing to <paramref name="console"/>. A new noun is a class in Commands/ with a
    /// <c>Create(CliContext)</c> factory returning its <see cref="Command"/> (verbs as subcommands), added here.
    /// </summary>
    public static RootCommand CreateRootCommand(CliConsole console)
    {
        var context = new CliContext(console, new Option<bool>("--json")
        {
            Description = "Write machine-readable JSON instead of text",
            Recursive = true,
        });
        var root = new RootCommand("SharpBPF: run, inspect and test eBPF programs in userspace or on the kernel.");
        root.Options.Add(context.Json);
        root.Subcommands.Add(RunCommand.Create(context));
        root.Subcommands.Add(ProgCommand.Create(context));
        root.Subcommands.Add(MapCommand.Create(context));
        root.Subcommands.Add(FeatureCommand.Create(context));
        root.Subcommands.Add(ConformanceCommand.Create(context));
        root.Subcommands.Add(ConformancePluginCommand.Create(context));
        return root;
    }

    /// <summary>
    /// Runs a command body, turning the expected failures into messages and exit codes: usage errors exit 2,
    /// program refusals and run faults exit 1.
    /// </summary>
    internal static int Guard(CliConsole console, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (CliUsageException e)
        {
            console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (CliFailureException e)
        {
            console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is Runtime.Programs.BpfProgramException or Runtime.Execution.BpfRuntimeException)
        {
            console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (IOException e)
        {
            console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (UnauthorizedAccessException e)
        {
            console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
    }
}
