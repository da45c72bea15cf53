using System.Globalization;
using System.Text;
using System.Text.Json;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Object;
using SharpBpf.Programs;
using SharpBpf.Runtime.Contexts;
using SharpBpf.Runtime.Helpers;

namespace SharpBpf.Cli.Commands;

/// <summary>
/// <c>sharpbpf prog run</c>: loads the whole object (so prog arrays can name its programs), applies the map
/// updates, test-runs one program and prints retval, duration, data_out, the trace lines and every map.
/// </summary>
public static class ProgRunner
{
    /// <summary><c>BPF_F_TEST_RUN_ON_CPU</c>.</summary>
    private const uint RunOnCpu = 1;

    /// <summary>Room for a packet to grow (bpf_xdp_adjust_tail) beyond data_in.</summary>
    private const int OutputSlack = 4096;

    /// <summary>Runs <paramref name="options"/>, writing to <paramref name="console"/>; returns the exit code.</summary>
    public static int Run(ProgRunOptions options, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        var (dataIn, ctxIn) = ReadInputs(options);

        using var session = ProgObjectSession.Open(options.ObjectPath, options.Backend, options.Type, loadPrograms: true, options.Mode);
        var spec = SelectProgram(session.Spec, options);
        var program = session.Collection.Program(spec.Name);
        ApplyUpdates(session, options.MapUpdates);
        var attr = BuildTestRun(options, program.Type, dataIn, ctxIn);

        ProgramRunResult result;
        IReadOnlyList<string> trace;
        using (var capture = TracePipe.Capture())
        {
            result = program.TestRun(attr);
            trace = capture.Lines;
        }

        if (options.DataOut is not null)
            WriteFile(options.DataOut, result.DataOut);

        if (options.Json)
            WriteJson(console.Output, session, spec, result, options.Repeat, trace);
        else
            WriteText(console.Output, session, spec, result, options, trace);
        return ExitCodes.Success;
    }

    /// <summary>Checks the options that need no object and reads <c>--data-in</c> and <c>--ctx-in</c> (exit 2 on a bad one).</summary>
    internal static (byte[]? DataIn, byte[]? CtxIn) ReadInputs(ProgRunOptions options)
    {
        if (options.Program is not null && options.Section is not null)
            throw new CliUsageException("give --program or --section, not both");
        if (options.Repeat == 0)
            throw new CliUsageException("--repeat must be at least 1");
        return (ReadFile(options.DataIn, "--data-in"), ReadFile(options.CtxIn, "--ctx-in"));
    }

    /// <summary>
    /// The BPF_PROG_TEST_RUN attributes for a program of <paramref name="type"/>: packet programs get the default
    /// packet without <c>--data-in</c>; <c>--cpu</c> only for raw tracepoints.
    /// </summary>
    internal static TestRunAttr BuildTestRun(ProgRunOptions options, ProgramType type, byte[]? dataIn, byte[]? ctxIn)
    {
        var packetType = type is ProgramType.Xdp or ProgramType.SocketFilter or ProgramType.SchedCls
            or ProgramType.SchedAct or ProgramType.CgroupSkb or ProgramType.LwtIn or ProgramType.LwtOut
            or ProgramType.LwtXmit or ProgramType.LwtSeg6Local;
        dataIn ??= packetType ? DefaultPacket() : null;
        if (options.Cpu is not null && type != ProgramType.RawTracepoint)
            throw new CliUsageException($"--cpu: only raw_tracepoint programs can be run on a chosen CPU ({ProgTypeNames.Of(type)} programs run on the caller's CPU)");
        return new TestRunAttr
        {
            DataIn = dataIn ?? default,
            DataSizeOut = dataIn is null ? 0 : (uint)(dataIn.Length + OutputSlack),
            CtxIn = ctxIn ?? default,
            CtxSizeOut = ctxIn is null ? 0 : 4096u,
            // 0 and 1 mean the same to the kernel, but raw tracepoints accept only 0.
            Repeat = options.Repeat <= 1 ? 0 : options.Repeat,
            Flags = options.Cpu is null ? 0 : RunOnCpu,
            Cpu = options.Cpu ?? 0,
        };
    }

