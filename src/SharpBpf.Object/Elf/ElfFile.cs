namespace SharpBpf.Object.Elf;

/// <summary>
/// The parts of an ELF64 little-endian EM_BPF relocatable object the reader needs: section headers
/// with names, the symbol table and the REL sections grouped by the section they patch.
/// Everything is bounds-checked on the way in.
/// </summary>
internal sealed class ElfFile
{
    public const ushort EM_BPF = 247;
    private const string Header = "ELF header";
    private const string Headers = "section headers";

    private readonly byte[] data;
    private readonly Dictionary<int, List<ElfRelocation>> relocations = [];

    private ElfFile(byte[] data) => this.data = data;

    public IReadOnlyList<ElfSection> Sections { get; private set; } = [];

    public IReadOnlyList<ElfSymbol> Symbols { get; private set; } = [];

    public static ElfFile Parse(byte[] data)
    {
        var elf = new ElfFile(data);
        elf.ParseHeaders();
        return elf;
    }

    /// <summary>The bytes of a section (NOBITS sections read as an empty region).</summary>
    public SectionReader Reader(ElfSection section) =>
        section.IsNoBits
            ? new SectionReader(data, 0, 0, section.Name)
            : new SectionReader(data, section.FileOffset, section.Size, section.Name);

    public ElfSection? FindSection(string name) => Sections.FirstOrDefault(s => s.Name == name);

    /// <summary>Relocations that patch <paramref name="section"/>, in file order.</summary>
    public IReadOnlyList<ElfRelocation> RelocationsFor(ElfSection section) =>
        relocations.TryGetValue(section.Index, out var list) ? list : [];

    /// <summary>A failure located at <paramref name="rel"/>'s entry in its REL section.</summary>
    public BpfObjectFormatException Fail(ElfRelocation rel, string problem) =>
        Reader(Sections[rel.RelSectionIndex]).Fail(rel.EntryOffset, problem);

    /// <summary>Name of the section a symbol is defined in, for messages.</summary>
    public string SectionName(int index) => index > 0 && index < Sections.Count ? Sections[index].Name : $"#{index}";

    private void ParseHeaders()
    {
        var file = new SectionReader(data, 0, data.Length, Header);
        file.Check(0, 64, "ELF header");
        if (file.U8(0) != 0x7f || file.U8(1) != (byte)'E' || file.U8(2) != (byte)'L' || file.U8(3) != (byte)'F')
            throw file.Fail(0, "not an ELF file (bad magic)");
        if (file.U8(4) != 2)
            throw file.Fail(4, $"ELF class {file.U8(4)} is not ELFCLASS64; BPF objects are 64-bit");
        byte encoding = file.U8(5);
        if (encoding == 2)
            throw file.Fail(5, "big-endian ELF objects are not supported (only little-endian BPF, as clang -target bpf / bpfel emits)");
        if (encoding != 1)
            throw file.Fail(5, $"unknown ELF data encoding {encoding}");
        if (file.U8(6) != 1)
            throw file.Fail(6, $"unknown ELF version {file.U8(6)}");
        ushort type = file.U16(16);
        if (type != 1)
            throw file.Fail(16, $"ELF type {type} is not ET_REL; expected a relocatable object (clang -c)");
        ushort machine = file.U16(18);
        if (machine != EM_BPF)
            throw file.Fail(18, $"ELF machine {machine} is not EM_BPF ({EM_BPF})");

        ulong shoff = file.U64(0x28);
        ushort shentsize = file.U16(0x3a);
        ushort shnum = file.U16(0x3c);
        ushort shstrndx = file.U16(0x3e);
        if (shnum == 0)
            throw file.Fail(0x3c, "no section headers (extended section numbering is not supported)");
        if (shentsize != 64)
            throw file.Fail(0x3a, $"section header size {shentsize} is not 64");
        if (shoff > (ulong)data.Length)
            throw file.Fail(0x28, $"section header table offset {shoff} is past the end of the {data.Length}-byte file");
        var table = new SectionReader(data, 0, data.Length, Headers);
        table.Check((long)shoff, (long)shnum * 64, "section header table");
        if (shstrndx >= shnum)
            throw file.Fail(0x3e, $"section name table index {shstrndx} is not below the section count {shnum}");

        var raw = new (uint Name, uint Type, ulong Flags, int Offset, int Size, uint Link, uint Info, ulong EntSize)[shnum];
        for (int i = 0; i < shnum; i++)
        {
            long h = (long)shoff + (i * 64L);
            uint shType = table.U32(h + 4);
            ulong offset = table.U64(h + 24);
            ulong size = table.U64(h + 32);
            int fileOffset = 0, fileSize = 0;
            if (shType == ElfSection.SHT_NOBITS)
            {
                // NOBITS occupies no file bytes; its size is still the in-memory size, kept as an int.
                if (size > int.MaxValue)
                    throw table.Fail(h + 32, $"section {i}: NOBITS size {size} is too large");
                fileSize = (int)size;
            }
            else if (shType != ElfSection.SHT_NULL)
            {
                if (offset > (ulong)data.Length || size > (ulong)data.Length - offset)
                    throw table.Fail(h + 24, $"section {i}: data at offset {offset} size {size} runs past the end of the {data.Length}-byte file");
                fileOffset = (int)offset;
                fileSize = (int)size;
            }

            raw[i] = (table.U32(h), shType, table.U64(h + 8), fileOffset, fileSize, table.U32(h + 40), table.U32(h + 44), table.U64(h + 56));
        }

        var names = raw[shstrndx];
        if (names.Type != ElfSection.SHT_STRTAB)
            throw table.Fail((long)shoff + (shstrndx * 64L) + 4, $"section name table (section {shstrndx}) is not SHT_STRTAB");
        var nameReader = new SectionReader(data, names.Offset, names.Size, ".shstrtab");
        var sections = new ElfSection[shnum];
        for (int i = 0; i < shnum; i++)
        {
            var r = raw[i];
            string name = i == 0 ? "" : nameReader.CString(r.Name, $"name of section {i}");
            int fileOffset = r.Type == ElfSection.SHT_NOBITS ? 0 : r.Offset;
            sections[i] = new ElfSection(i, name, r.Type, r.Flags, fileOffset, r.Size, r.Link, r.Info, r.EntSize);
        }

        Sections = sections;
        ParseSymbols();
        ParseRelocations();
    }

