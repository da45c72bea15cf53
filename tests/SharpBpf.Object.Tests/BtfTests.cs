using SharpBpf.Abi;

namespace SharpBpf.Object.Tests;

/// <summary>BTF decoding and the BTF map encodings on hand-built objects.</summary>
public class BtfTests
{
    [Fact]
    public void Read_SyntheticArrayMap_DecodesUintAndTypeEncodings()
    {
        byte[] obj = Synthetic.MapObject((b, i32) => Synthetic.ArrayDef(b, i32, maxEntries: 7));

        var spec = BpfObjectReader.Read(obj);

        var m = Assert.Single(spec.Maps);
        Assert.Equal(("m", MapType.Array, 4u, 4u, 7u), (m.Name, m.Type, m.KeySize, m.ValueSize, m.MaxEntries));
        Assert.Equal(new MapRelocation(0, "m", MapRelocationKind.Map, 0), Assert.Single(spec.Programs[0].MapRelocations));
    }

    [Fact]
    public void Read_Enum64AndEveryOtherKind_Parse()
    {
        var b = new BtfBuilder();
        uint i32 = b.Int("int", 4, signed: true);
        uint e64 = b.Enum64("big", signed: false, ("HUGE", unchecked((long)0xfedcba9876543210UL)), ("ONE", 1));
        uint e32 = b.Enum("small", ("MINUS", -1));
        uint f = b.Float("double", 8);
        uint tag = b.TypeTag("user", i32);
        uint cst = b.Const(tag);
        uint proto = b.FuncProto(i32, ("a", cst));
        uint func = b.Func("fn", proto, linkage: 0);
        uint decl = b.DeclTag("note", func, -1);
        uint td = b.Typedef("myint", cst);

        var spec = BpfObjectReader.Read(Synthetic.Program([Synthetic.Mov(0, 0), Synthetic.Exit], b.Build()));

        var btf = spec.Btf!;
        Assert.Equal(BtfKind.Enum64, btf.TypeById(e64).Kind);
        Assert.Equal([new BtfEnumValue("HUGE", unchecked((long)0xfedcba9876543210UL)), new BtfEnumValue("ONE", 1)], btf.TypeById(e64).EnumValues);
        Assert.Equal(uint.MaxValue, (ulong)btf.TypeById(e32).EnumValues[0].Value); // unsigned 32-bit enum
        Assert.Equal((BtfKind.Float, 8u), (btf.TypeById(f).Kind, btf.TypeById(f).Size));
        Assert.Equal((BtfKind.DeclTag, -1, func), (btf.TypeById(decl).Kind, btf.TypeById(decl).ComponentIndex, btf.TypeById(decl).Type));
        Assert.Equal(BtfLinkage.Static, btf.TypeById(func).Linkage);
        Assert.True(btf.TryGetSize(td, out ulong size));
        Assert.Equal(4ul, size);
        Assert.True(btf.TrySkipQualifiers(td, out var skipped));
        Assert.Equal(i32, skipped.Id);
        Assert.Same(btf.TypeById(func), btf.FindByName("fn", BtfKind.Func));
    }

    [Fact]
    public void TryGetSize_ArrayOfStructs_MultipliesAndRefusesOverflow()
    {
        var b = new BtfBuilder();
        uint i32 = b.Int("int", 4);
        uint s = b.Struct("pair", 8, ("a", i32, 0), ("b", i32, 32));
        uint arr = b.Array(s, i32, 3);
        uint arr2 = b.Array(arr, i32, 5);
        uint huge = b.Array(arr2, i32, 0xffffffff);

        var btf = BpfObjectReader.Read(Synthetic.Program([Synthetic.Exit], b.Build())).Btf!;

        Assert.True(btf.TryGetSize(arr2, out ulong size));
        Assert.Equal(120ul, size);
        Assert.False(btf.TryGetSize(huge, out _));
        Assert.False(btf.TryGetSize(0, out _)); // void has no size
        Assert.False(btf.TryGetSize(12345, out _));
    }

