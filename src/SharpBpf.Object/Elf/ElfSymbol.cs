namespace SharpBpf.Object.Elf;

/// <summary>One ELF64 symbol table entry.</summary>
internal sealed record ElfSymbol(int Index, string Name, byte Info, byte Other, ushort SectionIndex, ulong Value, ulong Size)
{
    public const byte STT_NOTYPE = 0;
    public const byte STT_OBJECT = 1;
    public const byte STT_FUNC = 2;
    public const byte STT_SECTION = 3;
    public const byte STB_LOCAL = 0;
    public const byte STB_GLOBAL = 1;
    public const byte STB_WEAK = 2;
    public const byte STV_INTERNAL = 1;
    public const byte STV_HIDDEN = 2;
    public const ushort SHN_UNDEF = 0;
    public const ushort SHN_LORESERVE = 0xff00;

    public byte Type => (byte)(Info & 0xf);

    public byte Bind => (byte)(Info >> 4);

    public byte Visibility => (byte)(Other & 0x3);
}
