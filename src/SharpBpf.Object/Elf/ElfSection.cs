namespace SharpBpf.Object.Elf;

/// <summary>One ELF64 section header, already checked to lie inside the file (except NOBITS data).</summary>
internal sealed record ElfSection(
    int Index,
    string Name,
    uint Type,
    ulong Flags,
    int FileOffset,
    int Size,
    uint Link,
    uint Info,
    ulong EntrySize)
{
    public const uint SHT_NULL = 0;
    public const uint SHT_PROGBITS = 1;
    public const uint SHT_SYMTAB = 2;
    public const uint SHT_STRTAB = 3;
    public const uint SHT_RELA = 4;
    public const uint SHT_NOBITS = 8;
    public const uint SHT_REL = 9;

    public const ulong SHF_WRITE = 0x1;
    public const ulong SHF_ALLOC = 0x2;
    public const ulong SHF_EXECINSTR = 0x4;

    public bool IsNoBits => Type == SHT_NOBITS;

    /// <summary>Executable code: where programs and subprograms live.</summary>
    public bool IsCode => Type == SHT_PROGBITS && (Flags & SHF_EXECINSTR) != 0 && Size > 0;
}
