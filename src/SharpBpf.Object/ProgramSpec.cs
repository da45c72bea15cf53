using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Asm;

namespace SharpBpf.Object;

/// <summary>
/// The blueprint of one program: its function followed by every <c>.text</c> subprogram it calls
/// (transitively, each appended once, in libbpf's depth-first order) with bpf-to-bpf call and
/// callback-address immediates already relative to the linked slots, plus the map references the
/// loader must still patch and the BTF function / line info rebased to the linked slots.
/// </summary>
public sealed class ProgramSpec
{
    private readonly LineInfo[] lineInfos;

    /// <summary>
    /// Creates a program spec. The reader builds these from objects; loaders and tests may build them
    /// directly (for example around assembled code). <paramref name="lineInfos"/> must be in slot order.
    /// </summary>
    public ProgramSpec(
        string name,
        string sectionName,
        ProgramType type,
        AttachType? expectedAttachType,
        Instruction[] instructions,
        IReadOnlyList<MapRelocation>? mapRelocations = null,
        string license = "",
        IReadOnlyList<FuncInfo>? funcInfos = null,
        IReadOnlyList<LineInfo>? lineInfos = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(sectionName);
        ArgumentNullException.ThrowIfNull(instructions);
        ArgumentNullException.ThrowIfNull(license);
        Name = name;
        SectionName = sectionName;
        Type = type;
        ExpectedAttachType = expectedAttachType;
        Instructions = instructions;
        MapRelocations = mapRelocations ?? [];
        License = license;
        FuncInfos = funcInfos ?? [];
        this.lineInfos = lineInfos is null ? [] : [.. lineInfos];
        for (int i = 1; i < this.lineInfos.Length; i++)
        {
            if (this.lineInfos[i].Slot < this.lineInfos[i - 1].Slot)
                throw new ArgumentException("line info records must be in slot order", nameof(lineInfos));
        }
    }

    /// <summary>The program's function symbol.</summary>
    public string Name { get; }

    /// <summary>The ELF section (libbpf's <c>SEC("...")</c>).</summary>
    public string SectionName { get; }

    /// <summary>Program type from libbpf's section conventions; <see cref="ProgramType.Unspec"/> when the
    /// section name is not one libbpf knows (the caller must then choose a type).</summary>
    public ProgramType Type { get; }

    /// <summary><c>expected_attach_type</c> from the section conventions, null when libbpf sets none.</summary>
    public AttachType? ExpectedAttachType { get; }

    /// <summary>The linked instruction slots (an <c>lddw</c> takes two). This array is this spec's own copy.</summary>
    public Instruction[] Instructions { get; }

    /// <summary>Every <c>lddw</c> that refers to a map, in slot order.</summary>
    public IReadOnlyList<MapRelocation> MapRelocations { get; }

    /// <summary>The object's license string.</summary>
    public string License { get; }

    /// <summary>Where each function (the program and its subprograms) starts, in slot order.</summary>
    public IReadOnlyList<FuncInfo> FuncInfos { get; }

    /// <summary>Line info records in slot order.</summary>
    public IReadOnlyList<LineInfo> LineInfos => lineInfos;

    /// <summary>The size of one <c>struct bpf_func_info</c> record: <c>{u32 insn_off; u32 type_id;}</c>.</summary>
    public const uint FuncInfoRecordSize = 8;

    /// <summary>The size of one <c>struct bpf_line_info</c> record: <c>{u32 insn_off, file_name_off, line_off, line_col;}</c>.</summary>
    public const uint LineInfoRecordSize = 16;

    /// <summary>
    /// The program's <c>bpf_func_info</c> records as <c>BPF_PROG_LOAD</c> takes them (<see cref="FuncInfoRecordSize"/>
    /// bytes each, <c>insn_off</c> in instruction slots from the program's first): one per function, in slot order.
    /// Their type ids refer to the object's <see cref="BtfSpec.KernelBytes"/>.
    /// </summary>
    public byte[] FuncInfoRecords()
    {
        var records = new byte[FuncInfos.Count * (int)FuncInfoRecordSize];
        for (int i = 0; i < FuncInfos.Count; i++)
        {
            var span = records.AsSpan(i * (int)FuncInfoRecordSize);
            BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)FuncInfos[i].Slot);
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], FuncInfos[i].TypeId);
        }

        return records;
    }

    /// <summary>
    /// The program's <c>bpf_line_info</c> records as <c>BPF_PROG_LOAD</c> takes them (<see cref="LineInfoRecordSize"/>
    /// bytes each, <c>insn_off</c> in slots from the program's first, <c>line_col</c> = line &lt;&lt; 10 | column), with
    /// the string offsets of the object's BTF (<see cref="LineInfo.FileNameOffset"/>, <see cref="LineInfo.LineOffset"/>).
    /// </summary>
    public byte[] LineInfoRecords()
    {
        var records = new byte[lineInfos.Length * (int)LineInfoRecordSize];
        for (int i = 0; i < lineInfos.Length; i++)
        {
            var line = lineInfos[i];
            var span = records.AsSpan(i * (int)LineInfoRecordSize);
            BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)line.Slot);
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], line.FileNameOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(span[8..], line.LineOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (line.Source.Line << 10) | (line.Source.Column & 0x3ff));
        }

        return records;
    }

    /// <summary>The source line slot <paramref name="slot"/> came from: the last line record at or before it.</summary>
    /// <returns>Null when the object has no line info for that slot, or when the record says line 0
    /// (code the compiler generated without a source position).</returns>
    public SourceLine? LineAt(int slot)
    {
        int lo = 0, hi = lineInfos.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) / 2);
            if (lineInfos[mid].Slot <= slot)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found < 0 || slot >= Instructions.Length || lineInfos[found].Source.Line == 0 ? null : lineInfos[found].Source;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({SectionName}, {Type}, {Instructions.Length} slots)";
}
