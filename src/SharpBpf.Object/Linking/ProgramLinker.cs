using SharpBpf.Asm;
using SharpBpf.Object.Btf;
using SharpBpf.Object.Elf;
using SharpBpf.Object.Maps;

namespace SharpBpf.Object.Linking;

/// <summary>
/// Splits executable sections into functions (by their FUNC symbols) and links every entry-point
/// program with the <c>.text</c> subprograms it reaches, the way libbpf's
/// <c>bpf_object__reloc_code</c> does: depth-first, each subprogram appended once per program, call
/// and callback-address immediates rewritten relative to the linked slots.
/// </summary>
internal sealed class ProgramLinker
{
    private const byte OpCall = 0x85;
    private const byte OpLddw = 0x18;
    private const byte PseudoCall = 1;
    private const byte PseudoFunc = 4;

    private readonly ElfFile elf;
    private readonly MapIndex maps;
    private readonly BtfExt? ext;
    private readonly BtfSpec? btf;
    private readonly Dictionary<int, Instruction[]> code = [];
    private readonly Dictionary<int, List<Function>> functions = [];
    private readonly Dictionary<(int Section, long Start), Function> functionStarts = [];
    private readonly Dictionary<int, SortedList<int, ElfRelocation>> relocations = [];
    private readonly ElfSection? text;

    public ProgramLinker(ElfFile elf, MapIndex maps, BtfExt? ext, BtfSpec? btf)
    {
        this.elf = elf;
        this.maps = maps;
        this.ext = ext;
        this.btf = btf;
        var symbolsBySection = elf.Symbols.Where(s => s.Type == ElfSymbol.STT_FUNC).ToLookup(s => (int)s.SectionIndex);
        foreach (var section in elf.Sections.Where(s => s.IsCode))
        {
            var reader = elf.Reader(section);
            if (section.Size % 8 != 0)
                throw reader.Fail(0, $"code section size {section.Size} is not a multiple of 8");
            code[section.Index] = Instruction.FromBytes(reader.Span(0, section.Size, "instructions"));
            functions[section.Index] = FindFunctions(section, reader, symbolsBySection[section.Index]);
            foreach (var f in functions[section.Index])
                functionStarts[(section.Index, f.Start)] = f;
            relocations[section.Index] = IndexRelocations(section);
            if (section.Name == ".text")
                text = section;
        }
    }

    /// <summary>A function inside a code section: slots [Start, Start + Count).</summary>
    private sealed record Function(ElfSection Section, string Name, int Start, int Count);

    /// <summary>True when <paramref name="symbol"/> is the start of an entry-point program (not a .text subprogram).</summary>
    public bool IsProgramEntry(ElfSymbol symbol) =>
        symbol.Type == ElfSymbol.STT_FUNC
        && symbol.SectionIndex < elf.Sections.Count
        && elf.Sections[symbol.SectionIndex] != text
        && symbol.Value % 8 == 0 && symbol.Value / 8 < int.MaxValue
        && functionStarts.TryGetValue((symbol.SectionIndex, (long)(symbol.Value / 8)), out var f)
        && f.Name == symbol.Name;

    /// <summary>Links every program of every executable section other than <c>.text</c>, by section then offset.</summary>
    public List<ProgramSpec> LinkAll(string license)
    {
        var result = new List<ProgramSpec>();
        foreach (var (sectionIndex, list) in functions.OrderBy(kv => kv.Key))
        {
            var section = elf.Sections[sectionIndex];
            if (section == text)
                continue;
            var def = ProgramSectionTable.Find(section.Name);
            foreach (var f in list)
                result.Add(Link(f, def, license));
        }

        return result;
    }

    private static List<Function> FindFunctions(ElfSection section, SectionReader reader, IEnumerable<ElfSymbol> symbols)
    {
        var list = new List<Function>();
        var starts = new HashSet<int>();
        foreach (var sym in symbols)
        {
            if (sym.Size == 0)
                continue;
            if (sym.Value % 8 != 0 || sym.Size % 8 != 0 || sym.Value > (ulong)section.Size || sym.Size > (ulong)section.Size - sym.Value)
                throw reader.Fail((long)Math.Min(sym.Value, (ulong)section.Size), $"function '{sym.Name}' at {sym.Value} size {sym.Size} is not a whole number of instructions inside the {section.Size}-byte section");
            int start = (int)(sym.Value / 8);
            if (!starts.Add(start))
                continue; // an alias of a function already seen
            list.Add(new Function(section, sym.Name, start, (int)(sym.Size / 8)));
        }

        if (list.Count == 0)
        {
            // Hand-written objects may lack FUNC symbols: the whole section is then one function named after it.
            list.Add(new Function(section, section.Name, 0, section.Size / 8));
        }

        list.Sort((a, b) => a.Start.CompareTo(b.Start));
        return list;
    }

