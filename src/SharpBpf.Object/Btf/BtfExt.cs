using SharpBpf.Object.Elf;

namespace SharpBpf.Object.Btf;

/// <summary>A <c>bpf_func_info</c> record as stored in the object: byte offset inside its ELF section.</summary>
internal readonly record struct RawFuncInfo(uint InsnOffset, uint TypeId, long At);

/// <summary>
/// A <c>bpf_line_info</c> record as stored in the object, strings resolved; the string offsets are kept too, for
/// the records handed to the kernel with the object's BTF.
/// </summary>
internal readonly record struct RawLineInfo(uint InsnOffset, SourceLine Source, long At, uint FileNameOffset, uint LineOffset);

/// <summary>
/// The function and line information of <c>.BTF.ext</c>, grouped by the ELF section name each block
/// names. CO-RE relocation records are not read (the reader does not perform CO-RE).
/// </summary>
internal sealed class BtfExt
{
    private const int MinFuncRecord = 8;
    private const int MinLineRecord = 16;

    private BtfExt(SectionReader section) => Section = section;

    public SectionReader Section { get; }

    public Dictionary<string, List<RawFuncInfo>> FuncInfos { get; } = [];

    public Dictionary<string, List<RawLineInfo>> LineInfos { get; } = [];

    public static BtfExt Parse(SectionReader r, BtfSpec btf, BtfStrings strings)
    {
        ushort magic = r.U16(0, "BTF.ext magic");
        if (magic == 0x9feb)
            throw r.Fail(0, "big-endian BTF.ext is not supported");
        if (magic != BtfParser.Magic)
            throw r.Fail(0, $"bad BTF.ext magic 0x{magic:x4}");
        if (r.U8(2) != 1)
            throw r.Fail(2, $"unsupported BTF.ext version {r.U8(2)}");
        uint hdrLen = r.U32(4, "BTF.ext header length");
        if (hdrLen < 24 || hdrLen > r.Length)
            throw r.Fail(4, $"BTF.ext header length {hdrLen} is not between 24 and the section size {r.Length}");

        var ext = new BtfExt(r);
        var funcBlock = r.Slice((long)hdrLen + r.U32(8), r.U32(12), "BTF.ext func_info");
        var lineBlock = r.Slice((long)hdrLen + r.U32(16), r.U32(20), "BTF.ext line_info");

        ReadBlocks(funcBlock, MinFuncRecord, strings, "func_info", (sec, rec, recSize, at) =>
        {
            uint typeId = rec.U32(4);
            if (typeId >= btf.Types.Count || btf.Types[(int)typeId].Kind != BtfKind.Func)
                throw rec.Fail(4, $"func_info for section '{sec}' refers to BTF type {typeId}, which is not a FUNC");
            Add(ext.FuncInfos, sec, new RawFuncInfo(rec.U32(0), typeId, at));
        });
        ReadBlocks(lineBlock, MinLineRecord, strings, "line_info", (sec, rec, recSize, at) =>
        {
            string file = strings.Get(rec.U32(4), rec, 4, "line_info file name");
            string text = strings.Get(rec.U32(8), rec, 8, "line_info source line");
            uint lineCol = rec.U32(12);
            Add(ext.LineInfos, sec, new RawLineInfo(rec.U32(0), new SourceLine(file, lineCol >> 10, lineCol & 0x3ff, text), at,
                rec.U32(4), rec.U32(8)));
        });

        // Records are normally ascending already; sort (stably) so lookups by offset can binary-search.
        foreach (var list in ext.FuncInfos.Values)
            SortStable(list, static x => x.InsnOffset);
        foreach (var list in ext.LineInfos.Values)
            SortStable(list, static x => x.InsnOffset);
        return ext;
    }

    private static void SortStable<T>(List<T> list, Func<T, uint> key)
    {
        var sorted = list.OrderBy(key).ToList();
        list.Clear();
        list.AddRange(sorted);
    }

    private static void Add<T>(Dictionary<string, List<T>> map, string key, T value)
    {
        if (!map.TryGetValue(key, out var list))
            map[key] = list = [];
        list.Add(value);
    }

    /// <summary>
    /// A block is <c>u32 rec_size</c> followed by per-section groups
    /// <c>{ u32 sec_name_off; u32 num_info; rec_size-byte records }</c>.
    /// </summary>
    private static void ReadBlocks(SectionReader block, int minRecord, BtfStrings strings, string what,
        Action<string, SectionReader, int, long> onRecord)
    {
        if (block.Length == 0)
            return;
        uint recSize = block.U32(0, $"{what} record size");
        if (recSize < minRecord || recSize % 4 != 0 || recSize > block.Length)
            throw block.Fail(0, $"{what} record size {recSize} is invalid (minimum {minRecord}, multiple of 4)");
        long o = 4;
        while (o < block.Length)
        {
            string sec = strings.Get(block.U32(o, $"{what} section name"), block, o, $"{what} section name");
            uint count = block.U32(o + 4, $"{what} record count");
            if (count == 0)
                throw block.Fail(o + 4, $"{what} group for section '{sec}' has no records");
            o += 8;
            block.Check(o, count * (long)recSize, $"{count} {what} records for section '{sec}'");
            for (uint i = 0; i < count; i++, o += recSize)
                onRecord(sec, block.Slice(o, recSize, what), (int)recSize, block.ReportBase + o);
        }
    }
}
