using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace SharpBpf.Object.Tests;

/// <summary>
/// The object's BTF as kept (<see cref="BtfSpec.RawBytes"/>) and as the kernel gets it (<see cref="BtfSpec.KernelBytes"/>,
/// libbpf's <c>btf_fixup_datasec</c> facts: DATASEC size = its ELF section's size, a global VAR's offset = its symbol's
/// value), checked against llvm-readobj's facts; and the per-program func_info / line_info records.
/// </summary>
public class BtfKernelFormTests
{
    private const int KindStruct = 4, KindVar = 14, KindDataSec = 15;

    public static TheoryData<string> ObjectsWithBtf()
    {
        var data = new TheoryData<string>();
        foreach (var o in TestData.AllObjects())
        {
            if (TestData.Read(o).Btf is not null)
                data.Add(o);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ObjectsWithBtf))]
    public void RawBytes_EveryObject_AreTheBtfSectionBytes(string relative)
    {
        var facts = TestData.Facts(relative);
        var section = facts.GetProperty("sections").EnumerateArray().Single(s => s.GetProperty("name").GetString() == ".BTF");
        var expected = TestData.Bytes(relative).AsSpan(section.GetProperty("offset").GetInt32(), section.GetProperty("size").GetInt32());

        Assert.True(expected.SequenceEqual(TestData.Read(relative).Btf!.RawBytes.Span), $"{relative}: RawBytes differ from the .BTF section");
    }

    [Theory]
    [MemberData(nameof(ObjectsWithBtf))]
    public void KernelBytes_EveryObject_DatasecSizesAndVarOffsetsFromElf(string relative)
    {
        var facts = TestData.Facts(relative);
        var sectionSizes = facts.GetProperty("sections").EnumerateArray()
            .GroupBy(s => s.GetProperty("name").GetString()!)
            .ToDictionary(g => g.Key, g => g.First().GetProperty("size").GetUInt32());
        var symbols = facts.GetProperty("symbols").EnumerateArray()
            .Where(s => s.GetProperty("type").GetString() == "Object" && s.GetProperty("binding").GetString() != "Local")
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("value").GetUInt32());
        var blob = TestData.Read(relative).Btf!.KernelBytes.ToArray();
        var raw = TestData.Read(relative).Btf!.RawBytes.ToArray();

        var types = Walk(blob);
        int datasecs = 0;
        foreach (var t in types.Where(t => t.Kind == KindDataSec))
        {
            string name = StringAt(blob, t.NameOffset);
            Assert.True(sectionSizes.TryGetValue(name, out uint size), $"{relative}: DATASEC '{name}' has no ELF section but was kept");
            Assert.Equal((name, size), (name, t.SizeOrType));
            uint previous = 0;
            for (int i = 0; i < t.Vlen; i++)
            {
                uint varType = U32(blob, t.At + 12 + (12 * i)), offset = U32(blob, t.At + 16 + (12 * i));
                var v = types[(int)varType - 1];
                string varName = StringAt(blob, v.NameOffset);
                Assert.True(offset >= previous, $"{relative}: DATASEC '{name}' variables are not sorted by offset");
                if (v.Kind == KindVar && symbols.TryGetValue(varName, out uint value))
                    Assert.Equal((varName, value), (varName, offset));
                previous = offset;
            }

            datasecs++;
        }

        // Every type keeps its id and every string its offset.
        Assert.Equal(Walk(raw).Count, types.Count);
        Assert.True(Strings(raw).SequenceEqual(Strings(blob)), $"{relative}: the string section changed");
        Assert.True(datasecs > 0 || !Walk(raw).Any(t => t.Kind == KindDataSec));
    }

    [Fact]
    public void KernelBytes_DatasecOfMissingSection_BecomesEmptyStructWithSameIds()
    {
        var b = new BtfBuilder();
        uint i32 = b.Int("int", 4, signed: true);
        uint v = b.Var("ghost", i32, linkage: 0);
        uint sec = b.DataSec(".data.missing", 0, (v, 0, 4));
        uint after = b.Int("after", 8);

        var btf = BpfObjectReader.Read(Synthetic.Program([Synthetic.Mov(0, 0), Synthetic.Exit], b.Build())).Btf!;

        var raw = Walk(btf.RawBytes.ToArray());
        var kernel = Walk(btf.KernelBytes.ToArray());
        Assert.Equal(raw.Count, kernel.Count);
        var replaced = kernel[(int)sec - 1];
        Assert.Equal((KindStruct, 0, 0u, ".data.missing"), (replaced.Kind, replaced.Vlen, replaced.SizeOrType, StringAt(btf.KernelBytes.ToArray(), replaced.NameOffset)));
        Assert.Equal("after", StringAt(btf.KernelBytes.ToArray(), kernel[(int)after - 1].NameOffset));
        Assert.Equal(btf.RawBytes.Length - 12, btf.KernelBytes.Length); // the one variable record is gone
    }

    [Fact]
    public void FuncInfoRecords_SubprogramTailCall_OneRecordPerFunctionFromSlotZero()
    {
        var spec = TestData.Read("objects/btf_calls.o");
        var program = spec.FindProgram("tail_in_sub")!;

        byte[] records = program.FuncInfoRecords();

        Assert.Equal(2, program.FuncInfos.Count);
        Assert.Equal(program.FuncInfos.Count * (int)ProgramSpec.FuncInfoRecordSize, records.Length);
        for (int i = 0; i < program.FuncInfos.Count; i++)
        {
            var f = program.FuncInfos[i];
            Assert.Equal(((uint)f.Slot, f.TypeId), (U32(records, 8 * i), U32(records, (8 * i) + 4)));
            Assert.Equal(f.Name, spec.Btf!.TypeById(f.TypeId).Name);
        }

        Assert.Equal((0u, "tail_in_sub", "sub_tail"), (U32(records, 0), program.FuncInfos[0].Name, program.FuncInfos[1].Name));
    }

    [Theory]
    [MemberData(nameof(ObjectsWithBtf))]
    public void LineInfoRecords_EveryProgram_StringOffsetsNameTheSourceInKernelBytes(string relative)
    {
        var spec = TestData.Read(relative);
        var blob = spec.Btf!.KernelBytes.ToArray();
        foreach (var program in spec.Programs)
        {
            byte[] records = program.LineInfoRecords();
            Assert.Equal(program.LineInfos.Count * (int)ProgramSpec.LineInfoRecordSize, records.Length);
            for (int i = 0; i < program.LineInfos.Count; i++)
            {
                var line = program.LineInfos[i];
                int at = 16 * i;
                Assert.Equal((uint)line.Slot, U32(records, at));
                Assert.Equal(line.Source.FileName, StringAt(blob, U32(records, at + 4)));
                Assert.Equal(line.Source.LineText, StringAt(blob, U32(records, at + 8)));
                Assert.Equal((line.Source.Line << 10) | line.Source.Column, U32(records, at + 12));
            }
        }
    }

    private readonly record struct TypeRecord(int At, uint NameOffset, int Kind, int Vlen, uint SizeOrType);

    /// <summary>The type records of a blob (index = id - 1), by the record sizes of btf.rst.</summary>
    private static List<TypeRecord> Walk(byte[] blob)
    {
        int hdr = (int)U32(blob, 4);
        int start = hdr + (int)U32(blob, 8), end = start + (int)U32(blob, 12);
        var list = new List<TypeRecord>();
        for (int o = start; o < end;)
        {
            uint info = U32(blob, o + 4);
            int kind = (int)((info >> 24) & 0x1f), vlen = (int)(info & 0xffff);
            list.Add(new TypeRecord(o, U32(blob, o), kind, vlen, U32(blob, o + 8)));
            o += 12 + kind switch
            {
                1 or 14 or 17 => 4,
                3 => 12,
                4 or 5 or 15 or 19 => 12 * vlen,
                6 or 13 => 8 * vlen,
                _ => 0,
            };
        }

        return list;
    }

    private static ReadOnlySpan<byte> Strings(byte[] blob)
    {
        int hdr = (int)U32(blob, 4);
        return blob.AsSpan(hdr + (int)U32(blob, 16), (int)U32(blob, 20));
    }

    private static string StringAt(byte[] blob, uint offset)
    {
        var strings = Strings(blob)[(int)offset..];
        return Encoding.UTF8.GetString(strings[..strings.IndexOf((byte)0)]);
    }

    private static uint U32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));

    private static uint U32(byte[] b, uint at) => U32(b, (int)at);
}