    private SortedList<int, ElfRelocation> IndexRelocations(ElfSection section)
    {
        var bySlot = new SortedList<int, ElfRelocation>();
        foreach (var rel in elf.RelocationsFor(section))
        {
            if (rel.Offset % 8 != 0)
                throw elf.Fail(rel, $"relocation patches offset {rel.Offset} of '{section.Name}', which is not an instruction boundary");
            if (rel.Type is not (ElfRelocation.R_BPF_64_64 or ElfRelocation.R_BPF_64_32))
                throw elf.Fail(rel, $"unsupported relocation type {rel.Type} in code section '{section.Name}'");
            if (!bySlot.TryAdd((int)(rel.Offset / 8), rel))
                throw elf.Fail(rel, $"two relocations patch offset {rel.Offset} of '{section.Name}'");
        }

        return bySlot;
    }

    private ProgramSpec Link(Function main, SectionDefinition? def, string license)
    {
        var linked = new List<Instruction>();
        var placed = new Dictionary<Function, int>();
        var mapRelocations = new List<MapRelocation>();
        var funcInfos = new List<FuncInfo>();
        var lineInfos = new List<LineInfo>();

        void Place(Function f)
        {
            int baseSlot = linked.Count;
            placed[f] = baseSlot;
            linked.AddRange(new ArraySegment<Instruction>(code[f.Section.Index], f.Start, f.Count));
            CollectMapRelocations(f, baseSlot, mapRelocations);
            CollectDebugInfo(f, baseSlot, funcInfos, lineInfos);
        }

        Place(main);
        var stack = new Stack<(Function F, int Next)>();
        stack.Push((main, 0));
        while (stack.Count > 0)
        {
            var (f, next) = stack.Pop();
            int baseSlot = placed[f];
            for (int i = next; i < f.Count; i++)
            {
                int slot = baseSlot + i;
                var insn = linked[slot];
                bool isLddw = insn.Opcode == OpLddw;
                if (isLddw && i + 1 >= f.Count)
                    throw CodeFail(f, i, "lddw is missing its second slot at the end of the function");
                var callee = CallTarget(f, i, insn);
                if (callee is not null)
                {
                    bool fresh = !placed.ContainsKey(callee);
                    if (fresh)
                        Place(callee);
                    byte registers = isLddw ? (byte)((insn.Registers & 0x0f) | (PseudoFunc << 4)) : insn.Registers;
                    linked[slot] = insn with { Imm = placed[callee] - slot - 1, Registers = registers };
                    if (fresh)
                    {
                        // Depth-first like libbpf: finish the callee (and its callees) before the rest of f.
                        stack.Push((f, i + (isLddw ? 2 : 1)));
                        stack.Push((callee, 0));
                        break;
                    }
                }

                if (isLddw)
                    i++;
            }
        }

        mapRelocations.Sort((a, b) => a.Slot.CompareTo(b.Slot));
        var sortedLines = lineInfos.OrderBy(l => l.Slot).ToArray();
        return new ProgramSpec(
            main.Name,
            main.Section.Name,
            def?.Type ?? Abi.ProgramType.Unspec,
            def?.ExpectedAttachType,
            [.. linked],
            [.. mapRelocations],
            license,
            [.. funcInfos],
            sortedLines);
    }

    /// <summary>The function a bpf-to-bpf call or a callback-address <c>lddw</c> at slot <paramref name="i"/> of <paramref name="f"/> refers to.</summary>
    private Function? CallTarget(Function f, int i, Instruction insn)
    {
        int sectionSlot = f.Start + i;
        bool hasRel = relocations[f.Section.Index].TryGetValue(sectionSlot, out var rel);
        if (insn.Opcode == OpCall && insn.Src == PseudoCall)
        {
            if (!hasRel)
            {
                // A call to a static function of the same section carries no relocation: imm is PC-relative.
                return FunctionAt(f.Section, sectionSlot + 1L + insn.Imm, f, i);
            }

            var sym = rel.Symbol;
            if (text is null || sym.SectionIndex != text.Index)
                throw RelFail(rel, $"call relocation against '{sym.Name}' in section '{elf.SectionName(sym.SectionIndex)}'; subprograms must be in .text");
            if (sym.Value % 8 != 0)
                throw RelFail(rel, $"call relocation against '{sym.Name}' at unaligned offset {sym.Value}");
            // libbpf: callee slot = symbol offset / 8 + imm + 1 (imm = -1 for global functions,
            // the callee's slot - 1 for static ones, whose relocation names the .text section symbol).
            return FunctionAt(text, (long)Math.Min(sym.Value / 8, int.MaxValue) + insn.Imm + 1L, f, i);
        }

        if (insn.Opcode == OpLddw && hasRel && text is not null && rel.Symbol.SectionIndex == text.Index)
        {
            var sym = rel.Symbol;
            long byteOffset = (long)Math.Min(sym.Value, int.MaxValue) + insn.Imm;
            if (byteOffset % 8 != 0)
                throw RelFail(rel, $"function address relocation against '{sym.Name}' at unaligned offset {byteOffset}");
            return FunctionAt(text, byteOffset / 8, f, i);
        }

        if (insn.Opcode == OpLddw && insn.Src == PseudoFunc && !hasRel)
            throw CodeFail(f, i, "callback address (BPF_PSEUDO_FUNC) without a relocation");
        return null;
    }

