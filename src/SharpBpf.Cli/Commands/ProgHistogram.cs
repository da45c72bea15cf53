using System.Buffers.Binary;
using System.Globalization;
using SharpBpf.Maps;

namespace SharpBpf.Cli.Commands;

/// <summary>
/// A log2 histogram map drawn as bars, the way bcc's tools print them: slot <c>i</c> of an array of u64 counters
/// counts values in [2^i, 2^(i+1)) (slot 0 also counts 0), per-CPU counters are summed over the CPUs, and the bars
/// scale to the largest slot. Leading and trailing empty slots are not shown.
/// </summary>
public static class ProgHistogram
{
    private const int BarWidth = 40;

    /// <summary>The slot counts of <paramref name="map"/> (summed over CPUs).</summary>
    /// <exception cref="CliUsageException">The map's values are not u64 counters.</exception>
    public static ulong[] Counts(BpfMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.ValueSize != sizeof(ulong) || map.KeySize != sizeof(uint))
            throw new CliUsageException($"--histogram: map '{map.Name}' must have 4-byte keys and u64 values (it has key {map.KeySize}B, value {map.ValueSize}B)");
        var counts = new ulong[map.MaxEntries];
        var buffer = new byte[map.ValueBufferSize];
        var stride = (map.ValueSize + 7) & ~7;
        for (var slot = 0u; slot < map.MaxEntries; slot++)
        {
            if (!map.TryLookup(BitConverter.GetBytes(slot), buffer))
                continue;
            for (var offset = 0; offset + sizeof(ulong) <= buffer.Length; offset += stride)
                counts[slot] += BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(offset));
        }

        return counts;
    }

    /// <summary>The unit a map's name ends with (<c>latency_ns</c>: ns), else "value".</summary>
    public static string UnitOf(string mapName)
    {
        ArgumentNullException.ThrowIfNull(mapName);
        var suffix = mapName[(mapName.LastIndexOf('_') + 1)..];
        return suffix is "ns" or "us" or "ms" or "usecs" or "nsecs" or "msecs" or "bytes" or "kbytes" ? suffix : "value";
    }

    /// <summary>Draws <paramref name="counts"/>.</summary>
    public static void Draw(TextWriter output, ulong[] counts, string unit = "value")
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(counts);
        var first = Array.FindIndex(counts, c => c != 0);
        if (first < 0)
        {
            output.WriteLine("(the histogram is empty)");
            return;
        }

        var last = Array.FindLastIndex(counts, c => c != 0);
        var max = counts.Max();
        output.WriteLine($"{unit,20}{"",-16} : {"count",-8} distribution");
        for (var slot = first; slot <= last; slot++)
        {
            var low = slot == 0 ? 0 : 1UL << slot;
            var high = slot >= 63 ? ulong.MaxValue : (1UL << (slot + 1)) - 1;
            var stars = (int)Math.Round((double)counts[slot] * BarWidth / max);
            var range = string.Create(CultureInfo.InvariantCulture, $"{low,20} -> {high,-12}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{range} : {counts[slot],-8} |{new string('*', stars),-BarWidth}|"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total: {counts.Aggregate(0UL, (a, b) => a + b)}"));
    }
}
