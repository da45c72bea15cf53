using SharpBpf.Object.Elf;

namespace SharpBpf.Object.Maps;

/// <summary>Finds the map an <c>lddw</c> relocation refers to, by the section and offset of its symbol.</summary>
internal sealed class MapIndex
{
    private readonly Dictionary<int, Dictionary<ulong, string>> definitionsBySection = [];
    private readonly Dictionary<int, string> dataBySection = [];

    public void AddDefinition(int sectionIndex, ulong offset, string name)
    {
        if (!definitionsBySection.TryGetValue(sectionIndex, out var byOffset))
            definitionsBySection[sectionIndex] = byOffset = [];
        byOffset.TryAdd(offset, name);
    }

    public void AddData(int sectionIndex, string name) => dataBySection[sectionIndex] = name;

    public bool IsMapSection(int sectionIndex) => definitionsBySection.ContainsKey(sectionIndex) || dataBySection.ContainsKey(sectionIndex);

    /// <summary>
    /// The map reference for an <c>lddw</c> whose relocation names <paramref name="symbol"/> and whose
    /// immediate is <paramref name="imm"/>; null when the symbol's section holds no maps.
    /// </summary>
    public MapRelocation? Resolve(int slot, ElfSymbol symbol, int imm, Func<string, BpfObjectFormatException> fail)
    {
        if (dataBySection.TryGetValue(symbol.SectionIndex, out var dataMap))
        {
            // Global variable: libbpf puts symbol value + the lddw's immediate into the second slot.
            long offset = (long)Math.Min(symbol.Value, (ulong)uint.MaxValue + 1) + imm;
            if (offset < 0 || offset > uint.MaxValue)
                throw fail($"offset {offset} into global data map '{dataMap}' is out of range");
            return new MapRelocation(slot, dataMap, MapRelocationKind.MapValue, (uint)offset);
        }

        if (definitionsBySection.TryGetValue(symbol.SectionIndex, out var byOffset))
        {
            // A section symbol carries the definition's offset in the immediate instead of its value.
            ulong offset = symbol.Type == ElfSymbol.STT_SECTION ? unchecked(symbol.Value + (ulong)(long)imm) : symbol.Value;
            if (!byOffset.TryGetValue(offset, out var name))
                throw fail($"no map definition starts at offset {offset} of the maps section (symbol '{symbol.Name}')");
            return new MapRelocation(slot, name, MapRelocationKind.Map, 0);
        }

        return null;
    }
}