    /// <summary>
    /// The program to run: by name, by section, or the only one. With several and neither option, the choice is the
    /// user's (exit 2 with the list).
    /// </summary>
    public static ProgramSpec SelectProgram(CollectionSpec spec, ProgRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        var names = string.Join(", ", spec.Programs.Select(p => $"{p.Name} ({p.SectionName})"));
        if (options.Program is { } name)
            return spec.FindProgram(name) ?? throw new CliUsageException($"--program: the object has no program '{name}' (programs: {names})");
        if (options.Section is { } section)
        {
            var matches = spec.Programs.Where(p => p.SectionName == section).ToList();
            return matches.Count switch
            {
                1 => matches[0],
                0 => throw new CliUsageException($"--section: no program is in section '{section}' (programs: {names})"),
                _ => throw new CliUsageException($"--section: section '{section}' holds {matches.Count} programs ({string.Join(", ", matches.Select(p => p.Name))}); choose one with --program"),
            };
        }

        return spec.Programs.Count switch
        {
            1 => spec.Programs[0],
            0 => throw new CliUsageException("the object has no programs"),
            _ => throw new CliUsageException($"the object has {spec.Programs.Count} programs ({names}); choose one with --program or --section"),
        };
    }

    /// <summary>
    /// The bench input (EXPECTED.md): a 64-byte Ethernet/IPv4/TCP SYN packet, 10.0.0.1:12345 -> 10.0.0.2:80, the
    /// default <c>data_in</c> of packet programs.
    /// </summary>
    public static byte[] DefaultPacket() => Hex.Parse(
        "000000000002 000000000001 0800 "
        + "4500 0032 0000 0000 4006 0000 0a000001 0a000002 "
        + "3039 0050 00000000 00000000 5002 2000 0000 0000 "
        + "00000000000000000000");

    /// <summary>
    /// Checks <c>--map-update</c> against the object before anything is loaded: the map exists and the key and value
    /// parse at its sizes (exit 2), so usage errors never depend on which backend is usable.
    /// </summary>
    internal static void CheckUpdates(CollectionSpec spec, IReadOnlyList<(string Map, string Key, string Value)> updates)
    {
        foreach (var (mapName, keyText, valueText) in updates)
        {
            var map = spec.Maps.FirstOrDefault(m => m.Name == mapName)
                ?? throw new CliUsageException($"--map-update: the object has no map '{mapName}' (maps: {string.Join(", ", spec.Maps.Select(m => m.Name))})");
            try
            {
                MapValueParser.Parse(keyText, (int)map.KeySize, $"--map-update {mapName}: key");
                var valueTokens = valueText.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (valueTokens.Length == 2 && valueTokens[0] == "prog" && map.Type == MapType.ProgArray)
                {
                    if (spec.FindProgram(valueTokens[1]) is null)
                        throw new CliUsageException($"--map-update {mapName}: value 'prog {valueTokens[1]}': the object has no program '{valueTokens[1]}'");
                }
                else
                {
                    MapValueParser.Parse(valueText, (int)map.ValueSize, $"--map-update {mapName}: value");
                }
            }
            catch (FormatException e)
            {
                throw new CliUsageException(e.Message, e);
            }
        }
    }

    internal static void ApplyUpdates(ProgObjectSession session, IReadOnlyList<(string Map, string Key, string Value)> updates)
    {
        foreach (var (mapName, keyText, valueText) in updates)
        {
            if (!session.Collection.TryGetMap(mapName, out var map))
                throw new CliUsageException($"--map-update: the object has no map '{mapName}' (maps: {string.Join(", ", session.Spec.Maps.Select(m => m.Name))})");
            byte[] key, value;
            try
            {
                key = MapValueParser.Parse(keyText, map.KeySize, $"--map-update {mapName}: key");
                var valueTokens = valueText.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (valueTokens.Length == 2 && valueTokens[0] == "prog" && map.Type == MapType.ProgArray)
                {
                    if (!session.Collection.TryGetProgram(valueTokens[1], out var target))
                        throw new CliUsageException($"--map-update {mapName}: value 'prog {valueTokens[1]}': the object has no program '{valueTokens[1]}'");
                    value = BitConverter.GetBytes(target.Fd);
                }
                else
                {
                    value = MapValueParser.Parse(valueText, map.ValueSize, $"--map-update {mapName}: value");
                }
            }
            catch (FormatException e)
            {
                throw new CliUsageException(e.Message, e);
            }

            if (map.IsPerCpu)
            {
                // One value for every CPU's copy.
                var stride = (map.ValueSize + 7) & ~7;
                var all = new byte[map.ValueBufferSize];
                for (var cpu = 0; cpu < map.Backend.PossibleCpus; cpu++)
                    value.CopyTo(all, cpu * stride);
                value = all;
            }

            map.Update(key, value);
        }
    }

