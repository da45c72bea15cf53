using System.CommandLine;
using SharpBpf.Backend;
using SharpBpf.Runtime.Jit;

namespace SharpBpf.Cli.Commands;

/// <summary>
/// <c>--mode interpreter|jit</c> and the explicit <c>--trusted</c> opt-in of the commands that load objects into the
/// userspace runtime: how its programs execute (<see cref="ExecutionMode"/>, passed through
/// <see cref="Loading.CollectionLoadOptions.ExecutionMode"/> to BPF_PROG_LOAD). The kernel backend ignores both: the
/// kernel decides (its JIT).
/// </summary>
public static class ModeOption
{
    /// <summary>The interpreter.</summary>
    public const string Interpreter = "interpreter";

    /// <summary>The IL JIT (bounds-checked).</summary>
    public const string Jit = "jit";

    /// <summary>A new <c>--mode</c> option, validated at parse time; no value means the default (<see cref="Resolve"/>).</summary>
    public static Option<string?> Create()
    {
        var option = new Option<string?>("--mode")
        {
            Description = "How the userspace runtime executes programs: interpreter or jit (default: jit where the runtime can "
                + "generate code, else the interpreter). Ignored with --backend kernel: the kernel JITs programs itself",
        };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string?>();
            if (value is not (null or Interpreter or Jit))
                result.AddError($"--mode '{value}': use interpreter or jit");
        });
        return option;
    }

    /// <summary>A new <c>--trusted</c> option.</summary>
    public static Option<bool> CreateTrusted() => new("--trusted")
    {
        Description = "With the JIT: drop the bounds checks the compiler cannot prove (trusted mode). Only for programs you "
            + "vouch for: a bad memory access then corrupts or crashes this process instead of failing the run. Not with --mode interpreter",
    };

    /// <summary>The mode for <paramref name="mode"/> (null: the default) and <paramref name="trusted"/>.</summary>
    /// <exception cref="CliUsageException"><c>--trusted</c> with <c>--mode interpreter</c>, or an unknown mode.</exception>
    public static ExecutionMode Resolve(string? mode, bool trusted)
    {
        var jit = mode switch
        {
            null => JitProgram.IsSupported,
            Jit => true,
            Interpreter => false,
            _ => throw new CliUsageException($"--mode '{mode}': use interpreter or jit"),
        };
        if (trusted && !jit)
        {
            throw new CliUsageException(mode == Interpreter
                ? "--trusted applies to the JIT, not to --mode interpreter"
                : "--trusted: this runtime cannot generate code, so there is no JIT to trust");
        }

        return !jit ? ExecutionMode.Interpreter : trusted ? ExecutionMode.JitTrusted : ExecutionMode.Jit;
    }

    /// <summary>The mode's name as the CLI prints it.</summary>
    public static string Name(ExecutionMode mode) => mode switch
    {
        ExecutionMode.Interpreter => Interpreter,
        ExecutionMode.Jit => Jit,
        ExecutionMode.JitTrusted => "jit (trusted)",
        _ => "default",
    };
}
