using System.Globalization;

namespace SharpBpf.Linux;

/// <summary>Parses the kernel's CPU list format (<c>/sys/devices/system/cpu/possible</c>: <c>0-1,4</c>).</summary>
internal static class CpuList
{
    /// <summary>The number of CPUs named by <paramref name="list"/>, or -1 when it is not a CPU list.</summary>
    public static int Count(ReadOnlySpan<char> list) => Parse(list)?.Length ?? -1;

    /// <summary>The CPU ids named by <paramref name="list"/> in ascending order, or null when it is not a CPU list.</summary>
    public static int[]? Parse(ReadOnlySpan<char> list)
    {
        list = list.Trim();
        if (list.IsEmpty)
            return null;

        var cpus = new SortedSet<int>();
        foreach (Range part in list.Split(','))
        {
            ReadOnlySpan<char> item = list[part].Trim();
            int dash = item.IndexOf('-');
            ReadOnlySpan<char> low = dash < 0 ? item : item[..dash];
            ReadOnlySpan<char> high = dash < 0 ? item : item[(dash + 1)..];
            if (!TryParseCpu(low, out int first) || !TryParseCpu(high, out int last) || last < first)
                return null;
            for (int cpu = first; cpu <= last; cpu++)
                cpus.Add(cpu);
        }

        return [.. cpus];
    }

    /// <summary>The number of possible CPUs of this machine: the count of per-CPU copies of a per-CPU map value.</summary>
    public static int ReadPossible(string path = "/sys/devices/system/cpu/possible") =>
        ReadList(path)?.Length ?? Environment.ProcessorCount;

    /// <summary>The ids of the online CPUs, or 0..ProcessorCount-1 without sysfs.</summary>
    public static int[] ReadOnline(string path = "/sys/devices/system/cpu/online") =>
        ReadList(path) ?? [.. Enumerable.Range(0, Environment.ProcessorCount)];

    private static int[]? ReadList(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path)) is { Length: > 0 } cpus ? cpus : null;
        }
        catch (IOException)
        {
            // No sysfs (not Linux, or a sandbox): the caller falls back to the CPUs the runtime sees.
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool TryParseCpu(ReadOnlySpan<char> text, out int cpu) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out cpu);
}