    private Function FunctionAt(ElfSection section, long slot, Function caller, int callerSlot)
    {
        if (functionStarts.TryGetValue((section.Index, slot), out var g))
            return g;
        throw CodeFail(caller, callerSlot, $"call target slot {slot} of '{section.Name}' is not the start of a function");
    }

    private void CollectMapRelocations(Function f, int baseSlot, List<MapRelocation> into)
    {
        var insns = code[f.Section.Index];
        var sorted = relocations[f.Section.Index];
        for (int k = LowerBound(sorted.Keys, f.Start); k < sorted.Count && sorted.Keys[k] < f.Start + f.Count; k++)
        {
            int sectionSlot = sorted.Keys[k];
            var rel = sorted.Values[k];
            var insn = insns[sectionSlot];
            var sym = rel.Symbol;
            if (insn.Opcode == OpCall)
            {
                if (insn.Src != PseudoCall)
                    throw RelFail(rel, $"relocation against '{sym.Name}' on a helper or kfunc call (extern kfuncs are not supported)");
                continue; // linked in Link()
            }

            if (insn.Opcode != OpLddw)
                throw RelFail(rel, $"relocation against '{sym.Name}' on instruction 0x{insn.Opcode:x2}, which is neither a call nor an lddw");
            if (rel.Type != ElfRelocation.R_BPF_64_64)
                throw RelFail(rel, $"lddw relocation against '{sym.Name}' has type {rel.Type}, not R_BPF_64_64");
            if (sym.SectionIndex == ElfSymbol.SHN_UNDEF)
                throw RelFail(rel, $"lddw refers to extern '{sym.Name}' (externs, kconfig and ksyms are not supported)");
            if (sym.SectionIndex >= ElfSymbol.SHN_LORESERVE)
                throw RelFail(rel, $"lddw refers to '{sym.Name}' in special section 0x{sym.SectionIndex:x}; uninitialised global?");
            if (text is not null && sym.SectionIndex == text.Index)
                continue; // callback address, linked in Link()
            int slot = baseSlot + sectionSlot - f.Start;
            var resolved = maps.Resolve(slot, sym, insn.Imm, problem => RelFail(rel, problem))
                ?? throw RelFail(rel, $"lddw refers to '{sym.Name}' in section '{elf.SectionName(sym.SectionIndex)}', which holds neither maps nor global data");
            into.Add(resolved);
        }
    }

    private void CollectDebugInfo(Function f, int baseSlot, List<FuncInfo> funcInfos, List<LineInfo> lineInfos)
    {
        if (ext is null || btf is null)
            return;
        string section = f.Section.Name;
        long first = f.Start * 8L, end = (f.Start + (long)f.Count) * 8;
        if (ext.FuncInfos.TryGetValue(section, out var funcs))
        {
            for (int k = LowerBound(funcs, first, static x => x.InsnOffset); k < funcs.Count && funcs[k].InsnOffset < end; k++)
            {
                var fi = funcs[k];
                if (fi.InsnOffset % 8 != 0)
                    throw ext.Section.Fail(fi.At, $"func_info offset {fi.InsnOffset} in '{section}' is not an instruction boundary");
                funcInfos.Add(new FuncInfo(baseSlot + (int)((fi.InsnOffset - first) / 8), fi.TypeId, btf.Types[(int)fi.TypeId].Name));
            }
        }

        if (ext.LineInfos.TryGetValue(section, out var lines))
        {
            for (int k = LowerBound(lines, first, static x => x.InsnOffset); k < lines.Count && lines[k].InsnOffset < end; k++)
            {
                var li = lines[k];
                if (li.InsnOffset % 8 != 0)
                    throw ext.Section.Fail(li.At, $"line_info offset {li.InsnOffset} in '{section}' is not an instruction boundary");
                lineInfos.Add(new LineInfo(baseSlot + (int)((li.InsnOffset - first) / 8), li.Source)
                {
                    FileNameOffset = li.FileNameOffset,
                    LineOffset = li.LineOffset,
                });
            }
        }
    }

    /// <summary>Index of the first key not below <paramref name="value"/> in an ascending list.</summary>
    private static int LowerBound<T>(IList<T> list, long value, Func<T, long> key)
    {
        int lo = 0, hi = list.Count;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) / 2);
            if (key(list[mid]) < value)
                lo = mid + 1;
            else
                hi = mid;
        }

        return lo;
    }

    private static int LowerBound(IList<int> keys, int value) => LowerBound(keys, value, static k => k);

    private BpfObjectFormatException CodeFail(Function f, int slotInFunction, string problem) =>
        elf.Reader(f.Section).Fail((f.Start + (long)slotInFunction) * 8, $"{f.Name}+{slotInFunction}: {problem}");

    private BpfObjectFormatException RelFail(ElfRelocation rel, string problem) => elf.Fail(rel, problem);
}