    private static void WriteText(TextWriter output, ProgObjectSession session, ProgramSpec spec, ProgramRunResult result,
        ProgRunOptions options, IReadOnlyList<string> trace)
    {
        var program = session.Collection.Program(spec.Name);
        var engine = session.Backend.Name == BackendOption.Kernel ? "" : $", {ModeOption.Name(options.Mode)}";
        output.WriteLine($"program: {spec.Name} ({ProgTypeNames.Of(program.Type)}, section {spec.SectionName}) on {session.Backend.Name}{engine}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"retval: {result.ReturnValue} (0x{result.ReturnValue:x})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"repeat: {options.Repeat}, duration: {result.DurationNs} ns per run"));
        if (result.DataOut.Length != 0)
        {
            output.WriteLine($"data_out: {result.DataOut.Length} bytes");
            for (var offset = 0; offset < result.DataOut.Length; offset += 16)
            {
                var line = result.DataOut.AsSpan(offset, Math.Min(16, result.DataOut.Length - offset));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {offset:x4}: {MapDumper.Bytes(line)}"));
            }
        }

        foreach (var line in trace)
            output.WriteLine($"trace: {line}");

        if (options.Histogram is { } histogram)
        {
            if (!session.Collection.TryGetMap(histogram, out var map))
                throw new CliUsageException($"--histogram: the object has no map '{histogram}' (maps: {string.Join(", ", session.Spec.Maps.Select(m => m.Name))})");
            output.WriteLine();
            output.WriteLine($"histogram of map '{histogram}' (log2 slots, summed over CPUs):");
            ProgHistogram.Draw(output, ProgHistogram.Counts(map), ProgHistogram.UnitOf(histogram));
            return;
        }

        for (var i = 0; i < session.Spec.Maps.Count; i++)
        {
            output.WriteLine();
            var map = session.Collection.Maps[i];
            MapDumper.WriteText(output, session.Spec.Maps[i].Name, map, MapDumper.Entries(map));
        }
    }

    private static void WriteJson(TextWriter output, ProgObjectSession session, ProgramSpec spec, ProgramRunResult result,
        uint repeat, IReadOnlyList<string> trace)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("program", spec.Name);
            json.WriteNumber("retval", result.ReturnValue);
            json.WriteNumber("repeat", repeat);
            json.WriteNumber("duration_ns", result.DurationNs);
            json.WriteString("data_out", Convert.ToHexStringLower(result.DataOut));
            json.WriteStartArray("trace");
            foreach (var line in trace)
                json.WriteStringValue(line);
            json.WriteEndArray();
            json.WriteStartObject("maps");
            for (var i = 0; i < session.Spec.Maps.Count; i++)
            {
                var map = session.Collection.Maps[i];
                json.WritePropertyName(session.Spec.Maps[i].Name);
                MapDumper.WriteJson(json, map, MapDumper.Entries(map));
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static byte[]? ReadFile(string? path, string option)
    {
        if (path is null)
            return null;
        if (!File.Exists(path))
            throw new CliUsageException($"{option}: no such file: {path}");
        return File.ReadAllBytes(path);
    }

    private static void WriteFile(string path, byte[] bytes)
    {
        try
        {
            File.WriteAllBytes(path, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"--data-out: cannot write {path}: {e.Message}", e);
        }
    }
}
