using System.Globalization;
using System.Text;
using System.Text.Json;
using SharpBpf.Abi;

namespace SharpBpf.Features;

/// <summary>
/// What one backend supports: every map type and program type with a yes or no, and for a few program types
/// (<see cref="BackendProbe.HelperProgramTypes"/>) the helpers a program of that type may call. Serialises to a
/// small versioned JSON document (the kernel probe's cache file).
/// </summary>
public sealed record FeatureSet
{
    /// <summary>The cache format; a file of another version is probed again.</summary>
    public const int FormatVersion = 2;

    /// <summary>The backend: <c>userspace</c> or <c>kernel</c>.</summary>
    public required string Backend { get; init; }

    /// <summary>The kernel release the answers hold for (<c>uname -r</c>); null for the userspace runtime.</summary>
    public string? KernelRelease { get; init; }

    /// <summary>Every probed map type and whether the backend creates it.</summary>
    public required IReadOnlyDictionary<MapType, bool> MapTypes { get; init; }

    /// <summary>Every probed program type and whether the backend loads it.</summary>
    public required IReadOnlyDictionary<ProgramType, bool> ProgramTypes { get; init; }

    /// <summary>For each program type whose helpers were probed: the ids of the helpers it may call, ascending.</summary>
    public required IReadOnlyDictionary<ProgramType, IReadOnlyList<int>> Helpers { get; init; }

    /// <summary>
    /// The program types the backend can test-run (BPF_PROG_TEST_RUN), where it says so; null where this was not
    /// probed (the kernel probe loads programs but does not run them).
    /// </summary>
    public IReadOnlySet<ProgramType>? TestRunProgramTypes { get; init; }

    /// <summary>Program types the probe could not judge, with the reason (they are in neither state in <see cref="ProgramTypes"/>).</summary>
    public IReadOnlyDictionary<ProgramType, string> NotProbedProgramTypes { get; init; } = new Dictionary<ProgramType, string>();

    /// <summary>True when the backend creates maps of <paramref name="type"/>.</summary>
    public bool Supports(MapType type) => MapTypes.TryGetValue(type, out var yes) && yes;

    /// <summary>True when the backend loads programs of <paramref name="type"/>.</summary>
    public bool Supports(ProgramType type) => ProgramTypes.TryGetValue(type, out var yes) && yes;

    /// <summary>True when programs of <paramref name="type"/> may call helper <paramref name="helper"/> (false where not probed).</summary>
    public bool SupportsHelper(ProgramType type, int helper) =>
        Helpers.TryGetValue(type, out var ids) && ids.Contains(helper);

    /// <summary>The set as the cache's JSON document (numeric type and helper ids, so names can change).</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("format", FormatVersion);
            json.WriteString("backend", Backend);
            json.WriteString("kernel_release", KernelRelease);
            json.WriteStartObject("map_types");
            foreach (var (type, yes) in MapTypes.OrderBy(p => p.Key))
                json.WriteBoolean(((int)type).ToString(CultureInfo.InvariantCulture), yes);
            json.WriteEndObject();
            json.WriteStartObject("program_types");
            foreach (var (type, yes) in ProgramTypes.OrderBy(p => p.Key))
                json.WriteBoolean(((int)type).ToString(CultureInfo.InvariantCulture), yes);
            json.WriteEndObject();
            json.WriteStartObject("helpers");
            foreach (var (type, ids) in Helpers.OrderBy(p => p.Key))
            {
                json.WriteStartArray(((int)type).ToString(CultureInfo.InvariantCulture));
                foreach (var id in ids)
                    json.WriteNumberValue(id);
                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteStartObject("not_probed_program_types");
            foreach (var (type, reason) in NotProbedProgramTypes.OrderBy(p => p.Key))
                json.WriteString(((int)type).ToString(CultureInfo.InvariantCulture), reason);
            json.WriteEndObject();
            if (TestRunProgramTypes is { } runnable)
            {
                json.WriteStartArray("test_run_program_types");
                foreach (var type in runnable.Order())
                    json.WriteNumberValue((int)type);
                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Reads a document <see cref="ToJson"/> wrote.</summary>
    /// <exception cref="FormatException">The text is not such a document, or of another <see cref="FormatVersion"/>.</exception>
    public static FeatureSet FromJson(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.GetProperty("format").GetInt32() != FormatVersion)
                throw new FormatException($"feature set format {root.GetProperty("format").GetInt32()}, expected {FormatVersion}");
            var maps = root.GetProperty("map_types").EnumerateObject()
                .ToDictionary(p => (MapType)int.Parse(p.Name, CultureInfo.InvariantCulture), p => p.Value.GetBoolean());
            var programs = root.GetProperty("program_types").EnumerateObject()
                .ToDictionary(p => (ProgramType)int.Parse(p.Name, CultureInfo.InvariantCulture), p => p.Value.GetBoolean());
            var helpers = root.GetProperty("helpers").EnumerateObject().ToDictionary(
                p => (ProgramType)int.Parse(p.Name, CultureInfo.InvariantCulture),
                p => (IReadOnlyList<int>)[.. p.Value.EnumerateArray().Select(v => v.GetInt32())]);
            var notProbed = root.GetProperty("not_probed_program_types").EnumerateObject()
                .ToDictionary(p => (ProgramType)int.Parse(p.Name, CultureInfo.InvariantCulture), p => p.Value.GetString() ?? "");
            HashSet<ProgramType>? runnable = root.TryGetProperty("test_run_program_types", out var r)
                ? [.. r.EnumerateArray().Select(v => (ProgramType)v.GetInt32())]
                : null;
            return new FeatureSet
            {
                Backend = root.GetProperty("backend").GetString() ?? throw new FormatException("no backend"),
                KernelRelease = root.GetProperty("kernel_release").GetString(),
                MapTypes = maps,
                ProgramTypes = programs,
                Helpers = helpers,
                NotProbedProgramTypes = notProbed,
                TestRunProgramTypes = runnable,
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or OverflowException)
        {
            throw new FormatException($"not a feature set document: {e.Message}", e);
        }
    }
}
