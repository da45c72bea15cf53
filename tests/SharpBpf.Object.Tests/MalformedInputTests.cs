using System.Buffers.Binary;

namespace SharpBpf.Object.Tests;

/// <summary>Malformed objects give <see cref="BpfObjectFormatException"/> naming where, never another exception.</summary>
public class MalformedInputTests
{
    [Fact]
    public void Read_Empty_FormatErrorInElfHeader()
    {
        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read([]));

        Assert.Equal("ELF header", ex.Section);
    }

    [Fact]
    public void Read_NotElf_BadMagic()
    {
        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(new byte[64]));

        Assert.Contains("magic", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, ex.Offset);
    }

    [Fact]
    public void Read_BigEndianHeader_RefusedClearly()
    {
        byte[] obj = TestData.Bytes("bench/nop.o");
        obj[5] = 2; // EI_DATA = ELFDATA2MSB

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(obj));

        Assert.Contains("big-endian", ex.Message, StringComparison.Ordinal);
        Assert.Equal(5, ex.Offset);
    }

    [Fact]
    public void Read_WrongMachine_RefusedClearly()
    {
        byte[] obj = TestData.Bytes("bench/nop.o");
        BinaryPrimitives.WriteUInt16LittleEndian(obj.AsSpan(18), 62); // EM_X86_64

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(obj));

        Assert.Contains("EM_BPF", ex.Message, StringComparison.Ordinal);
        Assert.Equal(18, ex.Offset);
    }

    [Theory]
    [InlineData(4, 1, "ELFCLASS64")]
    [InlineData(16, 2, "ET_REL")]
    public void Read_WrongClassOrType_Refused(int offset, byte value, string expected)
    {
        byte[] obj = TestData.Bytes("bench/nop.o");
        obj[offset] = value;

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(obj));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EveryTruncation_FormatErrorOnly()
    {
        byte[] obj = TestData.Bytes("bench/global_data.o");

        for (int length = 0; length < obj.Length; length++)
            Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(obj.AsSpan(0, length)));
    }

    [Fact]
    public void Read_SectionHeaderTablePastEnd_NamesSectionHeaders()
    {
        byte[] obj = TestData.Bytes("bench/nop.o");
        BinaryPrimitives.WriteUInt64LittleEndian(obj.AsSpan(0x28), (ulong)obj.Length - 10);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(obj));

        Assert.Equal("section headers", ex.Section);
    }

    [Theory]
    [InlineData(24, "runs past the end")]  // sh_offset
    [InlineData(32, "runs past the end")]  // sh_size
    [InlineData(0, "string offset")]       // sh_name
    public void Read_BadSectionHeaderField_FormatError(int field, string expected)
    {
        byte[] obj = TestData.Bytes("bench/array_hist.o");
        var facts = Facts.Load("bench/array_hist.o");
        int xdp = facts.SectionNamed("xdp").Index;
        long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(obj.AsSpan(0x28));
        var header = obj.AsSpan((int)(shoff + (xdp * 64)));
        if (field == 0)
            BinaryPrimitives.WriteUInt32LittleEndian(header, 0x7fff_0000);
        else
            BinaryPrimitives.WriteUInt64LittleEndian(header[field..], 0x1_0000_0000);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(obj));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SymbolNameOffsetPastStringTable_NamesSymtab()
    {
        byte[] obj = TestData.Bytes("bench/nop.o");
        var facts = Facts.Load("bench/nop.o");
        var symtab = facts.SectionNamed(".symtab");
        BinaryPrimitives.WriteUInt32LittleEndian(obj.AsSpan((int)symtab.Offset + 24), 0x00ff_ffff); // symbol 1's st_name

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(obj));

        Assert.Equal(".strtab", ex.Section);
        Assert.Contains("symbol 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RelocationSymbolIndexOutOfRange_NamesRelSection()
    {
        byte[] obj = TestData.Bytes("bench/array_hist.o");
        var rel = Facts.Load("bench/array_hist.o").SectionNamed(".relxdp");
        BinaryPrimitives.WriteUInt64LittleEndian(obj.AsSpan((int)rel.Offset + 8), (9999UL << 32) | 1);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(obj));

        Assert.Equal(".relxdp", ex.Section);
        Assert.Equal(8, ex.Offset);
    }

    [Fact]
    public void Read_BtfTypeIdOutOfRange_NamesBtf()
    {
        var b = new BtfBuilder();
        b.Ptr(99);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(Synthetic.Program([Synthetic.Exit], b.Build())));

        Assert.Equal(".BTF", ex.Section);
        Assert.Contains("99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BtfSelfReferentialTypedef_FormatError()
    {
        var b = new BtfBuilder();
        b.Typedef("me", 1);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(Synthetic.Program([Synthetic.Exit], b.Build())));

        Assert.Contains("itself", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BtfNameOffsetPastStrings_FormatError()
    {
        var b = new BtfBuilder();
        b.RawHeader(0x10000, 1, 0, 4, false, 32);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(Synthetic.Program([Synthetic.Exit], b.Build())));

        Assert.Equal(".BTF", ex.Section);
        Assert.Contains("string", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x9feb, "big-endian")]
    [InlineData(0x1234, "magic")]
    public void Read_BadBtfMagic_FormatError(ushort magic, string expected)
    {
        var b = new BtfBuilder { Magic = magic };
        b.Int("int", 4);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(Synthetic.Program([Synthetic.Exit], b.Build())));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal((".BTF", 0L), (ex.Section, ex.Offset));
    }

    [Fact]
    public void Read_BtfUnknownKind_FormatError()
    {
        var b = new BtfBuilder();
        b.RawHeader(0, 25, 0, 0);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(Synthetic.Program([Synthetic.Exit], b.Build())));

        Assert.Contains("unknown kind 25", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BtfStructWithHugeVlen_FormatErrorNotAllocation()
    {
        var b = new BtfBuilder();
        b.RawHeader(0, 4, 0xffff, 8);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(Synthetic.Program([Synthetic.Exit], b.Build())));

        Assert.Contains("members", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BtfExtBadRecordSize_FormatError()
    {
        var b = new BtfBuilder();
        uint i32 = b.Int("int", 4);
        uint func = b.Func("prog", b.FuncProto(i32));
        uint xdp = b.Str("xdp");
        byte[] ext = BtfExtBuilder.Build([(xdp, [(0u, func)])], [], funcRecordSize: 6);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(Synthetic.Program([Synthetic.Exit], b.Build(), ext)));

        Assert.Equal(".BTF.ext", ex.Section);
    }

    [Fact]
    public void Read_BtfExtFuncInfoNotAFunc_FormatError()
    {
        var b = new BtfBuilder();
        uint i32 = b.Int("int", 4);
        uint xdp = b.Str("xdp");
        byte[] ext = BtfExtBuilder.Build([(xdp, [(0u, i32)])], []);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(Synthetic.Program([Synthetic.Exit], b.Build(), ext)));

        Assert.Contains("not a FUNC", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CallIntoMiddleOfFunction_FormatError()
    {
        // call +0 from slot 0 targets slot 1, which is inside "prog" rather than a function start.
        byte[] obj = Synthetic.Program([Synthetic.Call(0, src: 1), Synthetic.Exit]);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(obj));

        Assert.Equal("xdp", ex.Section);
        Assert.Contains("not the start of a function", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LddwCutByFunctionEnd_FormatError()
    {
        byte[] obj = Synthetic.Program([Synthetic.Exit, Synthetic.Lddw(1, 0)]);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(obj));

        Assert.Contains("second slot", ex.Message, StringComparison.Ordinal);
        Assert.Equal(8, ex.Offset);
    }

    [Fact]
    public void Read_RelocationOnPlainAluInstruction_FormatError()
    {
        byte[] obj = Synthetic.MapObject((b, i32) => Synthetic.ArrayDef(b, i32), extra: (elf, code, maps) =>
            elf.Relocation(code, 16, Synthetic.R_BPF_64_64, 2)); // slot 2 is "r0 = 2"

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(obj));

        Assert.Equal(".relxdp", ex.Section);
        Assert.Contains("neither a call nor an lddw", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MapsSectionWithoutBtf_FormatError()
    {
        var elf = new ElfBuilder();
        int code = elf.Code("xdp", Synthetic.Exit);
        elf.Symbol("prog", code, 0, 8, ElfBuilder.STT_FUNC);
        elf.Section(".maps", new byte[32]);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(elf.Build()));

        Assert.Equal(".maps", ex.Section);
    }

    [Fact]
    public void Read_BadVersionSectionSize_FormatError()
    {
        var elf = new ElfBuilder();
        int code = elf.Code("xdp", Synthetic.Exit);
        elf.Symbol("prog", code, 0, 8, ElfBuilder.STT_FUNC);
        elf.Section("version", new byte[3]);

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(elf.Build()));

        Assert.Equal("version", ex.Section);
    }

    [Fact]
    public void FormatException_Message_NamesSectionAndOffset()
    {
        var ex = new BpfObjectFormatException(".BTF", 0x2c, "bad thing");

        Assert.Equal("malformed BPF object: section '.BTF' at offset 44 (0x2c): bad thing", ex.Message);
        Assert.Equal("bad thing", ex.Problem);
    }
}
