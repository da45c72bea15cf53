using SharpBpf.Abi;
using SharpBpf.Object.Elf;

namespace SharpBpf.Object.Maps;

/// <summary>
/// BTF-defined maps (<c>SEC(".maps")</c>), decoded the way libbpf's <c>parse_btf_map_def</c> does:
/// each variable of the <c>.maps</c> DATASEC is a struct whose members encode the definition:
/// <c>__uint(name, N)</c> is a pointer to an array of N elements, <c>__type(name, T)</c> a pointer to T,
/// <c>__array(values, ...)</c> a zero-length array of pointers (to a FUNC_PROTO for prog arrays, to the
/// inner map's definition struct for map-in-map), and <c>.values</c> initialisers are R_BPF_64_ABS64
/// relocations inside the <c>values</c> member.
/// </summary>
internal static class BtfMapParser
{
    private const uint LibbpfPinNone = 0;
    private const uint LibbpfPinByName = 1;

    /// <summary>A parsed definition and where it sits in the <c>.maps</c> section.</summary>
    internal sealed record Definition(MapSpec Spec, uint Offset, uint Size, uint ValuesMemberOffset);

    private sealed class Def
    {
        public uint Type, KeySize, ValueSize, MaxEntries, Flags, NumaNode, Pinning, KeyTypeId, ValueTypeId;
        public ulong MapExtra;
        public MapSpec? Inner;
        public uint? ValuesOffset;
    }

    public static List<Definition> Parse(ElfFile elf, ElfSection section, BtfSpec btf)
    {
        var reader = elf.Reader(section);
        var datasec = btf.FindByName(".maps", BtfKind.DataSec)
            ?? throw reader.Fail(0, "the object has a .maps section but its BTF has no '.maps' DATASEC");
        var result = new List<Definition>();
        foreach (var vsi in datasec.Variables)
        {
            var variable = btf.Types[(int)vsi.Type];
            string name = variable.Name;
            if (name.Length == 0)
                throw reader.Fail(vsi.Offset, "map definition with an empty name");
            if ((ulong)vsi.Offset + vsi.Size > (ulong)section.Size)
                throw reader.Fail(vsi.Offset, $"map '{name}': definition at offset {vsi.Offset} size {vsi.Size} runs past the {section.Size}-byte section");
            if (variable.Kind != BtfKind.Var)
                throw reader.Fail(vsi.Offset, $"map '{name}': DATASEC entry is a {variable.Kind}, not a VAR");
            if (variable.Linkage != BtfLinkage.Global)
                throw reader.Fail(vsi.Offset, $"map '{name}': unsupported linkage {variable.Linkage} (maps must be global variables)");
            if (!btf.TrySkipQualifiers(variable.Type, out var def) || def.Kind != BtfKind.Struct)
                throw reader.Fail(vsi.Offset, $"map '{name}': definition is not a struct");
            if (def.Size > vsi.Size)
                throw reader.Fail(vsi.Offset, $"map '{name}': definition struct ({def.Size} bytes) is larger than its variable ({vsi.Size})");

            var fail = (string problem) => reader.Fail(vsi.Offset, $"map '{name}': {problem}");
            var parsed = ParseDef(btf, name, def, isInner: false, fail);
            result.Add(new Definition(ToSpec(name, parsed, section.Name), vsi.Offset, vsi.Size, parsed.ValuesOffset ?? uint.MaxValue));
        }

        return result;
    }

