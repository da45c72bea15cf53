namespace SharpBpf.Object.Tests;

/// <summary>Hand-built objects for shapes clang 14 does not emit and for malformed input.</summary>
internal static class Synthetic
{
    public const ulong Exit = 0x95;
    public const uint R_BPF_64_64 = 1, R_BPF_64_ABS64 = 2, R_BPF_64_32 = 10;

    public static ulong Lddw(byte dst, int imm, byte src = 0) => ElfBuilder.Slot(0x18, dst, src, 0, imm);

    public static ulong Call(int imm, byte src = 0) => ElfBuilder.Slot(0x85, 0, src, 0, imm);

    public static ulong Mov(byte dst, int imm) => ElfBuilder.Slot(0xb7, dst, 0, 0, imm);

    /// <summary>
    /// An object with one XDP program that loads map 'm' (lddw + relocation), a .maps section of
    /// <paramref name="mapsSize"/> bytes holding 'm', and BTF describing 'm' as the struct
    /// <paramref name="defineStruct"/> returns (given the builder and an int type id).
    /// </summary>
    public static byte[] MapObject(Func<BtfBuilder, uint, uint> defineStruct, uint mapsSize = 32, Action<ElfBuilder, int, int>? extra = null)
    {
        var btf = new BtfBuilder();
        uint i32 = btf.Int("int", 4, signed: true);
        uint def = defineStruct(btf, i32);
        uint variable = btf.Var("m", def);
        btf.DataSec(".maps", 0, (variable, 0, mapsSize));

        var elf = new ElfBuilder();
        int code = elf.Code("xdp", Lddw(1, 0), 0, Mov(0, 2), Exit);
        int maps = elf.Section(".maps", new byte[mapsSize], flags: ElfBuilder.SHF_ALLOC | ElfBuilder.SHF_WRITE);
        elf.Section(".BTF", btf.Build(), flags: 0);
        elf.Symbol("prog", code, 0, 32, ElfBuilder.STT_FUNC);
        int m = elf.Symbol("m", maps, 0, mapsSize, ElfBuilder.STT_OBJECT);
        elf.Relocation(code, 0, R_BPF_64_64, m);
        extra?.Invoke(elf, code, maps);
        return elf.Build();
    }

    /// <summary>libbpf's canonical array definition: type, max_entries, key, value.</summary>
    public static uint ArrayDef(BtfBuilder b, uint i32, uint maxEntries = 4) =>
        b.Struct("", 32,
            ("type", b.UintField(i32, 2), 0),
            ("max_entries", b.UintField(i32, maxEntries), 64),
            ("key", b.Ptr(i32), 128),
            ("value", b.Ptr(i32), 192));

    /// <summary>A minimal valid object: one program "prog" in section "xdp" with the given slots and optional BTF.</summary>
    public static byte[] Program(ulong[] slots, byte[]? btf = null, byte[]? btfExt = null, string section = "xdp")
    {
        var elf = new ElfBuilder();
        int code = elf.Code(section, slots);
        elf.Symbol("prog", code, 0, (ulong)slots.Length * 8, ElfBuilder.STT_FUNC);
        if (btf is not null)
            elf.Section(".BTF", btf, flags: 0);
        if (btfExt is not null)
            elf.Section(".BTF.ext", btfExt, flags: 0);
        return elf.Build();
    }
}
