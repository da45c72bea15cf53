using System.Text;
using System.Text.Json;
using SharpBpf.Abi;
using SharpBpf.Maps;

namespace SharpBpf.Cli.Commands;

/// <summary>
/// Map contents as <c>bpftool map dump</c> prints them: text (<c>key: 00 00 00 00  value: 01 00 ...</c>, per-CPU
/// values one line per CPU) and JSON entries (<c>{"key": ["0x00", ...], "value": [...]}</c> or
/// <c>"values": [{"cpu": 0, "value": [...]}, ...]</c>). Array entries whose value is all zero are left out.
/// </summary>
public static class MapDumper
{
    /// <summary>One element: its key and its value, or one value per possible CPU.</summary>
    public sealed record Entry(byte[] Key, byte[] Value, IReadOnlyList<byte[]>? PerCpu);

    /// <summary>
    /// The elements of <paramref name="map"/> in key order, without the all-zero elements of arrays (every index of
    /// an array exists, so they carry no information); empty slots of fd arrays are skipped as bpftool skips them.
    /// </summary>
    public static List<Entry> Entries(BpfMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var entries = new List<Entry>();
        var isArray = map.Type is MapType.Array or MapType.PerCpuArray;
        var buffer = new byte[map.ValueBufferSize];
        foreach (var key in map.Keys)
        {
            bool found;
            try
            {
                found = map.TryLookup(key, buffer);
            }
            catch (BpfException)
            {
                // Types whose elements userspace cannot read (perf event arrays): there is nothing to print.
                continue;
            }

            if (!found || (isArray && !buffer.AsSpan().ContainsAnyExcept((byte)0)))
                continue;
            if (!map.IsPerCpu)
            {
                entries.Add(new Entry(key, (byte[])buffer.Clone(), null));
                continue;
            }

            var stride = (map.ValueSize + 7) & ~7;
            var perCpu = new List<byte[]>();
            for (var cpu = 0; cpu < map.Backend.PossibleCpus; cpu++)
                perCpu.Add(buffer.AsSpan(cpu * stride, map.ValueSize).ToArray());
            entries.Add(new Entry(key, [], perCpu));
        }

        return entries;
    }

    /// <summary>bpftool's text form of <paramref name="entries"/>.</summary>
    public static void WriteText(TextWriter output, string name, BpfMap map, List<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(entries);
        output.WriteLine($"map '{name}' ({ProgTypeNames.Of(map.Type)}, key {map.KeySize}B, value {map.ValueSize}B, max_entries {map.MaxEntries}):");
        foreach (var entry in entries)
        {
            if (entry.PerCpu is null)
            {
                output.WriteLine($"key: {Bytes(entry.Key)}  value: {Bytes(entry.Value)}");
                continue;
            }

            output.WriteLine("key:");
            output.WriteLine(Bytes(entry.Key));
            for (var cpu = 0; cpu < entry.PerCpu.Count; cpu++)
                output.WriteLine($"value (CPU {cpu:00}): {Bytes(entry.PerCpu[cpu])}");
        }

        var zeroNote = map.Type is MapType.Array or MapType.PerCpuArray ? " (all-zero elements not shown)" : "";
        output.WriteLine(entries.Count == 1 ? $"Found 1 element{zeroNote}" : $"Found {entries.Count} elements{zeroNote}");
    }

    /// <summary>The map as a JSON object: type, sizes, max_entries and the entries as <c>bpftool map dump -j</c> writes them.</summary>
    public static void WriteJson(Utf8JsonWriter json, BpfMap map, List<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(entries);
        json.WriteStartObject();
        json.WriteString("type", ProgTypeNames.Of(map.Type));
        json.WriteNumber("key_size", map.KeySize);
        json.WriteNumber("value_size", map.ValueSize);
        json.WriteNumber("max_entries", map.MaxEntries);
        json.WritePropertyName("entries");
        WriteEntries(json, entries);
        json.WriteEndObject();
    }

    /// <summary>The entries array exactly as <c>bpftool map dump -j</c> writes it.</summary>
    public static void WriteEntries(Utf8JsonWriter json, List<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(entries);
        json.WriteStartArray();
        foreach (var entry in entries)
        {
            json.WriteStartObject();
            WriteHexArray(json, "key", entry.Key);
            if (entry.PerCpu is null)
            {
                WriteHexArray(json, "value", entry.Value);
            }
            else
            {
                json.WriteStartArray("values");
                for (var cpu = 0; cpu < entry.PerCpu.Count; cpu++)
                {
                    json.WriteStartObject();
                    json.WriteNumber("cpu", cpu);
                    WriteHexArray(json, "value", entry.PerCpu[cpu]);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>"00 01 ff": bytes as bpftool prints them.</summary>
    public static string Bytes(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (text.Length != 0)
                text.Append(' ');
            text.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private static void WriteHexArray(Utf8JsonWriter json, string name, byte[] bytes)
    {
        json.WriteStartArray(name);
        foreach (var b in bytes)
            json.WriteStringValue($"0x{b:x2}");
        json.WriteEndArray();
    }
}
