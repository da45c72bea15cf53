using SharpBpf.Object.Elf;

namespace SharpBpf.Object.Btf;

/// <summary>
/// Decodes a <c>.BTF</c> section (kernel <c>Documentation/bpf/btf.rst</c>): header, type records of
/// every kind and the string table; validates every type id reference; then applies libbpf's
/// DATASEC fix-up (sizes from the ELF sections, global variable offsets from the ELF symbols).
/// </summary>
internal static class BtfParser
{
    public const ushort Magic = 0xeb9f;
    private const int HeaderSize = 24;

    public static (BtfSpec Spec, BtfStrings Strings) Parse(SectionReader btf, ElfFile? elf)
    {
        ushort magic = btf.U16(0, "BTF magic");
        if (magic == 0x9feb)
            throw btf.Fail(0, "big-endian BTF is not supported");
        if (magic != Magic)
            throw btf.Fail(0, $"bad BTF magic 0x{magic:x4} (expected 0x{Magic:x4})");
        byte version = btf.U8(2, "BTF version");
        if (version != 1)
            throw btf.Fail(2, $"unsupported BTF version {version}");
        uint hdrLen = btf.U32(4, "BTF header length");
        if (hdrLen < HeaderSize || hdrLen > btf.Length)
            throw btf.Fail(4, $"BTF header length {hdrLen} is not between {HeaderSize} and the section size {btf.Length}");
        uint typeOff = btf.U32(8), typeLen = btf.U32(12), strOff = btf.U32(16), strLen = btf.U32(20);
        var typeSection = btf.Slice((long)hdrLen + typeOff, typeLen, "BTF type section");
        var stringSection = btf.Slice((long)hdrLen + strOff, strLen, "BTF string section");
        if (strLen > 0 && stringSection.U8(0) != 0)
            throw stringSection.Fail(0, "BTF string section does not start with an empty string");
        if (strLen > 0 && stringSection.U8(strLen - 1) != 0)
            throw stringSection.Fail(strLen - 1, "BTF string section is not NUL-terminated");

        var strings = new BtfStrings(stringSection);
        var types = ParseTypes(typeSection, strings, out var offsets);
        Validate(types, typeSection, offsets);
        if (elf is not null)
            FixDataSections(types, elf, typeSection, offsets);
        var raw = btf.Bytes(0, btf.Length, "BTF");
        var kernel = BtfKernelForm.Build(raw, typeSection.Span(0, typeLen, "BTF type section"),
            stringSection.Span(0, strLen, "BTF string section"), types, offsets);
        return (new BtfSpec(types, raw, kernel), strings);
    }

