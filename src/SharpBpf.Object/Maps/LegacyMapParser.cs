using SharpBpf.Abi;
using SharpBpf.Object.Elf;

namespace SharpBpf.Object.Maps;

/// <summary>
/// Pre-BTF map definitions: each symbol in the <c>maps</c> section is a <c>struct bpf_map_def</c>
/// (<c>type, key_size, value_size, max_entries, map_flags</c>, each a u32). The symbol's size is the
/// definition's size, so objects whose struct carries extra trailing fields (iproute2's
/// <c>id</c>, <c>pinning</c>, ...) parse too; those extra fields are ignored, as libbpf did for
/// fields it did not know. Shorter definitions read missing fields as zero.
/// </summary>
internal static class LegacyMapParser
{
    internal sealed record Definition(MapSpec Spec, uint Offset, uint Size);

    public static List<Definition> Parse(ElfFile elf, ElfSection section)
    {
        var reader = elf.Reader(section);
        var symbols = elf.Symbols
            .Where(s => s.SectionIndex == section.Index && s.Type is ElfSymbol.STT_OBJECT or ElfSymbol.STT_NOTYPE && s.Name.Length > 0)
            .OrderBy(s => s.Value)
            .ToList();
        if (symbols.Count == 0)
            return [];

        var result = new List<Definition>(symbols.Count);
        foreach (var sym in symbols)
        {
            ulong size = sym.Size;
            if (size == 0)
            {
                // Very old clang left st_size 0; libbpf then divided the section evenly.
                size = (ulong)(section.Size / symbols.Count);
            }

            if (sym.Value > (ulong)section.Size || size > (ulong)section.Size - sym.Value)
                throw reader.Fail((long)Math.Min(sym.Value, (ulong)section.Size), $"map '{sym.Name}': definition at {sym.Value} size {size} runs past the {section.Size}-byte section");
            if (size < 4)
                throw reader.Fail((long)sym.Value, $"map '{sym.Name}': definition of {size} bytes is too small for a map type");
            int at = (int)sym.Value;
            uint Field(int index) => (index * 4) + 4 <= (int)size ? reader.U32(at + (index * 4)) : 0;
            var spec = new MapSpec
            {
                Name = sym.Name,
                Type = (MapType)Field(0),
                KeySize = Field(1),
                ValueSize = Field(2),
                MaxEntries = Field(3),
                Flags = Field(4),
                SectionName = section.Name,
            };
            if (spec.Type == MapType.Unspec)
                throw reader.Fail(at, $"map '{sym.Name}': map type is 0 (BPF_MAP_TYPE_UNSPEC)");
            result.Add(new Definition(spec, (uint)sym.Value, (uint)size));
        }

        return result;
    }
}
