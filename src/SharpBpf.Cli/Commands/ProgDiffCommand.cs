using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SharpBpf.Backend;
using SharpBpf.Diff;
using SharpBpf.Loading;
using SharpBpf.Object;
using SharpBpf.Programs;
using SharpBpf.Runtime.Helpers;

namespace SharpBpf.Cli.Commands;

/// <summary>
/// <c>sharpbpf prog diff OBJ [the options of prog run]</c>: loads the object on the userspace runtime and on the
/// kernel, applies the same map updates, test-runs the same program with the same inputs on both and prints every
/// difference in the outcome, retval, data_out, ctx_out and every map (<see cref="ProgramRunComparison"/>). Exit 0
/// when they agree (documented divergences are listed but accepted), 1 on a difference or when the kernel backend
/// is not usable, 2 for bad arguments.
/// </summary>
public static class ProgDiffCommand
{
    /// <summary>Builds the <c>prog diff</c> verb.</summary>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var arguments = new ProgRunArguments();
        var command = new Command("diff",
            "Run one program of a BPF object on the userspace runtime and on the kernel with the same inputs and map updates "
            + "and print every difference in retval, data_out, ctx_out and the contents of every map (per CPU for per-CPU maps, "
            + "prog-array slots by program name); exit 1 on a difference. --mode applies to the userspace side (the kernel JITs). "
            + "Needs the kernel backend (root)");
        arguments.AddTo(command);
        command.SetAction(parse => ProgCommand.Guard(context, () => Run(arguments.Read(parse, context), context.Console)));
        return command;
    }

    /// <summary>Runs the comparison described by <paramref name="options"/>; returns the exit code.</summary>
    public static int Run(ProgRunOptions options, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        var (dataIn, ctxIn) = ProgRunner.ReadInputs(options);
        var spec = ProgObjectSession.Read(options.ObjectPath);
        var programSpec = ProgRunner.SelectProgram(spec, options);
        var loadOptions = ProgObjectSession.Options(spec, options.Type, loadPrograms: true, options.Mode);
        ProgRunner.CheckUpdates(spec, options.MapUpdates);
        BackendOption.RequireKernel();

        var kernel = BackendOption.CreateBackend(BackendOption.Kernel);
        // The same number of per-CPU copies on both sides, so per-CPU values compare copy for copy.
        var user = BackendOption.CreateBackend(BackendOption.Userspace, kernel.PossibleCpus);
        RunSnapshot left;
        Abi.ProgramType? type;
        try
        {
            left = RunSide(spec, programSpec, user, loadOptions, options, dataIn, ctxIn, out type);
        }
        catch
        {
            kernel.Dispose(); // a usage error found on the first side: the second never takes the backend
            throw;
        }

        var right = RunSide(spec, programSpec, kernel, loadOptions, options, dataIn, ctxIn, out var kernelType);
        var comparison = ProgramRunComparison.Compare(left, right, exactPerCpu: options.Cpu is not null);

        var header = new DiffHeader(programSpec.Name, ProgTypeNames.Of(type ?? kernelType ?? programSpec.Type),
            ModeOption.Name(options.Mode), options.Repeat);
        if (options.Json)
            WriteJson(console.Output, header, comparison);
        else
            WriteText(console.Output, header, comparison);

        if (left.Failure is not null && right.Failure is not null && comparison.Agree)
        {
            console.Error.WriteLine($"error: both backends failed the same way: {right.Failure}");
            return ExitCodes.Failure;
        }

        return comparison.Agree ? ExitCodes.Success : ExitCodes.Failure;
    }

    private sealed record DiffHeader(string Program, string Type, string Mode, uint Repeat);

    /// <summary>
    /// Loads, updates and runs on one backend (which this method owns) and captures the result; a refusal or a fault
    /// becomes a failed snapshot so the other side is still run and compared.
    /// </summary>
    private static RunSnapshot RunSide(CollectionSpec spec, ProgramSpec programSpec, IBpfBackend backend,
        CollectionLoadOptions loadOptions, ProgRunOptions options, byte[]? dataIn, byte[]? ctxIn, out Abi.ProgramType? type)
    {
        type = null;
        var name = backend.Name;
        ProgObjectSession session;
        try
        {
            session = ProgObjectSession.Load(spec, backend, loadOptions);
        }
        catch (BpfException e)
        {
            return RunSnapshot.Failed(name, "load", e);
        }

        using (session)
        {
            var program = session.Collection.Program(programSpec.Name);
            type = program.Type;
            try
            {
                ProgRunner.ApplyUpdates(session, options.MapUpdates);
            }
            catch (BpfException e)
            {
                return RunSnapshot.Failed(name, "--map-update", e);
            }

            var attr = ProgRunner.BuildTestRun(options, program.Type, dataIn, ctxIn);
            ProgramRunResult result;
            try
            {
                // The userspace runtime's trace lines would otherwise go to the process's trace pipe; they are not compared.
                using var capture = TracePipe.Capture();
                result = program.TestRun(attr);
            }
            catch (BpfException e)
            {
                return RunSnapshot.Failed(name, "run", e);
            }

            return RunSnapshot.Capture(session.Collection, result);
        }
    }

    private static void WriteText(TextWriter output, DiffHeader header, ProgramRunComparison comparison)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"program: {header.Program} ({header.Type}), repeat {header.Repeat}: {comparison.Left.Backend} ({header.Mode}) vs {comparison.Right.Backend}"));
        // A failure on one side is an outcome difference below; both sides failing alike is printed here.
        if (comparison.Left.Failure is not null && comparison.Right.Failure is not null)
        {
            foreach (var side in new[] { comparison.Left, comparison.Right })
                output.WriteLine($"{side.Backend}: {side.Failure}");
        }

        foreach (var d in comparison.Differences)
        {
            output.WriteLine(d.IsFailure
                ? $"DIFF  {d.Where}: {comparison.Left.Backend} {d.Left} | {comparison.Right.Backend} {d.Right}"
                : $"known {d.Where}: {comparison.Left.Backend} {d.Left} | {comparison.Right.Backend} {d.Right} ({d.KnownDivergence})");
        }

        var failures = comparison.Differences.Count(d => d.IsFailure);
        var known = comparison.Differences.Count - failures;
        var knownText = known == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $", {known} known divergence{(known == 1 ? "" : "s")}");
        output.WriteLine(failures == 0
            ? string.Create(CultureInfo.InvariantCulture, $"agree: {comparison.Compared} items compared, no difference{knownText}")
            : string.Create(CultureInfo.InvariantCulture, $"differ: {comparison.Compared} items compared, {failures} difference{(failures == 1 ? "" : "s")}{knownText}"));
    }

    private static void WriteJson(TextWriter output, DiffHeader header, ProgramRunComparison comparison)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("program", header.Program);
            json.WriteString("type", header.Type);
            json.WriteString("mode", header.Mode);
            json.WriteNumber("repeat", header.Repeat);
            json.WriteString("left", comparison.Left.Backend);
            json.WriteString("right", comparison.Right.Backend);
            json.WriteBoolean("agree", comparison.Agree);
            json.WriteNumber("compared", comparison.Compared);
            json.WriteStartObject("outcome");
            foreach (var side in new[] { comparison.Left, comparison.Right })
            {
                json.WriteStartObject(side.Backend);
                json.WriteString("failure", side.Failure);
                if (side.Failure is null)
                    json.WriteNumber("retval", side.Retval);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteStartArray("differences");
            foreach (var d in comparison.Differences)
            {
                json.WriteStartObject();
                json.WriteString("kind", JsonNamingPolicy.SnakeCaseLower.ConvertName(d.Kind.ToString()));
                json.WriteString("where", d.Where);
                json.WriteString("map", d.Map);
                json.WriteString("key", d.Key);
                WriteNullable(json, "offset", d.Offset);
                WriteNullable(json, "cpu", d.Cpu);
                json.WriteString("left", d.Left);
                json.WriteString("right", d.Right);
                json.WriteString("known_divergence", d.KnownDivergence);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } v)
            json.WriteNumber(name, v);
        else
            json.WriteNull(name);
    }
}
