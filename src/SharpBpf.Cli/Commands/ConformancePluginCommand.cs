using System.CommandLine;
using System.Globalization;
using SharpBpf.Asm;
using SharpBpf.Runtime.Execution;
using SharpBpf.Cli.Conformance;
using SharpBpf.Runtime.Programs;

namespace SharpBpf.Cli.Commands;

/// <summary>
/// <c>sharpbpf conformance-plugin</c>: the plugin protocol of the upstream bpf_conformance runner. The program
/// arrives as hex bytes on standard input (or <c>--program</c>), the input memory as hex bytes in the first
/// argument; on success <c>r0</c> is printed in hex (no prefix) and the exit code is 0; on failure a message is
/// printed and the exit code is non-zero. uBPF's test helpers 0-5 are available, as in uBPF's plugin.
/// </summary>
/// <remarks>
/// The runner starts the plugin as <c>PLUGIN &lt;memory-hex&gt; &lt;plugin-options&gt;</c>, so point its
/// <c>--plugin_path</c> at scripts/sharpbpf-conformance-plugin, which calls <c>sharpbpf conformance-plugin "$@"</c>.
/// Empty arguments are ignored.
/// </remarks>
public static class ConformancePluginCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var console = context.Console;
        // The runner calls "PLUGIN <memory-hex> <plugin-options>", either of which may be an empty string.
        var memory = new Argument<string[]>("memory")
        {
            Description = "Input memory as hex bytes (\"01 02 ...\"); r1 points to a copy, r2 holds its length",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var program = new Option<string?>("--program") { Description = "The program as hex bytes instead of standard input" };
        var elf = new Option<bool>("--elf") { Description = "The input is an ELF file (not supported)" };
        var jit = new Option<bool>("--jit") { Description = "Run compiled code (not available yet)" };
        var interpret = new Option<bool>("--interpret") { Description = "Run the interpreter (the default)" };
        var command = new Command("conformance-plugin", "Run one program for the bpf_conformance runner (plugin protocol)")
        {
            memory, program, elf, jit, interpret,
        };
        command.SetAction(parse => SharpBpfCli.Guard(context.Console, () =>
        {
            if (parse.GetValue(elf))
                return Fail(console, "ELF input is not supported by this plugin");
            if (parse.GetValue(jit))
                return Fail(console, "the JIT is not available yet; use --interpret");
            var programText = parse.GetValue(program) ?? console.Input.ReadToEnd();
            var values = (parse.GetValue(memory) ?? []).Where(v => v.Trim().Length > 0).ToArray();
            if (values.Length > 1)
                throw new CliUsageException($"unexpected argument '{values[1]}' (only the memory is positional)");
            return Execute(console, programText, values.FirstOrDefault());
        }));
        return command;
    }

    private static int Execute(CliConsole console, string programHex, string? memoryHex)
    {
        byte[] code, memory;
        try
        {
            code = Hex.Parse(programHex);
            memory = memoryHex is null ? [] : Hex.Parse(memoryHex);
        }
        catch (FormatException e)
        {
            throw new CliUsageException(e.Message, e);
        }

        if (code.Length % 8 != 0)
            return Fail(console, $"Failed to load code: program length {code.Length} is not a multiple of 8");
        InterpretedProgram loaded;
        try
        {
            loaded = InterpretedProgram.Create(Instruction.FromBytes(code), ConformanceRunner.Options);
        }
        catch (BpfProgramException e)
        {
            return Fail(console, $"Failed to load code: {e.Message}");
        }

        try
        {
            var r0 = loaded.Run(new RunState(), memory);
            console.Output.WriteLine(r0.ToString("x", CultureInfo.InvariantCulture));
            return ExitCodes.Success;
        }
        catch (BpfRuntimeException e)
        {
            return Fail(console, $"Failed to execute program: {e.Message}");
        }
    }

    private static int Fail(CliConsole console, string message)
    {
        // The runner compares standard output with the expected error text.
        console.Output.WriteLine(message);
        return ExitCodes.Failure;
    }
}