    private void ParseSymbols()
    {
        var symtabs = Sections.Where(s => s.Type == ElfSection.SHT_SYMTAB).ToList();
        if (symtabs.Count == 0)
        {
            Symbols = [];
            return;
        }

        var symtab = symtabs[0];
        var reader = Reader(symtab);
        if (symtabs.Count > 1)
            throw reader.Fail(0, "more than one symbol table");
        if (symtab.EntrySize != 24)
            throw reader.Fail(0, $"symbol entry size {symtab.EntrySize} is not 24");
        if (symtab.Size % 24 != 0)
            throw reader.Fail(0, $"symbol table size {symtab.Size} is not a multiple of 24");
        if (symtab.Link == 0 || symtab.Link >= Sections.Count || Sections[(int)symtab.Link].Type != ElfSection.SHT_STRTAB)
            throw reader.Fail(0, $"symbol table links to section {symtab.Link}, which is not a string table");
        var strings = Reader(Sections[(int)symtab.Link]);

        int count = symtab.Size / 24;
        var symbols = new ElfSymbol[count];
        for (int i = 0; i < count; i++)
        {
            long o = i * 24L;
            uint nameOffset = reader.U32(o);
            byte info = reader.U8(o + 4);
            byte other = reader.U8(o + 5);
            ushort shndx = reader.U16(o + 6);
            ulong value = reader.U64(o + 8);
            ulong size = reader.U64(o + 16);
            string name = nameOffset == 0 ? "" : strings.CString(nameOffset, $"name of symbol {i}");
            if (shndx != ElfSymbol.SHN_UNDEF && shndx < ElfSymbol.SHN_LORESERVE && shndx >= Sections.Count)
                throw reader.Fail(o + 6, $"symbol {i} '{name}' refers to section {shndx}, but there are only {Sections.Count}");
            if ((info & 0xf) == ElfSymbol.STT_SECTION && name.Length == 0 && shndx < Sections.Count)
                name = Sections[shndx].Name; // section symbols are unnamed; use the section's name in messages
            symbols[i] = new ElfSymbol(i, name, info, other, shndx, value, size);
        }

        Symbols = symbols;
    }

    private void ParseRelocations()
    {
        foreach (var section in Sections)
        {
            if (section.Type == ElfSection.SHT_RELA)
            {
                // clang never emits RELA for BPF; refuse it where it would change code or map definitions.
                if (section.Info < Sections.Count && (Sections[(int)section.Info].IsCode || Sections[(int)section.Info].Name is ".maps" or "maps"))
                    throw Reader(section).Fail(0, "RELA relocations are not supported for BPF objects");
                continue;
            }

            if (section.Type != ElfSection.SHT_REL)
                continue;
            var reader = Reader(section);
            if (section.Info == 0 || section.Info >= Sections.Count)
                throw reader.Fail(0, $"relocation section applies to section {section.Info}, which does not exist");
            if (section.EntrySize != 16)
                throw reader.Fail(0, $"relocation entry size {section.EntrySize} is not 16");
            if (section.Size % 16 != 0)
                throw reader.Fail(0, $"relocation section size {section.Size} is not a multiple of 16");
            var target = Sections[(int)section.Info];
            if (!target.IsCode && target.Name is not (".maps" or "maps"))
                continue; // debug info, .BTF and .BTF.ext relocations: BTF.ext offsets are already section-relative

            int count = section.Size / 16;
            var list = new List<ElfRelocation>(count);
            for (int i = 0; i < count; i++)
            {
                long o = i * 16L;
                ulong offset = reader.U64(o);
                ulong info = reader.U64(o + 8);
                ulong symIndex = info >> 32;
                if (symIndex >= (ulong)Symbols.Count)
                    throw reader.Fail(o + 8, $"relocation {i} refers to symbol {symIndex}, but there are only {Symbols.Count}");
                if (offset >= (ulong)target.Size)
                    throw reader.Fail(o, $"relocation {i} patches offset {offset}, outside the {target.Size}-byte section '{target.Name}'");
                list.Add(new ElfRelocation(offset, (uint)info, Symbols[(int)symIndex], section.Index, o));
            }

            if (relocations.TryGetValue(target.Index, out var existing))
                existing.AddRange(list);
            else
                relocations[target.Index] = list;
        }
    }
}
