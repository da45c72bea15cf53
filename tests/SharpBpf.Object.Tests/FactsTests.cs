using SharpBpf.Asm;

namespace SharpBpf.Object.Tests;

/// <summary>
/// Every checked-in object, compared with what llvm-readobj, llvm-objdump and bpftool recorded about it
/// (testdata/objects/make_facts.py): program list, instruction bytes, relocation slots, call targets,
/// DWARF lines against BTF line info, and every BTF type.
/// </summary>
public class FactsTests
{
    private const byte OpCall = 0x85, OpLddw = 0x18;

    [Theory]
    [MemberData(nameof(TestData.ObjectData), MemberType = typeof(TestData))]
    public void Read_Object_ProgramsAreTheFunctionsOutsideText(string obj)
    {
        var facts = Facts.Load(obj);

        var spec = TestData.Read(obj);

        var expected = facts.Programs.Select(f => (f.Name, f.SectionName)).Order().ToList();
        var actual = spec.Programs.Select(p => (p.Name, p.SectionName)).Order().ToList();
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(TestData.ObjectData), MemberType = typeof(TestData))]
    public void Read_Object_EveryFunctionCopyIsTheFileBytesExceptLinkedImmediates(string obj)
    {
        var facts = Facts.Load(obj);
        byte[] file = TestData.Bytes(obj);

        var spec = TestData.Read(obj);

        foreach (var p in spec.Programs)
        {
            Assert.Equal(p.Name, p.FuncInfos[0].Name);
            Assert.Equal(0, p.FuncInfos[0].Slot);
            int total = 0;
            foreach (var fi in p.FuncInfos)
            {
                var raw = facts.RawSlots(file, facts.Function(fi.Name));
                total += raw.Length;
                for (int i = 0; i < raw.Length; i++)
                {
                    var original = Instruction.FromRaw(raw[i]);
                    var linked = p.Instructions[fi.Slot + i];
                    if (original.Opcode == OpCall && original.Src == 1 || IsCallbackAddress(facts, fi.Name, i, original))
                        Assert.Equal(original with { Imm = linked.Imm, Registers = linked.Registers }, linked);
                    else
                        Assert.Equal(original, linked);
                }
            }

            Assert.Equal(total, p.Instructions.Length);
        }
    }

    [Theory]
    [MemberData(nameof(TestData.ObjectData), MemberType = typeof(TestData))]
    public void Read_Object_MapRelocationsAreTheReadobjRelocationsOnLddw(string obj)
    {
        var facts = Facts.Load(obj);

        var spec = TestData.Read(obj);

        foreach (var p in spec.Programs)
        {
            var expected = new List<(int Slot, string Map)>();
            foreach (var fi in p.FuncInfos)
            {
                var f = facts.Function(fi.Name);
                foreach (var r in facts.Relocations.Where(r => r.Section == f.SectionName && r.Type == "R_BPF_64_64"
                    && r.Offset >= (long)f.Value && r.Offset < (long)(f.Value + f.Size)))
                {
                    var target = facts.Symbols[r.SymbolIndex];
                    if (target.SectionName == ".text")
                        continue; // callback address, not a map
                    string map = target.SectionName is ".maps" or "maps"
                        ? target.Name
                        : spec.Maps.Single(m => m.IsGlobalData && m.SectionName == target.SectionName).Name;
                    expected.Add((fi.Slot + (int)((r.Offset - (long)f.Value) / 8), map));
                }
            }

            Assert.Equal(expected.Order(), p.MapRelocations.Select(m => (m.Slot, m.MapName)).Order());
            foreach (var m in p.MapRelocations)
                Assert.Equal(OpLddw, p.Instructions[m.Slot].Opcode);
        }
    }

    [Theory]
    [MemberData(nameof(TestData.ObjectData), MemberType = typeof(TestData))]
    public void Read_Object_CallsLandOnTheCalleeFirstSlot(string obj)
    {
        var facts = Facts.Load(obj);
        byte[] file = TestData.Bytes(obj);

        var spec = TestData.Read(obj);

        foreach (var p in spec.Programs)
        {
            foreach (var fi in p.FuncInfos)
            {
                var f = facts.Function(fi.Name);
                var raw = facts.RawSlots(file, f);
                for (int i = 0; i < raw.Length; i++)
                {
                    var original = Instruction.FromRaw(raw[i]);
                    bool isCall = original.Opcode == OpCall && original.Src == 1;
                    bool isCallback = IsCallbackAddress(facts, f.Name, i, original);
                    if (!isCall && !isCallback)
                        continue;
                    string callee = ExpectedCallee(facts, f, i, original, isCallback);
                    int slot = fi.Slot + i;
                    int target = slot + p.Instructions[slot].Imm + 1;
                    Assert.Contains(p.FuncInfos, x => x.Slot == target && x.Name == callee);
                    if (isCallback)
                        Assert.Equal(4, p.Instructions[slot].Src); // BPF_PSEUDO_FUNC
                }
            }
        }
    }

    /// <remarks>
    /// LLVM's BTF line info differs from DWARF in two documented ways: the record at a function's first
    /// slot may point at the function's prototype line (before the body), and compiler-generated code gets line 0 with no
    /// text (which <see cref="ProgramSpec.LineAt"/> reports as "no source line"). Every other record
    /// must name the line DWARF gives that instruction.
    /// </remarks>
    [Theory]
    [MemberData(nameof(TestData.ObjectData), MemberType = typeof(TestData))]
    public void Read_Object_BtfLineInfoAgreesWithDwarfLines(string obj)
    {
        var facts = Facts.Load(obj);

        var spec = TestData.Read(obj);

        int compared = 0;
        foreach (var p in spec.Programs)
        {
            Assert.NotEmpty(p.LineInfos);
            foreach (var li in p.LineInfos)
            {
                var fi = p.FuncInfos.Last(x => x.Slot <= li.Slot);
                var f = facts.Function(fi.Name);
                long offset = (long)f.Value + ((li.Slot - fi.Slot) * 8L);
                if (li.Source.Line == 0)
                {
                    Assert.Equal("", li.Source.LineText);
                    Assert.Null(p.LineAt(li.Slot));
                    continue;
                }

                Assert.Same(li.Source, p.LineAt(li.Slot));
                if (li.Slot == fi.Slot && li.Source.Line != facts.Lines[f.SectionName][offset])
                {
                    Assert.True(li.Source.Line < facts.Lines[f.SectionName][offset], $"{fi.Name}: prototype line after the body's first line");
                    continue;
                }

                Assert.True(facts.Lines[f.SectionName][offset] == (int)li.Source.Line, $"{p.Name} slot {li.Slot}: BTF {li.Source} vs DWARF line {facts.Lines[f.SectionName][offset]}");
                compared++;
            }
        }

        Assert.True(compared > 0);
    }

    [Theory]
    [MemberData(nameof(TestData.ObjectData), MemberType = typeof(TestData))]
    public void Read_Object_BtfTypesMatchBpftool(string obj)
    {
        var facts = Facts.Load(obj);

        var btf = TestData.Read(obj).Btf;

        Assert.NotNull(btf);
        var expected = facts.Btf.EnumerateArray().ToList();
        Assert.Equal(expected.Count + 1, btf.Types.Count);
        foreach (var e in expected)
            BtfAssert.SameAsBpftool(e, btf.TypeById(e.GetProperty("id").GetUInt32()), facts);
    }

    [Theory]
    [MemberData(nameof(TestData.ObjectData), MemberType = typeof(TestData))]
    public void Read_Object_MapsAreTheMapSectionSymbolsAndDataSections(string obj)
    {
        var facts = Facts.Load(obj);

        var spec = TestData.Read(obj);

        var definitions = facts.Symbols.Where(s => s.SectionName is ".maps" or "maps" && s.Type == "Object").Select(s => s.Name);
        var dataSections = facts.Sections.Where(s => s.Size > 0 && (s.Name is ".data" or ".rodata" or ".bss"
            || s.Name.StartsWith(".data.", StringComparison.Ordinal) || s.Name.StartsWith(".rodata.", StringComparison.Ordinal)));
        Assert.Equal(definitions.Order(), spec.Maps.Where(m => !m.IsGlobalData).Select(m => m.Name).Order());
        Assert.Equal(dataSections.Select(s => s.Name).Order(), spec.Maps.Where(m => m.IsGlobalData).Select(m => m.SectionName).Order());
        foreach (var s in dataSections)
            Assert.Equal((uint)s.Size, spec.Maps.Single(m => m.SectionName == s.Name).ValueSize);
    }

    /// <summary>An lddw whose relocation names a .text symbol loads a callback's address.</summary>
    private static bool IsCallbackAddress(Facts facts, string function, int slot, Instruction original)
    {
        if (original.Opcode != OpLddw)
            return false;
        var f = facts.Function(function);
        long offset = (long)f.Value + (slot * 8L);
        return facts.Relocations.Any(r => r.Section == f.SectionName && r.Offset == offset && facts.Symbols[r.SymbolIndex].SectionName == ".text");
    }

    /// <summary>
    /// Who a call or callback address refers to, from the relocation llvm-readobj printed: a named
    /// function symbol; or the .text section symbol plus the immediate (call: slot imm + 1; address:
    /// byte imm); or, without relocation, the same section at the PC-relative slot.
    /// </summary>
    private static string ExpectedCallee(Facts facts, Facts.Symbol f, int slot, Instruction original, bool isCallback)
    {
        long offset = (long)f.Value + (slot * 8L);
        var rel = facts.Relocations.SingleOrDefault(r => r.Section == f.SectionName && r.Offset == offset);
        string section;
        long targetOffset;
        if (rel is null)
        {
            section = f.SectionName;
            targetOffset = offset + ((original.Imm + 1L) * 8);
        }
        else
        {
            var sym = facts.Symbols[rel.SymbolIndex];
            section = sym.SectionName;
            targetOffset = isCallback ? (long)sym.Value + original.Imm : (long)sym.Value + ((original.Imm + 1L) * 8);
        }

        return facts.Functions.Single(x => x.SectionName == section && (long)x.Value == targetOffset).Name;
    }
}
