using System.Globalization;

namespace SharpBpf.Linux;

/// <summary>Parses the kernel's CPU list format (<c>/sys/devices/system/cpu/possible</c>: <c>0-1,4</c>).</summary>
internal static class CpuList
{
    /// <summary>The number of CPUs named by <paramref name="list"/>, or -1 when it is not a CPU list.</summary>
    public static int Count(ReadOnlySpan<char> list)
    {
        list = list.Trim();
        if (list.IsEmpty)
            return -1;

        int count = 0;
        foreach (Range part in list.Split(','))
        {
            ReadOnlySpan<char> item = list[part].Trim();
            int dash = item.IndexOf('-');
            if (dash < 0)
            {
                if (!TryParseCpu(item, out _))
                    return -1;
                count++;
                continue;
            }

            if (!TryParseCpu(item[..dash], out int first) || !TryParseCpu(item[(dash + 1)..], out int last) || last < first)
                return -1;
            count += last - first + 1;
        }

        return count;
    }

    /// <summary>The number of possible CPUs of this machine: the count of per-CPU copies of a per-CPU map value.</summary>
    public static int ReadPossible(string path = "/sys/devices/system/cpu/possible")
    {
        try
        {
            int count = Count(File.ReadAllText(path));
            if (count > 0)
                return count;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        // No sysfs (not Linux, or a sandbox): every CPU the runtime sees is at least possible.
        return Environment.ProcessorCount;
    }

    private static bool TryParseCpu(ReadOnlySpan<char> text, out int cpu) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out cpu);
}
