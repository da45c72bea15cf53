using System.Text.Json;

namespace SharpBpf.Object.Tests;

/// <summary>Typed view of a &lt;obj&gt;.facts.json file written by testdata/objects/make_facts.py.</summary>
internal sealed record Facts(
    IReadOnlyList<Facts.Section> Sections,
    IReadOnlyList<Facts.Symbol> Symbols,
    IReadOnlyList<Facts.Relocation> Relocations,
    IReadOnlyDictionary<string, IReadOnlyDictionary<long, int>> Lines,
    JsonElement Btf)
{
    public sealed record Section(int Index, string Name, string Type, long Offset, long Size);

    public sealed record Symbol(int Index, string Name, ulong Value, ulong Size, string Binding, string Type, string SectionName);

    public sealed record Relocation(string Section, long Offset, string Type, string Symbol, int SymbolIndex);

    public static Facts Load(string relative)
    {
        var root = TestData.Facts(relative);
        var sections = root.GetProperty("sections").EnumerateArray()
            .Select(s => new Section(s.GetProperty("index").GetInt32(), s.GetProperty("name").GetString()!, s.GetProperty("type").GetString()!,
                s.GetProperty("offset").GetInt64(), s.GetProperty("size").GetInt64()))
            .ToList();
        var symbols = root.GetProperty("symbols").EnumerateArray()
            .Select(s => new Symbol(s.GetProperty("index").GetInt32(), s.GetProperty("name").GetString()!, s.GetProperty("value").GetUInt64(),
                s.GetProperty("size").GetUInt64(), s.GetProperty("binding").GetString()!, s.GetProperty("type").GetString()!,
                s.GetProperty("section").GetString()!))
            .ToList();
        var relocations = root.GetProperty("relocations").EnumerateArray()
            .Select(r => new Relocation(r.GetProperty("section").GetString()!, r.GetProperty("offset").GetInt64(), r.GetProperty("type").GetString()!,
                r.GetProperty("symbol").GetString()!, r.GetProperty("symbolIndex").GetInt32()))
            .ToList();
        var lines = root.GetProperty("lines").EnumerateObject().ToDictionary(
            p => p.Name,
            p => (IReadOnlyDictionary<long, int>)p.Value.EnumerateObject().ToDictionary(l => long.Parse(l.Name), l => l.Value.GetInt32()));
        return new Facts(sections, symbols, relocations, lines, root.GetProperty("btf"));
    }

    public IEnumerable<Symbol> Functions => Symbols.Where(s => s.Type == "Function");

    /// <summary>Entry-point programs: functions outside .text.</summary>
    public IEnumerable<Symbol> Programs => Functions.Where(s => s.SectionName != ".text");

    public Symbol Function(string name) => Functions.Single(f => f.Name == name);

    public Section SectionNamed(string name) => Sections.Single(s => s.Name == name);

    /// <summary>The raw 8-byte slots of a function, straight from the file at the offsets llvm-readobj reported.</summary>
    public ulong[] RawSlots(byte[] file, Symbol function)
    {
        var section = SectionNamed(function.SectionName);
        var slots = new ulong[function.Size / 8];
        for (int i = 0; i < slots.Length; i++)
            slots[i] = BitConverter.ToUInt64(file, (int)(section.Offset + (long)function.Value + (i * 8)));
        return slots;
    }
}
