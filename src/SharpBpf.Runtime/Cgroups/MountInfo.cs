using System.Text;

namespace SharpBpf.Runtime.Cgroups;

/// <summary>Parses <c>/proc/*/mountinfo</c> (proc(5)): pure, so it is tested on text.</summary>
internal static class MountInfo
{
    /// <summary>One mountinfo line: the fields this code needs.</summary>
    internal readonly record struct Entry(int MountId, string Root, string MountPoint, string FsType);

    /// <summary>Parses every well-formed line; malformed lines are skipped.</summary>
    public static List<Entry> Parse(string text)
    {
        var entries = new List<Entry>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // id parent major:minor root mount-point options [optional fields...] - fstype source super-options
            var fields = line.Split(' ');
            if (fields.Length < 8)
                continue;
            int separator = Array.IndexOf(fields, "-", 6);
            if (separator < 0 || separator + 1 >= fields.Length)
                continue;
            if (!int.TryParse(fields[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int id))
                continue;
            entries.Add(new Entry(id, Unescape(fields[3]), Unescape(fields[4]), Unescape(fields[separator + 1])));
        }
        return entries;
    }

    /// <summary>
    /// Undoes the kernel's octal escapes (<c>\040</c> space, <c>\011</c> tab, <c>\012</c> newline, <c>\134</c>
    /// backslash): it only escapes those ASCII characters, so each escape is one char.
    /// </summary>
    public static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
            return field;
        var sb = new StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                sb.Append((char)(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }
        return sb.ToString();
    }

    private static bool IsOctal(string s, int start)
    {
        if (start + 3 > s.Length)
            return false;
        for (int i = start; i < start + 3; i++)
        {
            if (s[i] < '0' || s[i] > '7')
                return false;
        }
        return s[start] <= '3';
    }
}
