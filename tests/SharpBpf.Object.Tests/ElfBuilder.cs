using System.Buffers.Binary;
using System.Text;

namespace SharpBpf.Object.Tests;

/// <summary>
/// Builds small ELF64 little-endian EM_BPF relocatable objects for tests that need shapes clang does
/// not emit (ENUM64, malformed BTF, odd relocations). Section 0 is NULL; .symtab, .strtab and
/// .shstrtab are appended by <see cref="Build"/>.
/// </summary>
internal sealed class ElfBuilder
{
    public const uint SHT_PROGBITS = 1, SHT_NOBITS = 8, SHT_REL = 9;
    public const ulong SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
    public const byte STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3;
    public const byte STB_LOCAL = 0, STB_GLOBAL = 1;

    private readonly List<(string Name, uint Type, ulong Flags, byte[] Data, uint Info, ulong EntSize, ulong Size)> sections = [];
    private readonly List<(string Name, ulong Value, ulong Size, byte Info, byte Other, ushort Section)> symbols = [("", 0, 0, 0, 0, 0)];
    private readonly List<(int Target, ulong Offset, uint Type, int Symbol)> relocations = [];

    public ushort Machine { get; set; } = 247;

    /// <summary>Adds a section; returns its index.</summary>
    public int Section(string name, byte[] data, uint type = SHT_PROGBITS, ulong flags = SHF_ALLOC)
    {
        sections.Add((name, type, flags, data, 0, 0, (ulong)data.Length));
        return sections.Count;
    }

    public int Code(string name, params ulong[] slots)
    {
        var data = new byte[slots.Length * 8];
        for (int i = 0; i < slots.Length; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(i * 8), slots[i]);
        return Section(name, data, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR);
    }

    public int Bss(string name, int size)
    {
        sections.Add((name, SHT_NOBITS, SHF_ALLOC | SHF_WRITE, [], 0, 0, (ulong)size));
        return sections.Count;
    }

    /// <summary>Adds a symbol; returns its index.</summary>
    public int Symbol(string name, int section, ulong value, ulong size, byte type, byte bind = STB_GLOBAL) =>
        SymbolWithVisibility(name, section, value, size, type, bind, 0);

    public int SymbolWithVisibility(string name, int section, ulong value, ulong size, byte type, byte bind = STB_GLOBAL, byte visibility = 0)
    {
        symbols.Add((name, value, size, (byte)((bind << 4) | type), visibility, (ushort)section));
        return symbols.Count - 1;
    }

    public void Relocation(int targetSection, ulong offset, uint type, int symbol) => relocations.Add((targetSection, offset, type, symbol));

    public static ulong Slot(byte opcode, byte dst = 0, byte src = 0, short offset = 0, int imm = 0) =>
        opcode | ((ulong)(byte)(dst | (src << 4)) << 8) | ((ulong)(ushort)offset << 16) | ((ulong)(uint)imm << 32);

    public byte[] Build()
    {
        var all = sections.ToList();
        foreach (var group in relocations.GroupBy(r => r.Target))
        {
            var data = new byte[group.Count() * 16];
            int i = 0;
            foreach (var r in group)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(i * 16), r.Offset);
                BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan((i * 16) + 8), ((ulong)r.Symbol << 32) | r.Type);
                i++;
            }

            all.Add((".rel" + sections[group.Key - 1].Name, SHT_REL, 0, data, (uint)group.Key, 16, (ulong)data.Length));
        }

        var strtab = new MemoryStream();
        strtab.WriteByte(0);
        var symtab = new byte[symbols.Count * 24];
        for (int i = 0; i < symbols.Count; i++)
        {
            var s = symbols[i];
            uint nameOffset = 0;
            if (s.Name.Length > 0)
            {
                nameOffset = (uint)strtab.Length;
                strtab.Write(Encoding.UTF8.GetBytes(s.Name + "\0"));
            }

            var span = symtab.AsSpan(i * 24);
            BinaryPrimitives.WriteUInt32LittleEndian(span, nameOffset);
            span[4] = s.Info;
            span[5] = s.Other;
            BinaryPrimitives.WriteUInt16LittleEndian(span[6..], s.Section);
            BinaryPrimitives.WriteUInt64LittleEndian(span[8..], s.Value);
            BinaryPrimitives.WriteUInt64LittleEndian(span[16..], s.Size);
        }

        int symtabIndex = all.Count + 1, strtabIndex = all.Count + 2, shstrtabIndex = all.Count + 3;
        all.Add((".symtab", 2, 0, symtab, 1, 24, (ulong)symtab.Length));
        all.Add((".strtab", 3, 0, strtab.ToArray(), 0, 0, (ulong)strtab.Length));
        var shstrtab = new MemoryStream();
        shstrtab.WriteByte(0);
        var nameOffsets = new List<uint>();
        foreach (var s in all)
        {
            nameOffsets.Add((uint)shstrtab.Length);
            shstrtab.Write(Encoding.UTF8.GetBytes(s.Name + "\0"));
        }

        nameOffsets.Add((uint)shstrtab.Length);
        shstrtab.Write(".shstrtab\0"u8);
        all.Add((".shstrtab", 3, 0, shstrtab.ToArray(), 0, 0, (ulong)shstrtab.Length));

        var body = new MemoryStream();
        body.Write(new byte[64]);
        var offsets = new List<long>();
        foreach (var s in all)
        {
            while (body.Length % 8 != 0)
                body.WriteByte(0);
            offsets.Add(body.Length);
            body.Write(s.Data);
        }

        while (body.Length % 8 != 0)
            body.WriteByte(0);
        long shoff = body.Length;
        var headers = new byte[(all.Count + 1) * 64];
        for (int i = 0; i < all.Count; i++)
        {
            var s = all[i];
            var h = headers.AsSpan((i + 1) * 64);
            BinaryPrimitives.WriteUInt32LittleEndian(h, nameOffsets[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(h[4..], s.Type);
            BinaryPrimitives.WriteUInt64LittleEndian(h[8..], s.Flags);
            BinaryPrimitives.WriteUInt64LittleEndian(h[24..], (ulong)offsets[i]);
            BinaryPrimitives.WriteUInt64LittleEndian(h[32..], s.Size);
            uint link = s.Type == SHT_REL ? (uint)symtabIndex : s.Type == 2 ? (uint)strtabIndex : 0;
            BinaryPrimitives.WriteUInt32LittleEndian(h[40..], link);
            BinaryPrimitives.WriteUInt32LittleEndian(h[44..], s.Info);
            BinaryPrimitives.WriteUInt64LittleEndian(h[48..], 8);
            BinaryPrimitives.WriteUInt64LittleEndian(h[56..], s.EntSize);
        }

        body.Write(headers);
        byte[] file = body.ToArray();
        var e = file.AsSpan();
        "\x7f"u8.CopyTo(e);
        "ELF"u8.CopyTo(e[1..]);
        e[4] = 2;
        e[5] = 1;
        e[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(e[16..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(e[18..], Machine);
        BinaryPrimitives.WriteUInt32LittleEndian(e[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(e[0x28..], (ulong)shoff);
        BinaryPrimitives.WriteUInt16LittleEndian(e[0x34..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(e[0x3a..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(e[0x3c..], (ushort)(all.Count + 1));
        BinaryPrimitives.WriteUInt16LittleEndian(e[0x3e..], (ushort)shstrtabIndex);
        return file;
    }
}
