namespace SharpBpf.Object.Elf;

/// <summary>One SHT_REL entry (BPF objects use implicit addends).</summary>
internal readonly record struct ElfRelocation(ulong Offset, uint Type, ElfSymbol Symbol, int RelSectionIndex, long EntryOffset)
{
    /// <summary>R_BPF_64_64: the 64-bit immediate of an lddw.</summary>
    public const uint R_BPF_64_64 = 1;

    /// <summary>R_BPF_64_ABS64: a 64-bit data word (e.g. .maps initialisers).</summary>
    public const uint R_BPF_64_ABS64 = 2;

    /// <summary>R_BPF_64_32: the 32-bit immediate of a bpf-to-bpf call.</summary>
    public const uint R_BPF_64_32 = 10;
}
