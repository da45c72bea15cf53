using System.CommandLine;
using System.Text;
using System.Text.Json;
using SharpBpf.Abi;
using SharpBpf.Features;
using SharpBpf.Linux;
using SharpBpf.Runtime;

namespace SharpBpf.Cli.Commands;

/// <summary>
/// <c>sharpbpf feature probe [--backend userspace|kernel] [--json] [--no-cache] [--cache-dir DIR]</c>: which map
/// types, program types and helpers a backend supports, grouped as <c>bpftool feature probe</c> prints them.
/// </summary>
public static class FeatureCommand
{
    /// <summary>Builds the <c>feature</c> noun.</summary>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var feature = new Command("feature", "What a backend supports");
        var backend = BackendOption.Create();
        var noCache = new Option<bool>("--no-cache")
        {
            Description = "Kernel: probe again instead of answering from the cache (the fresh answers replace the cached ones)",
        };
        var cacheDir = new Option<string?>("--cache-dir")
        {
            Description = "Kernel: the cache directory (default $XDG_CACHE_HOME/sharpbpf or ~/.cache/sharpbpf; the file is features-<kernel release>.json)",
        };
        var probe = new Command("probe",
            "List the map types, program types and helpers (for socket_filter, kprobe, tracepoint and xdp programs) the backend "
            + "supports. The userspace runtime answers from its own tables; the kernel is probed as bpftool does (a tiny map per "
            + "type, a tiny program per type, a program per helper judged by the verifier log) and the answers are cached per "
            + "kernel release")
        {
            backend, noCache, cacheDir,
        };
        probe.SetAction(parse => ProgCommand.Guard(context, () =>
        {
            FeatureSet features;
            string? source = null;
            if (parse.GetValue(backend) == BackendOption.Kernel)
            {
                BackendOption.RequireKernel();
                var kernel = new KernelFeatures(parse.GetValue(cacheDir), useCache: !parse.GetValue(noCache));
                features = kernel.Probe();
                source = kernel.Source == "probe" ? $"probed, cached in {kernel.CacheFile}" : $"from the {kernel.Source} cache ({kernel.CacheFile})";
            }
            else
            {
                features = new UserspaceFeatures().Probe();
            }

            if (parse.GetValue(context.Json))
                WriteJson(context.Console.Output, features);
            else
                WriteText(context.Console.Output, features, source);
            return ExitCodes.Success;
        }));
        feature.Subcommands.Add(probe);
        return feature;
    }

    /// <summary>bpftool's grouping: program types, map types, then the helpers of each probed program type.</summary>
    public static void WriteText(TextWriter output, FeatureSet features, string? source)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(features);
        output.WriteLine(features.KernelRelease is null
            ? $"backend: {features.Backend}"
            : $"backend: {features.Backend} (Linux {features.KernelRelease}{(source is null ? "" : $", {source}")})");
        output.WriteLine();
        output.WriteLine("Scanning eBPF program types...");
        foreach (var (type, yes) in features.ProgramTypes.OrderBy(p => p.Key))
        {
            var run = features.TestRunProgramTypes is { } runnable && yes
                ? runnable.Contains(type) ? " (test run)" : " (load only, no test run)"
                : "";
            output.WriteLine($"eBPF program_type {ProgTypeNames.Of(type)} is {(yes ? "available" : "NOT available")}{run}");
        }

        foreach (var (type, reason) in features.NotProbedProgramTypes.OrderBy(p => p.Key))
            output.WriteLine($"eBPF program_type {ProgTypeNames.Of(type)} is not probed: {reason}");

        output.WriteLine();
        output.WriteLine("Scanning eBPF map types...");
        foreach (var (type, yes) in features.MapTypes.OrderBy(p => p.Key))
            output.WriteLine($"eBPF map_type {ProgTypeNames.Of(type)} is {(yes ? "available" : "NOT available")}");

        output.WriteLine();
        output.WriteLine("Scanning eBPF helper functions...");
        foreach (var (type, ids) in features.Helpers.OrderBy(p => p.Key))
        {
            output.WriteLine($"eBPF helpers supported for program type {ProgTypeNames.Of(type)}:");
            foreach (var id in ids)
                output.WriteLine($"\t- {HelperNames.Of(id)}");
        }
    }

    /// <summary>bpftool's <c>feature probe -j</c> keys (<c>have_xdp_prog_type</c>, <c>xdp_available_helpers</c>) plus the backend.</summary>
    public static void WriteJson(TextWriter output, FeatureSet features)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(features);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("backend", features.Backend);
            json.WriteString("kernel_release", features.KernelRelease);
            json.WriteStartObject("program_types");
            foreach (var (type, yes) in features.ProgramTypes.OrderBy(p => p.Key))
                json.WriteBoolean($"have_{ProgTypeNames.Of(type)}_prog_type", yes);
            json.WriteEndObject();
            json.WriteStartObject("not_probed_program_types");
            foreach (var (type, reason) in features.NotProbedProgramTypes.OrderBy(p => p.Key))
                json.WriteString(ProgTypeNames.Of(type), reason);
            json.WriteEndObject();
            json.WriteStartObject("map_types");
            foreach (var (type, yes) in features.MapTypes.OrderBy(p => p.Key))
                json.WriteBoolean($"have_{ProgTypeNames.Of(type)}_map_type", yes);
            json.WriteEndObject();
            json.WriteStartObject("helpers");
            foreach (var (type, ids) in features.Helpers.OrderBy(p => p.Key))
            {
                json.WriteStartArray($"{ProgTypeNames.Of(type)}_available_helpers");
                foreach (var id in ids)
                    json.WriteStringValue(HelperNames.Of(id));
                json.WriteEndArray();
            }

            json.WriteEndObject();
            if (features.TestRunProgramTypes is { } runnable)
            {
                json.WriteStartArray("test_run_program_types");
                foreach (var type in runnable.Order())
                    json.WriteStringValue(ProgTypeNames.Of(type));
                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }
}
