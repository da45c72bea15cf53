using SharpBpf.Abi;

namespace SharpBpf.Object.Tests;

/// <summary>Relocation conventions and their refusals, on hand-built objects.</summary>
public class RelocationTests
{
    [Fact]
    public void Read_CallRelocationIntoAnotherProgramSection_Refused()
    {
        var elf = new ElfBuilder();
        int a = elf.Code("xdp", Synthetic.Call(-1, src: 1), Synthetic.Exit);
        int b = elf.Code("tc", Synthetic.Mov(0, 0), Synthetic.Exit);
        elf.Symbol("a", a, 0, 16, ElfBuilder.STT_FUNC);
        int target = elf.Symbol("b", b, 0, 16, ElfBuilder.STT_FUNC);
        elf.Relocation(a, 0, Synthetic.R_BPF_64_32, target);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(elf.Build()));

        Assert.Contains("must be in .text", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_GlobalSubprogramCall_ImmMinusOneAgainstItsSymbol()
    {
        var elf = new ElfBuilder();
        int text = elf.Code(".text", Synthetic.Mov(0, 1), Synthetic.Exit, Synthetic.Mov(0, 7), Synthetic.Exit);
        int prog = elf.Code("socket", Synthetic.Call(-1, src: 1), Synthetic.Exit);
        elf.Symbol("first", text, 0, 16, ElfBuilder.STT_FUNC);
        int second = elf.Symbol("second", text, 16, 16, ElfBuilder.STT_FUNC);
        elf.Symbol("main", prog, 0, 16, ElfBuilder.STT_FUNC);
        elf.Relocation(prog, 0, Synthetic.R_BPF_64_32, second);

        var p = Assert.Single(BpfObjectReader.Read(elf.Build()).Programs);

        Assert.Equal(ProgramType.SocketFilter, p.Type);
        Assert.Equal(4, p.Instructions.Length); // main + second; first is never called
        Assert.Equal(1, p.Instructions[0].Imm); // slot 0 -> slot 2
        Assert.Equal(7, p.Instructions[2].Imm);
    }

    [Fact]
    public void Read_RecursiveSubprograms_EachAppendedOnce()
    {
        // f calls g, g calls f (static calls inside .text carry no relocation: imm is PC-relative).
        var elf = new ElfBuilder();
        int text = elf.Code(".text", Synthetic.Call(1, src: 1), Synthetic.Exit, Synthetic.Call(-3, src: 1), Synthetic.Exit);
        int prog = elf.Code("xdp", Synthetic.Call(-1, src: 1), Synthetic.Exit);
        int f = elf.Symbol("f", text, 0, 16, ElfBuilder.STT_FUNC);
        elf.Symbol("g", text, 16, 16, ElfBuilder.STT_FUNC);
        elf.Symbol("main", prog, 0, 16, ElfBuilder.STT_FUNC);
        elf.Relocation(prog, 0, Synthetic.R_BPF_64_32, f);

        var p = Assert.Single(BpfObjectReader.Read(elf.Build()).Programs);

        Assert.Equal(6, p.Instructions.Length);
        Assert.Equal(2, 0 + p.Instructions[0].Imm + 1); // main -> f at 2
        Assert.Equal(4, 2 + p.Instructions[2].Imm + 1); // f -> g at 4
        Assert.Equal(2, 4 + p.Instructions[4].Imm + 1); // g -> f at 2
    }

    [Fact]
    public void Read_LddwAgainstUndefinedSymbol_ExternRefused()
    {
        var elf = new ElfBuilder();
        int code = elf.Code("xdp", Synthetic.Lddw(1, 0), 0, Synthetic.Exit);
        elf.Symbol("prog", code, 0, 24, ElfBuilder.STT_FUNC);
        int ext = elf.Symbol("CONFIG_HZ", 0, 0, 0, ElfBuilder.STT_NOTYPE);
        elf.Relocation(code, 0, Synthetic.R_BPF_64_64, ext);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(elf.Build()));

        Assert.Contains("extern 'CONFIG_HZ'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HelperCallWithRelocation_KfuncRefused()
    {
        var elf = new ElfBuilder();
        int code = elf.Code("xdp", Synthetic.Call(-1), Synthetic.Exit);
        elf.Symbol("prog", code, 0, 16, ElfBuilder.STT_FUNC);
        int kfunc = elf.Symbol("bpf_obj_new_impl", 0, 0, 0, ElfBuilder.STT_FUNC);
        elf.Relocation(code, 0, Synthetic.R_BPF_64_32, kfunc);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(elf.Build()));

        Assert.Contains("kfunc", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LegacyMapViaSectionSymbol_OffsetFromImmediate()
    {
        var elf = new ElfBuilder();
        int code = elf.Code("kprobe/x", Synthetic.Lddw(1, 20), 0, Synthetic.Exit);
        var defs = new byte[40];
        BitConverter.GetBytes(1u).CopyTo(defs, 0);   // first: HASH
        BitConverter.GetBytes(2u).CopyTo(defs, 20);  // second: ARRAY
        BitConverter.GetBytes(4u).CopyTo(defs, 24);
        BitConverter.GetBytes(8u).CopyTo(defs, 28);
        BitConverter.GetBytes(3u).CopyTo(defs, 32);
        int maps = elf.Section("maps", defs, flags: ElfBuilder.SHF_ALLOC | ElfBuilder.SHF_WRITE);
        elf.Symbol("prog", code, 0, 24, ElfBuilder.STT_FUNC);
        elf.Symbol("first", maps, 0, 20, ElfBuilder.STT_OBJECT);
        elf.Symbol("second", maps, 20, 20, ElfBuilder.STT_OBJECT);
        int sectionSymbol = elf.Symbol("", maps, 0, 0, ElfBuilder.STT_SECTION, ElfBuilder.STB_LOCAL);
        elf.Relocation(code, 0, Synthetic.R_BPF_64_64, sectionSymbol);

        var spec = BpfObjectReader.Read(elf.Build());

        Assert.Equal(new MapRelocation(0, "second", MapRelocationKind.Map, 0), Assert.Single(spec.Programs[0].MapRelocations));
        Assert.Equal((MapType.Array, 4u, 8u, 3u), (spec.Maps[1].Type, spec.Maps[1].KeySize, spec.Maps[1].ValueSize, spec.Maps[1].MaxEntries));
    }

    [Fact]
    public void Read_ProgArrayInitialiserPointingAtSubprogram_Refused()
    {
        byte[] obj = Synthetic.MapObject(
            (b, i32) => b.Struct("", 32,
                ("type", b.UintField(i32, 3), 0),
                ("max_entries", b.UintField(i32, 2), 64),
                ("key_size", b.UintField(i32, 4), 128),
                ("values", b.Array(b.Ptr(b.FuncProto(i32)), i32, 0), 192)),
            extra: (elf, code, maps) =>
            {
                int text = elf.Code(".text", Synthetic.Exit);
                int sub = elf.Symbol("sub", text, 0, 8, ElfBuilder.STT_FUNC);
                elf.Relocation(maps, 24, Synthetic.R_BPF_64_ABS64, sub);
            });

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(obj));

        Assert.Contains("not an entry-point program", ex.Message, StringComparison.Ordinal);
        Assert.Equal(".rel.maps", ex.Section);
    }

    [Fact]
    public void Read_ProgArrayInitialiser_KeyFromSlotOffset()
    {
        byte[] obj = Synthetic.MapObject(
            (b, i32) => b.Struct("", 24,
                ("type", b.UintField(i32, 3), 0),
                ("max_entries", b.UintField(i32, 4), 64),
                ("values", b.Array(b.Ptr(b.FuncProto(i32)), i32, 0), 128)),
            mapsSize: 48,
            extra: (elf, code, maps) => elf.Relocation(maps, 16 + (3 * 8), Synthetic.R_BPF_64_ABS64, 1)); // symbol 1 = "prog"

        var m = Assert.Single(BpfObjectReader.Read(obj).Maps);

        Assert.Equal([new MapSpecEntry(3, "prog", MapSpecEntryKind.Program)], m.Contents);
        Assert.Equal(4u, m.ValueSize);
    }

    [Fact]
    public void Read_InitialiserOnPlainArray_Refused()
    {
        byte[] obj = Synthetic.MapObject((b, i32) => Synthetic.ArrayDef(b, i32), extra: (elf, code, maps) =>
            elf.Relocation(maps, 8, Synthetic.R_BPF_64_ABS64, 1));

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(obj));

        Assert.Contains("only prog arrays and map-in-maps", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HiddenGlobal_DemotedSoDataIsNotMmapable()
    {
        var btf = new BtfBuilder();
        uint i32 = btf.Int("int", 4);
        uint hidden = btf.Var("secret", i32);
        btf.DataSec(".data", 0, (hidden, 0, 4));
        var elf = new ElfBuilder();
        int code = elf.Code("xdp", Synthetic.Exit);
        int data = elf.Section(".data", [1, 2, 3, 4], flags: ElfBuilder.SHF_ALLOC | ElfBuilder.SHF_WRITE);
        elf.Section(".BTF", btf.Build(), flags: 0);
        elf.Symbol("prog", code, 0, 8, ElfBuilder.STT_FUNC);
        elf.SymbolWithVisibility("secret", data, 0, 4, ElfBuilder.STT_OBJECT, visibility: 2); // STV_HIDDEN

        var spec = BpfObjectReader.Read(elf.Build(), "obj");

        var map = Assert.Single(spec.Maps);
        Assert.Equal(("obj.data", 0u), (map.Name, map.Flags));
        Assert.Equal(BtfLinkage.Static, spec.Btf!.TypeById(hidden).Linkage);
    }

    [Fact]
    public void Read_NoFuncSymbols_WholeSectionIsOneProgram()
    {
        var elf = new ElfBuilder();
        elf.Code("classifier", Synthetic.Mov(0, 0), Synthetic.Exit);

        var p = Assert.Single(BpfObjectReader.Read(elf.Build()).Programs);

        Assert.Equal(("classifier", ProgramType.SchedCls, 2), (p.Name, p.Type, p.Instructions.Length));
    }
}
