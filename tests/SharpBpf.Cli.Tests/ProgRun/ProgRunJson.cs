using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;

namespace SharpBpf.Cli.Tests.ProgRun;

/// <summary>The parsed <c>prog run --json</c> output.</summary>
internal sealed class ProgRunJson
{
    private ProgRunJson(JsonElement root) => Root = root;

    public JsonElement Root { get; }

    public uint Retval => Root.GetProperty("retval").GetUInt32();

    public static ProgRunJson Parse(string output) => new(JsonDocument.Parse(output).RootElement.Clone());

    public static string Path(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine([dir.FullName, .. parts]);
            if (File.Exists(candidate))
                return candidate;
        }

        throw new FileNotFoundException($"{string.Join('/', parts)} not found above {AppContext.BaseDirectory}");
    }

    /// <summary>Key (as u32) to value (as u64) of a map's entries; per-CPU values summed over CPUs.</summary>
    public Dictionary<uint, ulong> U64s(string map)
    {
        var result = new Dictionary<uint, ulong>();
        foreach (var entry in Root.GetProperty("maps").GetProperty(map).GetProperty("entries").EnumerateArray())
        {
            var key = BinaryPrimitives.ReadUInt32LittleEndian(Bytes(entry.GetProperty("key")));
            if (entry.TryGetProperty("values", out var perCpu))
                result[key] = perCpu.EnumerateArray().Aggregate(0UL, (sum, v) => sum + ToU64(Bytes(v.GetProperty("value"))));
            else
                result[key] = ToU64(Bytes(entry.GetProperty("value")));
        }

        return result;
    }

    /// <summary>The per-CPU values of one key.</summary>
    public ulong[] PerCpu(string map, uint key)
    {
        foreach (var entry in Root.GetProperty("maps").GetProperty(map).GetProperty("entries").EnumerateArray())
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(Bytes(entry.GetProperty("key"))) == key)
                return [.. entry.GetProperty("values").EnumerateArray().Select(v => ToU64(Bytes(v.GetProperty("value"))))];
        }

        return [];
    }

    public static byte[] Bytes(JsonElement hexArray) =>
        [.. hexArray.EnumerateArray().Select(b => byte.Parse(b.GetString()!.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture))];

    private static ulong ToU64(byte[] bytes)
    {
        var buffer = new byte[8];
        bytes.AsSpan(0, Math.Min(8, bytes.Length)).CopyTo(buffer);
        return BinaryPrimitives.ReadUInt64LittleEndian(buffer);
    }
}
