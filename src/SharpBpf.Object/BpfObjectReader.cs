using SharpBpf.Object.Btf;
using SharpBpf.Object.Elf;
using SharpBpf.Object.Linking;
using SharpBpf.Object.Maps;

namespace SharpBpf.Object;

/// <summary>
/// Reads a BPF ELF object (little-endian ELF64, <c>EM_BPF</c>, relocatable, as
/// <c>clang -O2 -g -target bpf -c</c> emits it) into a <see cref="CollectionSpec"/>. Pure and
/// deterministic: no handles, no system calls, no clocks; the same bytes give the same spec everywhere.
/// Malformed input throws <see cref="BpfObjectFormatException"/> and nothing else.
/// </summary>
/// <remarks>
/// <para>What libbpf does and this reader mirrors (libbpf 1.x <c>bpf_object__open</c>):</para>
/// <list type="bullet">
/// <item>Programs are the FUNC symbols of executable sections other than <c>.text</c>; their type comes
/// from <see cref="ProgramSectionTable"/>. <c>.text</c> functions are subprograms, appended to each
/// program that reaches them.</item>
/// <item>Maps: legacy <c>maps</c> (<c>struct bpf_map_def</c>), BTF <c>.maps</c>, then one ARRAY per
/// global data section. Global data maps are named like libbpf's <c>internal_map_name</c>
/// (object name prefix cut so the name fits 15 characters, e.g. <c>global_d.rodata</c>); the object
/// name is the file name up to its first dot, or the name passed in (empty by default, giving
/// <c>.data</c>, <c>.rodata</c>, <c>.bss</c>).</item>
/// <item>Global data flags as libbpf sets them: <c>BPF_F_RDONLY_PROG</c> for <c>.rodata*</c>, and
/// <c>BPF_F_MMAPABLE</c> when the section's BTF DATASEC has a non-static variable (libbpf
/// <c>map_is_mmapable</c>). <c>.rodata*</c> maps are frozen after load.</item>
/// <item>Not supported (clear error): CO-RE relocations are ignored (not applied), externs
/// (<c>__kconfig</c>, <c>__ksym</c>, kfuncs), struct_ops maps' program slots, arena globals.</item>
/// </list>
/// </remarks>
public static class BpfObjectReader
{
    /// <summary>Reads an object; global data maps get no object-name prefix.</summary>
    /// <exception cref="BpfObjectFormatException">The object is malformed or unsupported.</exception>
    public static CollectionSpec Read(ReadOnlySpan<byte> elf) => Read(elf, "");

    /// <summary>Reads an object, naming global data maps after <paramref name="objectName"/> as libbpf does.</summary>
    /// <exception cref="BpfObjectFormatException">The object is malformed or unsupported.</exception>
    public static CollectionSpec Read(ReadOnlySpan<byte> elf, string objectName)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        return ReadCore(elf.ToArray(), objectName);
    }

    /// <summary>Reads the object file at <paramref name="path"/>; its object name is the file name up to the first dot.</summary>
    /// <exception cref="BpfObjectFormatException">The object is malformed or unsupported.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static CollectionSpec Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ReadCore(File.ReadAllBytes(path), GlobalDataMaps.ObjectNameFromPath(path));
    }

    /// <summary>libbpf's object name for a file path (base name up to the first '.', at most 15 characters).</summary>
    public static string ObjectNameFromPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return GlobalDataMaps.ObjectNameFromPath(path);
    }

    /// <summary>libbpf's name for the global data map of <paramref name="sectionName"/> in object <paramref name="objectName"/>.</summary>
    public static string GlobalDataMapName(string objectName, string sectionName)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        ArgumentNullException.ThrowIfNull(sectionName);
        return GlobalDataMaps.InternalMapName(objectName, sectionName);
    }

    private static CollectionSpec ReadCore(byte[] data, string objectName)
    {
        var elf = ElfFile.Parse(data);
        string license = ReadLicense(elf);
        uint kernelVersion = ReadVersion(elf);

        BtfSpec? btf = null;
        BtfExt? ext = null;
        var btfSection = elf.FindSection(".BTF");
        if (btfSection is not null && !btfSection.IsNoBits)
        {
            (btf, var strings) = BtfParser.Parse(elf.Reader(btfSection), elf);
            var extSection = elf.FindSection(".BTF.ext");
            if (extSection is not null && !extSection.IsNoBits)
                ext = BtfExt.Parse(elf.Reader(extSection), btf, strings);
        }

        var maps = new List<MapSpec>();
        var index = new MapIndex();

        var legacy = elf.FindSection("maps");
        if (legacy is not null && !legacy.IsNoBits && legacy.Size > 0)
        {
            foreach (var d in LegacyMapParser.Parse(elf, legacy))
            {
                maps.Add(d.Spec);
                index.AddDefinition(legacy.Index, d.Offset, d.Spec.Name);
            }
        }

        List<BtfMapParser.Definition>? btfMaps = null;
        var dotMaps = elf.FindSection(".maps");
        if (dotMaps is not null && dotMaps.Size > 0)
        {
            if (btf is null)
                throw elf.Reader(dotMaps).Fail(0, "the object has a .maps section but no .BTF to describe it");
            btfMaps = BtfMapParser.Parse(elf, dotMaps, btf);
            foreach (var d in btfMaps)
                index.AddDefinition(dotMaps.Index, d.Offset, d.Spec.Name);
        }

        var seenData = new HashSet<string>();
        var dataMaps = new List<MapSpec>();
        foreach (var section in elf.Sections.Where(GlobalDataMaps.IsGlobalDataSection))
        {
            var spec = GlobalDataMaps.Create(elf, section, btf, objectName);
            if (!seenData.Add(spec.Name))
                throw elf.Reader(section).Fail(0, $"global data map name '{spec.Name}' is used by two sections");
            dataMaps.Add(spec);
            index.AddData(section.Index, spec.Name);
        }

        var linker = new ProgramLinker(elf, index, ext, btf);
        if (btfMaps is not null)
        {
            btfMaps = BtfMapParser.ApplyInitialisers(elf, dotMaps!, btfMaps, linker.IsProgramEntry);
            maps.AddRange(btfMaps.Select(d => d.Spec));
        }

        maps.AddRange(dataMaps);
        var names = new HashSet<string>();
        foreach (var m in maps)
        {
            if (!names.Add(m.Name))
                throw new BpfObjectFormatException(m.SectionName, 0, $"two maps are named '{m.Name}'");
        }

        var programs = linker.LinkAll(license);
        return new CollectionSpec(maps, programs, license, kernelVersion, btf);
    }

    /// <summary>The <c>license</c> section: a NUL-terminated string (libbpf keeps at most 63 bytes of it).</summary>
    private static string ReadLicense(ElfFile elf)
    {
        var section = elf.FindSection("license");
        if (section is null || section.IsNoBits || section.Size == 0)
            return "";
        var span = elf.Reader(section).Span(0, section.Size, "license");
        int nul = span.IndexOf((byte)0);
        var text = nul >= 0 ? span[..nul] : span;
        return System.Text.Encoding.UTF8.GetString(text[..Math.Min(text.Length, 63)]);
    }

    /// <summary>The <c>version</c> section: one u32 (libbpf rejects any other size).</summary>
    private static uint ReadVersion(ElfFile elf)
    {
        var section = elf.FindSection("version");
        if (section is null)
            return 0;
        var reader = elf.Reader(section);
        if (section.Size != 4)
            throw reader.Fail(0, $"version section is {section.Size} bytes, not 4");
        return reader.U32(0, "kernel version");
    }
}
