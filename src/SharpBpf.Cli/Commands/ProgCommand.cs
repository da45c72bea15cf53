using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Object;
using SharpBpf.Runtime;
using SharpBpf.Runtime.Jit;

namespace SharpBpf.Cli.Commands;

/// <summary>
/// <c>sharpbpf prog run|show|dump OBJ ...</c>: test-run a program of a BPF object, list an object's programs and
/// maps, print a program's instructions in the kernel's syntax with its source lines.
/// </summary>
public static class ProgCommand
{
    /// <summary>Builds the <c>prog</c> noun.</summary>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var prog = new Command("prog", "Run and inspect the programs of a BPF object file (clang -O2 -g -target bpf)");
        prog.Subcommands.Add(CreateRun(context));
        prog.Subcommands.Add(ProgDiffCommand.Create(context));
        prog.Subcommands.Add(CreateShow(context));
        prog.Subcommands.Add(CreateDump(context));
        return prog;
    }

    private static Command CreateRun(CliContext context)
    {
        var arguments = new ProgRunArguments();
        var dataOut = new Option<string?>("--data-out") { Description = "Write data_out (the packet after the last run) to this file" };
        var backend = BackendOption.Create();
        var histogram = new Option<string?>("--histogram")
        {
            Description = "Draw this log2 histogram map (u64 counters, slot i counts [2^i, 2^(i+1)), summed over CPUs) instead of dumping the maps",
        };
        var command = new Command("run",
            "Load a BPF object, test-run one program (BPF_PROG_TEST_RUN) and print retval, duration, data_out, trace lines "
            + "and every map (all-zero array elements are left out)");
        arguments.AddTo(command);
        command.Options.Add(dataOut);
        command.Options.Add(backend);
        command.Options.Add(histogram);
        command.SetAction(parse => Guard(context, () => ProgRunner.Run(arguments.Read(parse, context) with
        {
            DataOut = parse.GetValue(dataOut),
            Backend = parse.GetValue(backend)!,
            Histogram = parse.GetValue(histogram),
        }, context.Console)));
        return command;
    }

    private static Command CreateShow(CliContext context)
    {
        var obj = new Argument<string>("OBJ") { Description = "The BPF object file" };
        var command = new Command("show", "List the programs and maps of a BPF object file (nothing is loaded)") { obj };
        command.SetAction(parse => Guard(context, () =>
        {
            var spec = ProgObjectSession.Read(parse.GetValue(obj)!);
            var output = context.Console.Output;
            if (parse.GetValue(context.Json))
            {
                WriteShowJson(output, spec);
                return ExitCodes.Success;
            }

            output.WriteLine($"license: {(spec.License.Length == 0 ? "(none)" : spec.License)}");
            foreach (var p in spec.Programs)
            {
                var type = p.Type == ProgramType.Unspec ? "unknown section: needs --type" : ProgTypeNames.Of(p.Type);
                var maps = string.Join(", ", p.MapRelocations.Select(r => r.MapName).Distinct());
                output.WriteLine($"prog {p.Name}  section {p.SectionName}  type {type}  insns {p.Instructions.Length}{(maps.Length == 0 ? "" : $"  maps {maps}")}");
            }

            foreach (var m in spec.Maps)
            {
                var extra = m.IsGlobalData ? $"  global data ({m.SectionName}{(m.FreezeAfterLoad ? ", frozen" : "")})" : "";
                if (m.Pinning == PinningType.ByName)
                    extra += "  pinned by name";
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"map {m.Name}  {ProgTypeNames.Of(m.Type)}  key {m.KeySize}B  value {m.ValueSize}B  max_entries {m.MaxEntries}  flags 0x{m.Flags:x}{extra}"));
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static void WriteShowJson(TextWriter output, CollectionSpec spec)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("license", spec.License);
            json.WriteStartArray("programs");
            foreach (var p in spec.Programs)
            {
                json.WriteStartObject();
                json.WriteString("name", p.Name);
                json.WriteString("section", p.SectionName);
                json.WriteString("type", p.Type == ProgramType.Unspec ? null : ProgTypeNames.Of(p.Type));
                json.WriteNumber("insns", p.Instructions.Length);
                json.WriteStartArray("maps");
                foreach (var name in p.MapRelocations.Select(r => r.MapName).Distinct())
                    json.WriteStringValue(name);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("maps");
            foreach (var m in spec.Maps)
            {
                json.WriteStartObject();
                json.WriteString("name", m.Name);
                json.WriteString("type", ProgTypeNames.Of(m.Type));
                json.WriteNumber("key_size", m.KeySize);
                json.WriteNumber("value_size", m.ValueSize);
                json.WriteNumber("max_entries", m.MaxEntries);
                json.WriteNumber("flags", m.Flags);
                json.WriteString("section", m.SectionName);
                json.WriteBoolean("pinned_by_name", m.Pinning == PinningType.ByName);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static Command CreateDump(CliContext context)
    {
        var obj = new Argument<string>("OBJ") { Description = "The BPF object file" };
        var program = new Option<string?>("--program") { Description = "The program (default: the only one)" };
        var jited = new Option<bool>("--jited")
        {
            Description = "Print the IL the userspace runtime's JIT generates for the program (each BPF instruction above its IL) "
                + "instead of the instructions; the object is loaded into the userspace runtime for this",
        };
        var type = new Option<string?>("--type") { Description = "With --jited: load every program as this type (for sections libbpf does not know)" };
        var trusted = ModeOption.CreateTrusted();
        var command = new Command("dump",
            "Print a program's instructions in the kernel's syntax (as bpftool prog dump xlated), with its source lines, "
            + "or with --jited the IL the JIT generates")
        {
            obj, program, jited, type, trusted,
        };
        command.SetAction(parse => Guard(context, () =>
        {
            var path = parse.GetValue(obj)!;
            var spec = ProgObjectSession.Read(path);
            var p = ProgRunner.SelectProgram(spec, new ProgRunOptions { ObjectPath = "", Program = parse.GetValue(program) });
            if (!parse.GetValue(jited))
            {
                if (parse.GetValue(trusted) || parse.GetValue(type) is not null)
                    throw new CliUsageException("--trusted and --type apply to --jited");
                WriteDump(context.Console.Output, p);
                return ExitCodes.Success;
            }

            return WriteJited(context, path, p, ParseType(parse.GetValue(type)), parse.GetValue(trusted), parse.GetValue(context.Json));
        }));
        return command;
    }

    /// <summary>
    /// <c>prog dump --jited</c>: loads the object into the userspace runtime in JIT mode (so maps, context rewriting
    /// and helpers are resolved as for a run) and prints the IL listing of <paramref name="program"/>.
    /// </summary>
    private static int WriteJited(CliContext context, string path, ProgramSpec program, ProgramType? type, bool trusted, bool json)
    {
        if (!JitProgram.IsSupported)
            throw new CliFailureException("this runtime cannot generate code (dynamic code is not supported), so programs run in the interpreter and there is no IL to show");
        var mode = ModeOption.Resolve(ModeOption.Jit, trusted);
        using var session = ProgObjectSession.Open(path, BackendOption.Userspace, type, loadPrograms: true, mode);
        var loaded = session.Collection.Program(program.Name);
        var executable = ((UserspaceBackend)session.Backend).GetProgram(loaded.Fd)?.Executable
            ?? throw new UnreachableException($"program '{program.Name}' has no executable in the userspace runtime");
        var jit = JitProgram.Compile(executable, listing: true);
        var listing = jit.Listing ?? "";
        var output = context.Console.Output;
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["program"] = program.Name,
                ["insns"] = program.Instructions.Length,
                ["il_size"] = jit.IlSize,
                ["trusted"] = jit.Trusted,
                ["listing"] = listing,
            }));
            return ExitCodes.Success;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"program {program.Name}: {program.Instructions.Length} BPF instruction slots -> {jit.IlSize} bytes of IL ({(jit.Trusted ? "trusted: unchecked memory accesses" : "checked")}), generated in {jit.CompileTime.TotalMicroseconds:F0} us"));
        output.Write(listing);
        if (listing.Length != 0 && !listing.EndsWith('\n'))
            output.WriteLine();
        return ExitCodes.Success;
    }

    /// <summary>
    /// The listing: function names from BTF function info, <c>; source</c> lines from line info when the line
    /// changes, then <c>  pc: (opcode) instruction</c>; map references name their map.
    /// </summary>
    public static void WriteDump(TextWriter output, ProgramSpec program)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(program);
        var relocations = program.MapRelocations.ToDictionary(r => r.Slot);
        var functions = program.FuncInfos.GroupBy(f => f.Slot).ToDictionary(g => g.Key, g => g.First().Name);
        SourceLine? last = null;
        foreach (var insn in Decoder.Decode(program.Instructions))
        {
            if (functions.TryGetValue(insn.Pc, out var function))
            {
                output.WriteLine($"{function}:");
                last = null;
            }

            if (program.LineAt(insn.Pc) is { } line && line != last)
            {
                output.WriteLine($"; {line.LineText.Trim()} [{Path.GetFileName(line.FileName)}:{line.Line}]");
                last = line;
            }

            var text = Disassembler.Format(insn);
            if (relocations.TryGetValue(insn.Pc, out var reloc))
            {
                text = reloc.Kind == MapRelocationKind.Map
                    ? $"r{insn.Dst} = map[{reloc.MapName}]"
                    : $"r{insn.Dst} = map[{reloc.MapName}][0]+{reloc.Offset}";
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{insn.Pc,4}: ({program.Instructions[insn.Pc].Opcode:x2}) {text}"));
        }
    }

    /// <summary>Parses <c>--type</c> (exit 2 for an unknown name).</summary>
    public static ProgramType? ParseType(string? text)
    {
        if (text is null)
            return null;
        return ProgTypeNames.TryParse(text, out var type)
            ? type
            : throw new CliUsageException($"--type '{text}' is not a program type ({ProgTypeNames.Known})");
    }

    /// <summary>
    /// Runs a command body: usage errors exit 2; refusals by the backend (a program the verifier or the runtime
    /// refused, a map that cannot be created, a faulting run) exit 1; never a stack trace.
    /// </summary>
    internal static int Guard(CliContext context, Func<int> body) => SharpBpfCli.Guard(context.Console, () =>
    {
        try
        {
            return body();
        }
        catch (BpfVerifierException e)
        {
            context.Console.Error.WriteLine($"error: {e.Message}");
            var log = e.Log.Trim();
            if (log.Length != 0)
                context.Console.Error.WriteLine(log);
            return ExitCodes.Failure;
        }
        catch (BpfException e)
        {
            context.Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (KeyNotFoundException e)
        {
            throw new CliUsageException(e.Message, e);
        }
    });
}
