using SharpBpf.Abi;
using SharpBpf.Object.Elf;

namespace SharpBpf.Object.Maps;

/// <summary>
/// Global variables: libbpf turns each non-empty <c>.data</c>, <c>.data.*</c>, <c>.rodata</c>,
/// <c>.rodata.*</c> (PROGBITS) and <c>.bss</c>, <c>.bss.*</c> (NOBITS) section into a one-element ARRAY
/// map (key 4 bytes, value = the section) and rewrites the <c>lddw</c>s that address its variables into
/// <c>BPF_PSEUDO_MAP_VALUE</c> references. Names and flags follow libbpf 1.x
/// (<c>internal_map_name</c> and <c>bpf_object__init_internal_map</c> in <c>src/libbpf.c</c>).
/// </summary>
internal static class GlobalDataMaps
{
    /// <summary>BPF_OBJ_NAME_LEN: kernel object names hold 15 characters plus NUL.</summary>
    public const int ObjNameLen = 16;

    /// <summary>
    /// Largest <c>.bss*</c> section accepted. NOBITS sizes are not backed by file bytes, so without a
    /// limit a damaged header could demand gigabytes of zeroes; 64 MiB is far above any real BPF object.
    /// </summary>
    public const int MaxNoBitsSize = 64 << 20;

    public static bool IsGlobalDataSection(ElfSection s)
    {
        if (s.Size == 0)
            return false;
        if (s.Type == ElfSection.SHT_PROGBITS && (s.Flags & ElfSection.SHF_EXECINSTR) == 0)
            return s.Name is ".data" or ".rodata" || s.Name.StartsWith(".data.", StringComparison.Ordinal) || s.Name.StartsWith(".rodata.", StringComparison.Ordinal);
        return s.Type == ElfSection.SHT_NOBITS && (s.Name == ".bss" || s.Name.StartsWith(".bss.", StringComparison.Ordinal));
    }

    public static bool IsReadOnly(string sectionName) =>
        sectionName == ".rodata" || sectionName.StartsWith(".rodata.", StringComparison.Ordinal);

    /// <summary>
    /// libbpf's <c>internal_map_name</c>: sections with a second dot (<c>.rodata.str1.1</c>,
    /// <c>.data.custom</c>) keep their own name cut to 15 characters; for <c>.data</c>, <c>.bss</c> and
    /// <c>.rodata</c> the suffix length is max(7, len(section)) and as much of the object name as fits in
    /// the remaining 15 - suffix characters goes in front, so object "global_data" gives
    /// "global_d.data", "global_d.rodata" and "global_d.bss". Characters other than [A-Za-z0-9_.]
    /// become '_'. With an empty object name the maps are plain ".data", ".rodata", ".bss".
    /// </summary>
    public static string InternalMapName(string objectName, string sectionName)
    {
        int suffixLen = Math.Min(Math.Max(7, sectionName.Length), ObjNameLen - 1);
        int prefixLen = sectionName.IndexOf('.', 1) >= 0 ? 0 : Math.Min(ObjNameLen - suffixLen - 1, objectName.Length);
        string raw = objectName[..prefixLen] + sectionName[..Math.Min(suffixLen, sectionName.Length)];
        return string.Create(raw.Length, raw, static (span, s) =>
        {
            for (int i = 0; i < s.Length; i++)
                span[i] = char.IsAsciiLetterOrDigit(s[i]) || s[i] is '_' or '.' ? s[i] : '_';
        });
    }

    /// <summary>
    /// libbpf's object name: the file's base name up to its first '.', at most 15 characters
    /// (<c>bpf_object__new</c> copies the base name into a 16-byte buffer, then cuts at the first dot).
    /// </summary>
    public static string ObjectNameFromPath(string path)
    {
        string name = Path.GetFileName(path);
        if (name.Length > ObjNameLen - 1)
            name = name[..(ObjNameLen - 1)];
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot >= 0 ? name[..dot] : name;
    }

    public static MapSpec Create(ElfFile elf, ElfSection section, BtfSpec? btf, string objectName)
    {
        bool readOnly = IsReadOnly(section.Name);
        if (section.IsNoBits && section.Size > MaxNoBitsSize)
            throw new BpfObjectFormatException(section.Name, 0, $"NOBITS section of {section.Size} bytes exceeds the {MaxNoBitsSize}-byte limit for global data");
        byte[] initial = section.IsNoBits ? new byte[section.Size] : elf.Reader(section).Bytes(0, section.Size, "initial data");
        uint flags = readOnly ? (uint)MapFlags.BPF_F_RDONLY_PROG : 0;
        var datasec = btf?.FindByName(section.Name, BtfKind.DataSec);
        if (datasec is not null && IsMmapable(btf!, datasec))
            flags |= (uint)MapFlags.BPF_F_MMAPABLE;
        return new MapSpec
        {
            Name = InternalMapName(objectName, section.Name),
            Type = MapType.Array,
            KeySize = 4,
            ValueSize = (uint)section.Size,
            MaxEntries = 1,
            Flags = flags,
            InitialData = initial,
            FreezeAfterLoad = readOnly,
            SectionName = section.Name,
            IsGlobalData = true,
            BtfValueTypeId = datasec?.Id ?? 0,
        };
    }

    /// <summary>libbpf <c>map_is_mmapable</c>: the DATASEC holds at least one non-static variable
    /// (hidden globals were already demoted to static by the BTF fix-up).</summary>
    private static bool IsMmapable(BtfSpec btf, BtfType datasec) =>
        datasec.Variables.Any(v => btf.Types[(int)v.Type] is { Kind: BtfKind.Var } t && t.Linkage != BtfLinkage.Static);
}