    /// <summary>
    /// Turns the R_BPF_64_ABS64 relocations of <c>.maps</c> into <see cref="MapSpec.Contents"/>
    /// (libbpf <c>bpf_object__collect_map_relos</c>), returning the definitions with contents filled in.
    /// </summary>
    public static List<Definition> ApplyInitialisers(ElfFile elf, ElfSection section, List<Definition> defs, Func<ElfSymbol, bool> isProgramEntry)
    {
        var relocations = elf.RelocationsFor(section);
        if (relocations.Count == 0)
            return defs;
        var contents = new Dictionary<Definition, SortedDictionary<uint, MapSpecEntry>>();
        foreach (var rel in relocations)
        {
            var fail = (string problem) => elf.Fail(rel, $"relocation at .maps offset {rel.Offset}: {problem}");
            if (rel.Type is not (ElfRelocation.R_BPF_64_ABS64 or ElfRelocation.R_BPF_64_64))
                throw fail($"unsupported relocation type {rel.Type} in .maps");
            var owner = defs.FirstOrDefault(d => d.Offset <= rel.Offset && rel.Offset + 8 <= (ulong)d.Offset + d.Size)
                ?? throw fail("does not fall inside any map definition");
            var spec = owner.Spec;
            bool isMapInMap = spec.Type is MapType.ArrayOfMaps or MapType.HashOfMaps;
            if (!isMapInMap && spec.Type != MapType.ProgArray)
                throw fail($"map '{spec.Name}' is a {spec.Type}; only prog arrays and map-in-maps take .values initialisers");
            if (owner.ValuesMemberOffset == uint.MaxValue)
                throw fail($"map '{spec.Name}' has no 'values' member");
            ulong inside = rel.Offset - owner.Offset;
            if (inside < owner.ValuesMemberOffset || (inside - owner.ValuesMemberOffset) % 8 != 0)
                throw fail($"map '{spec.Name}': initialiser is not an 8-byte slot of the 'values' member");
            uint key = (uint)((inside - owner.ValuesMemberOffset) / 8);
            var sym = rel.Symbol;
            MapSpecEntry entry;
            if (isMapInMap)
            {
                if (sym.SectionIndex != section.Index)
                    throw fail($"'{sym.Name}' is not a BTF-defined map");
                var target = defs.FirstOrDefault(d => d.Spec.Name == sym.Name)
                    ?? throw fail($"'{sym.Name}' is not a map of this object");
                if (spec.Type == MapType.HashOfMaps && spec.KeySize != 4)
                    throw fail($"hash-of-maps '{spec.Name}' must have a 4-byte key to take initialisers");
                entry = new MapSpecEntry(key, target.Spec.Name, MapSpecEntryKind.Map);
            }
            else
            {
                if (!isProgramEntry(sym))
                    throw fail($"'{sym.Name}' is not an entry-point program of this object");
                entry = new MapSpecEntry(key, sym.Name, MapSpecEntryKind.Program);
            }

            if (!contents.TryGetValue(owner, out var slots))
                contents[owner] = slots = [];
            slots[key] = entry;
        }

        return [.. defs.Select(d => contents.TryGetValue(d, out var slots)
            ? d with { Spec = CopyWithContents(d.Spec, [.. slots.Values]) }
            : d)];
    }

    private static MapSpec CopyWithContents(MapSpec s, MapSpecEntry[] contents) => new()
    {
        Name = s.Name,
        Type = s.Type,
        KeySize = s.KeySize,
        ValueSize = s.ValueSize,
        MaxEntries = s.MaxEntries,
        Flags = s.Flags,
        NumaNode = s.NumaNode,
        MapExtra = s.MapExtra,
        Pinning = s.Pinning,
        InnerMap = s.InnerMap,
        SectionName = s.SectionName,
        BtfKeyTypeId = s.BtfKeyTypeId,
        BtfValueTypeId = s.BtfValueTypeId,
        Contents = contents,
    };

    private static MapSpec ToSpec(string name, Def d, string section) => new()
    {
        Name = name,
        Type = (MapType)d.Type,
        KeySize = d.KeySize,
        ValueSize = d.ValueSize,
        MaxEntries = d.MaxEntries,
        Flags = d.Flags,
        NumaNode = d.NumaNode,
        MapExtra = d.MapExtra,
        Pinning = (PinningType)d.Pinning,
        InnerMap = d.Inner,
        SectionName = section,
        BtfKeyTypeId = d.KeyTypeId,
        BtfValueTypeId = d.ValueTypeId,
    };

    private static Def ParseDef(BtfSpec btf, string name, BtfType def, bool isInner, Func<string, BpfObjectFormatException> fail)
    {
        var d = new Def();
        var members = def.Members;
        for (int i = 0; i < members.Count; i++)
        {
            var m = members[i];
            switch (m.Name)
            {
                case "type":
                    d.Type = FieldInt(btf, m, fail);
                    break;
                case "max_entries":
                    d.MaxEntries = FieldInt(btf, m, fail);
                    break;
                case "map_flags":
                    d.Flags = FieldInt(btf, m, fail);
                    break;
                case "numa_node":
                    d.NumaNode = FieldInt(btf, m, fail);
                    break;
                case "key_size":
                    d.KeySize = Agree(d.KeySize, FieldInt(btf, m, fail), "key size", fail);
                    break;
                case "value_size":
                    d.ValueSize = Agree(d.ValueSize, FieldInt(btf, m, fail), "value size", fail);
                    break;
                case "key":
                    (d.KeySize, d.KeyTypeId) = FieldType(btf, m, d.KeySize, "key", fail);
                    break;
                case "value":
                    (d.ValueSize, d.ValueTypeId) = FieldType(btf, m, d.ValueSize, "value", fail);
                    break;
                case "pinning":
                    if (isInner)
                        throw fail("an inner map definition cannot be pinned");
                    d.Pinning = FieldInt(btf, m, fail);
                    if (d.Pinning is not (LibbpfPinNone or LibbpfPinByName))
                        throw fail($"invalid pinning value {d.Pinning}");
                    break;
                case "map_extra":
                    d.MapExtra = FieldLong(btf, m, fail);
                    break;
                case "values":
                    ParseValues(btf, name, d, m, isInner, i == members.Count - 1, fail);
                    break;
                default:
                    // libbpf's default (strict) mode refuses unknown fields rather than silently ignoring them.
                    throw fail($"unknown map definition field '{m.Name}'");
            }
        }

        if (d.Type == (uint)MapType.Unspec)
            throw fail("map type is not specified");
        return d;
    }