    [Fact]
    public void TryGetSize_TypedefCycle_ReturnsFalseInsteadOfHanging()
    {
        var b = new BtfBuilder();
        uint first = b.Typedef("a", 2);
        b.Typedef("b", first);

        var btf = BpfObjectReader.Read(Synthetic.Program([Synthetic.Exit], b.Build())).Btf!;

        Assert.False(btf.TryGetSize(first, out _));
        Assert.False(btf.TrySkipQualifiers(first, out _));
    }

    [Fact]
    public void Read_MapKeyIsTypedefCycle_FormatError()
    {
        byte[] obj = Synthetic.MapObject((b, i32) =>
        {
            uint loop = b.Typedef("loop", i32 + 2); // id i32+1 -> i32+2 -> i32+1
            b.Typedef("back", loop);
            return b.Struct("", 24, ("type", b.UintField(i32, 2), 0), ("max_entries", b.UintField(i32, 1), 64), ("key", b.Ptr(loop), 128));
        });

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(obj));

        Assert.Contains("key size", ex.Message, StringComparison.Ordinal);
        Assert.Equal(".maps", ex.Section);
    }

    [Fact]
    public void Read_MapExtraAsUlongEnum_Decoded()
    {
        byte[] obj = Synthetic.MapObject((b, i32) =>
        {
            uint extra = b.Enum64("", false, ("x", 0x1_0000_0003));
            return b.Struct("", 24, ("type", b.UintField(i32, 30), 0), ("max_entries", b.UintField(i32, 9), 64), ("map_extra", extra, 128));
        });

        var m = Assert.Single(BpfObjectReader.Read(obj).Maps);

        Assert.Equal((MapType.BloomFilter, 0x1_0000_0003ul), (m.Type, m.MapExtra));
    }

    [Theory]
    [InlineData("unknown field", "colour")]
    [InlineData("pinning", "pinning")]
    [InlineData("values not last", "values")]
    [InlineData("no type", "")]
    [InlineData("conflicting key size", "key_size")]
    public void Read_BadMapDefinition_FormatErrorNamingTheMap(string problem, string field)
    {
        byte[] obj = Synthetic.MapObject((b, i32) =>
        {
            var members = new List<(string, uint, uint)>();
            if (problem != "no type")
                members.Add(("type", b.UintField(i32, problem == "values not last" ? 3u : 2u), 0));
            members.Add(("max_entries", b.UintField(i32, 1), 64));
            switch (problem)
            {
                case "unknown field":
                    members.Add((field, b.UintField(i32, 1), 128));
                    break;
                case "pinning":
                    members.Add((field, b.UintField(i32, 2), 128)); // only 0 and 1 are valid
                    break;
                case "values not last":
                    members.Add(("values", b.Array(b.Ptr(b.FuncProto(i32)), i32, 0), 128));
                    members.Add(("key_size", b.UintField(i32, 4), 128));
                    break;
                case "conflicting key size":
                    members.Add(("key", b.Ptr(i32), 128));
                    members.Add((field, b.UintField(i32, 8), 192));
                    break;
            }

            return b.Struct("", 32, [.. members]);
        });

        var ex = Assert.Throws<BpfObjectFormatException>(() => BpfObjectReader.Read(obj));

        Assert.Contains("map 'm'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BtfExtLineInfo_RebasedAndResolved()
    {
        var b = new BtfBuilder();
        uint i32 = b.Int("int", 4);
        uint func = b.Func("prog", b.FuncProto(i32));
        uint file = b.Str("prog.c"), l1 = b.Str("int prog(void)"), l2 = b.Str("return 2;");
        uint xdp = b.Str("xdp");
        byte[] btf = b.Build();
        byte[] ext = BtfExtBuilder.Build(
            funcRecords: [(xdp, [(0u, func)])],
            lineRecords: [(xdp, [(0u, file, l1, (1u << 10) | 0), (8u, file, l2, (2u << 10) | 5)])]);

        var p = BpfObjectReader.Read(Synthetic.Program([Synthetic.Mov(0, 2), Synthetic.Exit], btf, ext)).Programs[0];

        Assert.Equal([new FuncInfo(0, func, "prog")], p.FuncInfos);
        Assert.Equal(new SourceLine("prog.c", 2, 5, "return 2;"), p.LineAt(1));
        Assert.Equal(1u, p.LineAt(0)!.Line);
    }
}
