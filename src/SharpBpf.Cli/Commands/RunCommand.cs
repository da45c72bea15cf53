using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SharpBpf.Asm;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Helpers;
using SharpBpf.Runtime.Programs;

namespace SharpBpf.Cli.Commands;

/// <summary>
/// <c>sharpbpf run (--asm FILE | --hex HEX) [--mem HEX] [--mode interpreter|jit]</c>: runs a program through the
/// interpreter (or the JIT) and prints
/// <c>r0</c>. <c>r1</c> points to a writable copy of the memory and <c>r2</c> holds its length (both 0 without
/// memory), as in the conformance suite.
/// </summary>
public static class RunCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var asm = new Option<FileInfo?>("--asm") { Description = "Assembly file in the bpf_conformance dialect" };
        var hex = new Option<string?>("--hex") { Description = "The program as hex bytes (8 per instruction)" };
        var mem = new Option<string?>("--mem") { Description = "Input memory as hex bytes" };
        var budget = new Option<long>("--budget")
        {
            Description = "Stop after this many instructions (0: unlimited)",
            DefaultValueFactory = _ => 0,
        };
        var testHelpers = new Option<bool>("--test-helpers")
        {
            Description = "Use uBPF's conformance test helpers 0-5 instead of the Linux helpers",
        };
        var mode = new Option<Conformance.ConformanceEngine>("--mode")
        {
            Description = "Execution engine: interpreter or jit (the JIT falls back to the interpreter where dynamic code is unsupported)",
            DefaultValueFactory = _ => Conformance.ConformanceEngine.Interpreter,
        };
        var backend = BackendOption.Create();
        backend.Description = "userspace (default) or kernel: the program is wrapped as an XDP program that stores r0 in a map "
            + "(testdata/conformance/VERIFY.md), so the kernel's verifier must accept it; --mode, --budget and --test-helpers do not apply";
        var command = new Command("run", "Run a program through the interpreter, the JIT or the kernel and print r0")
        {
            asm, hex, mem, budget, testHelpers, mode, backend,
        };
        command.Validators.Add(result =>
        {
            var hasAsm = result.GetResult(asm) is not null;
            var hasHex = result.GetResult(hex) is not null;
            if (hasAsm == hasHex)
                result.AddError("give exactly one of --asm FILE or --hex HEX");
            if (result.GetValue(budget) < 0)
                result.AddError("--budget must not be negative");
        });
        command.SetAction(parse => SharpBpfCli.Guard(context.Console, () =>
        {
            var program = Load(parse.GetValue(asm), parse.GetValue(hex));
            var memoryArgument = ParseHex(parse.GetValue(mem), "--mem");
            var memory = memoryArgument ?? [];
            ulong r0;
            if (parse.GetValue(backend) == BackendOption.Kernel)
            {
                if (parse.GetValue(testHelpers))
                    throw new CliUsageException("--test-helpers: uBPF's test helpers exist only in the userspace runtime, not with --backend kernel");
                if (parse.GetValue(budget) != 0)
                    throw new CliUsageException("--budget: the kernel's verifier bounds programs itself; not with --backend kernel");
                r0 = RunOnKernel(program, memoryArgument);
            }
            else
            {
                var loaded = InterpretedProgram.Create(program, new ProgramOptions
                {
                    Helpers = parse.GetValue(testHelpers) ? TestHelpers.CreateTable() : null,
                    InstructionBudget = parse.GetValue(budget),
                });
                r0 = parse.GetValue(mode) == Conformance.ConformanceEngine.Jit
                    ? SharpBpf.Runtime.Jit.JitProgram.Compile(loaded).Run(new RunState(), memory)
                    : loaded.Run(new RunState(), memory);
            }

            if (parse.GetValue(context.Json))
            {
                context.Console.Output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["r0"] = r0,
                    ["r0_hex"] = $"0x{r0:x}",
                }));
            }
            else
            {
                context.Console.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"r0 = 0x{r0:x} ({r0})"));
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static ulong RunOnKernel(Instruction[] program, byte[]? memory)
    {
        using var kernel = BackendOption.CreateBackend(BackendOption.Kernel);
        var err = Diff.ConformanceHarness.Run(kernel, program, memory, Backend.ExecutionMode.Default, out var r0, out var log);
        if (err != Abi.Errno.None)
            throw new CliFailureException($"the kernel refused or failed the program ({BpfException.ErrnoName(err)}): {Diff.ConformanceHarness.Reason(log)}");
        return r0;
    }

    private static Instruction[] Load(FileInfo? asm, string? hex)
    {
        if (asm is not null)
        {
            if (!asm.Exists)
                throw new CliUsageException($"no such file: {asm.FullName}");
            try
            {
                return ConformanceAssembler.Assemble(File.ReadAllText(asm.FullName), asm.Name, 1);
            }
            catch (BpfAssemblyException e)
            {
                throw new CliUsageException(e.Message, e);
            }
        }

        var bytes = ParseHex(hex, "--hex")!;
        if (bytes.Length == 0 || bytes.Length % 8 != 0)
            throw new CliUsageException($"--hex: {bytes.Length} bytes is not a whole number of 8-byte instructions");
        return Instruction.FromBytes(bytes);
    }

    private static byte[]? ParseHex(string? text, string option)
    {
        if (text is null)
            return null;
        try
        {
            return Hex.Parse(text);
        }
        catch (FormatException e)
        {
            throw new CliUsageException($"{option}: {e.Message}", e);
        }
    }
}