    private static void ParseValues(BtfSpec btf, string name, Def d, BtfMember m, bool isInner, bool isLast, Func<string, BpfObjectFormatException> fail)
    {
        bool isMapInMap = d.Type is (uint)MapType.ArrayOfMaps or (uint)MapType.HashOfMaps;
        bool isProgArray = d.Type == (uint)MapType.ProgArray;
        if (isInner)
            throw fail("multi-level inner maps are not supported");
        if (!isLast)
            throw fail("'values' must be the last member");
        if (!isMapInMap && !isProgArray)
            throw fail("'values' is only allowed in map-in-map and prog-array definitions (declare 'type' before it)");
        d.ValueSize = Agree(d.ValueSize, 4, "value size", fail);
        if (m.BitOffset % 8 != 0)
            throw fail("'values' is not byte-aligned");
        d.ValuesOffset = m.BitOffset / 8;
        var array = btf.Types[(int)m.Type];
        if (array.Kind != BtfKind.Array || array.ArrayLength != 0)
            throw fail("'values' is not a zero-length array");
        if (!btf.TrySkipQualifiers(array.ArrayElementType, out var ptr) || ptr.Kind != BtfKind.Pointer)
            throw fail("'values' elements are not pointers");
        if (!btf.TrySkipQualifiers(ptr.Type, out var target))
            throw fail("'values' element type chain is too deep");
        if (isProgArray)
        {
            if (target.Kind != BtfKind.FuncProto)
                throw fail($"prog-array 'values' must point to a function prototype, not {target.Kind}");
            return;
        }

        if (target.Kind != BtfKind.Struct)
            throw fail($"map-in-map inner definition is a {target.Kind}, not a struct");
        string innerName = name + ".inner";
        var inner = ParseDef(btf, innerName, target, isInner: true, problem => fail($"inner map: {problem}"));
        d.Inner = ToSpec(innerName, inner, ".maps");
    }

    private static uint Agree(uint existing, uint value, string what, Func<string, BpfObjectFormatException> fail) =>
        existing != 0 && existing != value ? throw fail($"conflicting {what} {existing} != {value}") : value;

    /// <summary><c>__uint(name, N)</c>: a pointer to an array whose length is N.</summary>
    private static uint FieldInt(BtfSpec btf, BtfMember m, Func<string, BpfObjectFormatException> fail)
    {
        if (!btf.TrySkipQualifiers(m.Type, out var ptr) || ptr.Kind != BtfKind.Pointer)
            throw fail($"field '{m.Name}' is not a pointer (expected __uint({m.Name}, N))");
        var array = btf.Types[(int)ptr.Type];
        if (array.Kind != BtfKind.Array)
            throw fail($"field '{m.Name}' does not point to an array (expected __uint({m.Name}, N))");
        return array.ArrayLength;
    }

    /// <summary><c>__ulong(name, N)</c> (an enum with one enumerator) or <c>__uint</c>.</summary>
    private static ulong FieldLong(BtfSpec btf, BtfMember m, Func<string, BpfObjectFormatException> fail)
    {
        if (!btf.TrySkipQualifiers(m.Type, out var t))
            throw fail($"field '{m.Name}' type chain is too deep");
        if (t.Kind == BtfKind.Pointer)
            return FieldInt(btf, m, fail);
        if (t.Kind is not (BtfKind.Enum or BtfKind.Enum64) || t.EnumValues.Count != 1)
            throw fail($"field '{m.Name}' is neither __uint nor __ulong");
        return t.Kind == BtfKind.Enum ? (uint)t.EnumValues[0].Value : unchecked((ulong)t.EnumValues[0].Value);
    }

    /// <summary><c>__type(name, T)</c>: a pointer to T; the size is T's.</summary>
    private static (uint Size, uint TypeId) FieldType(BtfSpec btf, BtfMember m, uint existing, string what, Func<string, BpfObjectFormatException> fail)
    {
        var ptr = btf.Types[(int)m.Type];
        if (ptr.Kind != BtfKind.Pointer)
            throw fail($"{what} spec is not a pointer (expected __type({what}, T))");
        if (!btf.TryGetSize(ptr.Type, out ulong size))
            throw fail($"cannot determine the {what} size of type {ptr.Type}");
        return (Agree(existing, (uint)size, $"{what} size", fail), ptr.Type);
    }
}
