using SharpBpf.Object.Elf;

namespace SharpBpf.Object.Btf;

/// <summary>The BTF string table, with decoded strings cached by offset.</summary>
internal sealed class BtfStrings(SectionReader table)
{
    private readonly Dictionary<uint, string> cache = [];

    /// <summary>The string at <paramref name="offset"/>; errors are reported at <paramref name="at"/> in <paramref name="where"/>.</summary>
    public string Get(uint offset, SectionReader where, long at, string what)
    {
        if (offset == 0)
            return "";
        if (cache.TryGetValue(offset, out var s))
            return s;
        if (offset >= table.Length)
            throw where.Fail(at, $"{what}: string offset {offset} is outside the {table.Length}-byte BTF string table");
        s = table.CString(offset, what);
        cache[offset] = s;
        return s;
    }
}