    private static BtfType[] ParseTypes(SectionReader r, BtfStrings strings, out List<long> offsets)
    {
        var list = new List<BtfType> { new(0, BtfKind.Void, "") };
        offsets = [0];
        long o = 0;
        while (o < r.Length)
        {
            long at = o;
            uint nameOff = r.U32(o, "BTF type name");
            uint info = r.U32(o + 4, "BTF type info");
            uint sizeOrType = r.U32(o + 8, "BTF type size/type");
            o += 12;
            int vlen = (int)(info & 0xffff);
            int kindValue = (int)((info >> 24) & 0x1f);
            bool kflag = (info >> 31) != 0;
            if (kindValue is 0 or > (int)BtfKind.Enum64)
                throw r.Fail(at + 4, $"BTF type {list.Count}: unknown kind {kindValue}");
            var kind = (BtfKind)kindValue;
            string name = strings.Get(nameOff, r, at, $"name of BTF type {list.Count}");
            uint id = (uint)list.Count;
            BtfType t;
            switch (kind)
            {
                case BtfKind.Int:
                {
                    uint enc = r.U32(o, "BTF int encoding");
                    o += 4;
                    t = new BtfType(id, kind, name)
                    {
                        Size = sizeOrType,
                        IntEncoding = (enc >> 24) & 0x0f,
                        IntBitOffset = (enc >> 16) & 0xff,
                        IntBits = enc & 0xff,
                    };
                    break;
                }

                case BtfKind.Pointer or BtfKind.Forward or BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const
                    or BtfKind.Restrict or BtfKind.TypeTag:
                    t = new BtfType(id, kind, name) { Type = kind == BtfKind.Forward ? 0 : sizeOrType, KindFlag = kflag };
                    break;
                case BtfKind.Func:
                    t = new BtfType(id, kind, name) { Type = sizeOrType, Linkage = (BtfLinkage)(uint)vlen };
                    break;
                case BtfKind.Float:
                    t = new BtfType(id, kind, name) { Size = sizeOrType };
                    break;
                case BtfKind.Array:
                    t = new BtfType(id, kind, name)
                    {
                        ArrayElementType = r.U32(o, "BTF array element type"),
                        ArrayIndexType = r.U32(o + 4, "BTF array index type"),
                        ArrayLength = r.U32(o + 8, "BTF array length"),
                    };
                    o += 12;
                    break;
                case BtfKind.Struct or BtfKind.Union:
                {
                    r.Check(o, vlen * 12L, $"members of BTF type {id}");
                    var members = new BtfMember[vlen];
                    for (int i = 0; i < vlen; i++, o += 12)
                    {
                        string memberName = strings.Get(r.U32(o), r, o, $"name of member {i} of BTF type {id}");
                        uint offset = r.U32(o + 8);
                        members[i] = kflag
                            ? new BtfMember(memberName, r.U32(o + 4), offset & 0xffffff, offset >> 24)
                            : new BtfMember(memberName, r.U32(o + 4), offset, 0);
                    }

                    t = new BtfType(id, kind, name) { Size = sizeOrType, KindFlag = kflag, Members = members };
                    break;
                }

                case BtfKind.Enum:
                {
                    r.Check(o, vlen * 8L, $"enumerators of BTF type {id}");
                    var values = new BtfEnumValue[vlen];
                    for (int i = 0; i < vlen; i++, o += 8)
                    {
                        string valueName = strings.Get(r.U32(o), r, o, $"name of enumerator {i} of BTF type {id}");
                        int raw = r.I32(o + 4);
                        values[i] = new BtfEnumValue(valueName, kflag ? raw : (uint)raw);
                    }

                    t = new BtfType(id, kind, name) { Size = sizeOrType, KindFlag = kflag, EnumValues = values };
                    break;
                }

                case BtfKind.Enum64:
                {
                    r.Check(o, vlen * 12L, $"enumerators of BTF type {id}");
                    var values = new BtfEnumValue[vlen];
                    for (int i = 0; i < vlen; i++, o += 12)
                    {
                        string valueName = strings.Get(r.U32(o), r, o, $"name of enumerator {i} of BTF type {id}");
                        ulong raw = r.U32(o + 4) | ((ulong)r.U32(o + 8) << 32);
                        values[i] = new BtfEnumValue(valueName, unchecked((long)raw));
                    }

                    t = new BtfType(id, kind, name) { Size = sizeOrType, KindFlag = kflag, EnumValues = values };
                    break;
                }

                case BtfKind.FuncProto:
                {
                    r.Check(o, vlen * 8L, $"parameters of BTF type {id}");
                    var parameters = new BtfMember[vlen];
                    for (int i = 0; i < vlen; i++, o += 8)
                    {
                        string paramName = strings.Get(r.U32(o), r, o, $"name of parameter {i} of BTF type {id}");
                        parameters[i] = new BtfMember(paramName, r.U32(o + 4), 0, 0);
                    }

                    t = new BtfType(id, kind, name) { Type = sizeOrType, Members = parameters };
                    break;
                }

                case BtfKind.Var:
                    t = new BtfType(id, kind, name) { Type = sizeOrType, Linkage = (BtfLinkage)r.U32(o, "BTF var linkage") };
                    o += 4;
                    break;
                case BtfKind.DataSec:
                {
                    r.Check(o, vlen * 12L, $"variables of BTF type {id}");
                    var vars = new BtfVarSecInfo[vlen];
                    for (int i = 0; i < vlen; i++, o += 12)
                        vars[i] = new BtfVarSecInfo(r.U32(o), r.U32(o + 4), r.U32(o + 8));
                    t = new BtfType(id, kind, name) { Size = sizeOrType, Variables = vars };
                    break;
                }

                case BtfKind.DeclTag:
                    t = new BtfType(id, kind, name) { Type = sizeOrType, ComponentIndex = r.I32(o, "BTF decl_tag component") };
                    o += 4;
                    break;
                default:
                    throw r.Fail(at + 4, $"BTF type {id}: unknown kind {kindValue}");
            }

            list.Add(t);
            offsets.Add(at);
        }

        return [.. list];
    }

    /// <summary>Every type id a type mentions must exist; kinds that must point at a VAR or FUNC_PROTO do.</summary>
    private static void Validate(BtfType[] types, SectionReader r, List<long> offsets)
    {
        uint count = (uint)types.Length;
        foreach (var t in types)
        {
            long at = offsets[(int)t.Id];
            void Need(uint id, string what)
            {
                if (id >= count)
                    throw r.Fail(at, $"BTF type {t.Id} ({t.Kind} '{t.Name}'): {what} refers to type {id}, but there are only {count} types");
            }

            switch (t.Kind)
            {
                case BtfKind.Pointer or BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict
                    or BtfKind.TypeTag or BtfKind.Var or BtfKind.DeclTag or BtfKind.FuncProto:
                    Need(t.Type, "referenced type");
                    break;
                case BtfKind.Func:
                    Need(t.Type, "prototype");
                    if (types[t.Type].Kind != BtfKind.FuncProto)
                        throw r.Fail(at, $"BTF FUNC {t.Id} '{t.Name}' refers to type {t.Type}, which is not a FUNC_PROTO");
                    break;
                case BtfKind.Array:
                    Need(t.ArrayElementType, "element type");
                    Need(t.ArrayIndexType, "index type");
                    break;
                case BtfKind.DataSec:
                    foreach (var v in t.Variables)
                    {
                        Need(v.Type, "variable");
                        if (types[v.Type].Kind is not (BtfKind.Var or BtfKind.Func))
                            throw r.Fail(at, $"BTF DATASEC {t.Id} '{t.Name}' lists type {v.Type}, which is not a VAR");
                    }

                    break;
                default:
                    break;
            }

            foreach (var m in t.Members)
                Need(m.Type, $"member '{m.Name}'");
            if (t.Kind is (BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag) && t.Type == t.Id)
                throw r.Fail(at, $"BTF type {t.Id} refers to itself");
        }
    }

    /// <summary>
    /// clang emits DATASECs with size 0 and global variables at offset 0; libbpf
    /// (<c>btf_fixup_datasec</c>) takes the size from the ELF section and each non-static variable's
    /// offset from its ELF symbol, demotes hidden globals to static, and sorts the variables by offset.
    /// </summary>
    private static void FixDataSections(BtfType[] types, ElfFile elf, SectionReader r, List<long> offsets)
    {
        Dictionary<string, ElfSymbol>? globals = null;
        foreach (var t in types)
        {
            if (t.Kind != BtfKind.DataSec || t.Name is ".kconfig" or ".ksyms")
                continue;
            bool fixOffsets = false;
            if (t.Size == 0)
            {
                var section = elf.FindSection(t.Name);
                if (section is null || section.Size == 0)
                    continue; // nothing to fix against; the DATASEC stays as clang wrote it
                t.Size = (uint)section.Size;
                fixOffsets = true;
            }

            globals ??= GlobalObjectSymbols(elf);
            var vars = t.Variables.ToArray();
            for (int i = 0; i < vars.Length; i++)
            {
                var v = types[vars[i].Type];
                if (v.Kind != BtfKind.Var || v.Linkage is BtfLinkage.Static or BtfLinkage.Extern)
                    continue;
                if (!globals.TryGetValue(v.Name, out var sym))
                    throw r.Fail(offsets[(int)t.Id], $"DATASEC '{t.Name}': no ELF symbol for global variable '{v.Name}'");
                if (fixOffsets)
                {
                    if (sym.Value > uint.MaxValue)
                        throw r.Fail(offsets[(int)t.Id], $"DATASEC '{t.Name}': symbol '{v.Name}' has offset {sym.Value}");
                    vars[i] = vars[i] with { Offset = (uint)sym.Value };
                }

                if (sym.Visibility is ElfSymbol.STV_HIDDEN or ElfSymbol.STV_INTERNAL)
                    v.Linkage = BtfLinkage.Static;
            }

            Array.Sort(vars, static (a, b) => a.Offset.CompareTo(b.Offset));
            t.Variables = vars;
        }
    }

    private static Dictionary<string, ElfSymbol> GlobalObjectSymbols(ElfFile elf)
    {
        var map = new Dictionary<string, ElfSymbol>();
        foreach (var s in elf.Symbols)
        {
            if (s.Type == ElfSymbol.STT_OBJECT && s.Bind is ElfSymbol.STB_GLOBAL or ElfSymbol.STB_WEAK && s.Name.Length > 0)
                map.TryAdd(s.Name, s);
        }

        return map;
    }
}
