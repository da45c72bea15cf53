using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;

namespace SharpBpf.Runtime.Objects;

/// <summary>
/// A BTF object of the userspace runtime (<c>BPF_BTF_LOAD</c>): the blob as loaded, whose descriptor a program load
/// gives as <c>prog_btf_fd</c>.
/// </summary>
/// <remarks>
/// Only the kernel's first checks are made (<see cref="TryCreate"/>): the header and that its sections lie within the
/// blob. The type records are not verified the way the kernel's <c>btf_check_all_metas</c> and
/// <c>btf_check_all_types</c> verify them, because nothing in the runtime reads them: programs run without BTF, and a
/// program load only checks that its func_info and line_info records are well-formed. So a blob the kernel refuses for
/// its types is accepted here.
/// </remarks>
public sealed class BtfObject : BpfObject
{
    /// <summary><c>BTF_MAGIC</c>.</summary>
    public const ushort Magic = 0xeB9F;

    /// <summary><c>BTF_MAX_SIZE</c>: the kernel refuses larger blobs with E2BIG.</summary>
    public const int MaxSize = 16 * 1024 * 1024;

    private const int HeaderSize = 24;

    private BtfObject(byte[] data, uint typeLength, uint stringLength)
    {
        Data = data;
        TypeLength = typeLength;
        StringLength = stringLength;
    }

    /// <inheritdoc/>
    public override ObjectKind Kind => ObjectKind.Btf;

    /// <summary>The blob as loaded (a private copy).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The header's <c>type_len</c>.</summary>
    public uint TypeLength { get; }

    /// <summary>The header's <c>str_len</c>: string offsets of line info records must be below it.</summary>
    public uint StringLength { get; }

    /// <summary>
    /// Checks <paramref name="blob"/> as the kernel's <c>btf_parse</c> does before it reads any type, in its order:
    /// the size (E2BIG above <see cref="MaxSize"/>), then <c>btf_parse_hdr</c> (a <c>hdr_len</c> field and a header of
    /// that length; header bytes beyond the known 24 must be zero, else E2BIG; magic 0xeB9F; version 1 and flags 0,
    /// else ENOTSUPP; some data after the header), <c>btf_check_sec_info</c> (the type and string sections lie within
    /// the blob, one after the other without gaps, and cover all of it), the string section (non-empty, starting and
    /// ending with NUL) and the type section (4-byte aligned, non-empty). Each failure is EINVAL unless said
    /// otherwise, with one line in <paramref name="log"/> naming the check.
    /// </summary>
    public static Errno TryCreate(ReadOnlySpan<byte> blob, out BtfObject? btf, out string log)
    {
        btf = null;
        log = "";
        if (blob.Length > MaxSize)
        {
            log = $"btf_size {blob.Length} exceeds {MaxSize}\n";
            return Errno.E2BIG;
        }

        if (blob.Length < 8)
            return Fail("hdr_len not found", out log);
        var hdrLen = BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]);
        if (hdrLen > (uint)blob.Length)
            return Fail("btf_header not found", out log);
        if (hdrLen > HeaderSize && blob[HeaderSize..(int)hdrLen].ContainsAnyExcept((byte)0))
        {
            log = "Unsupported btf_header\n";
            return Errno.E2BIG;
        }

        // A shorter header leaves the fields it lacks zero, as the kernel's copy of min(hdr_len, 24) bytes does.
        Span<byte> header = stackalloc byte[HeaderSize];
        header.Clear();
        blob[..(int)Math.Min(hdrLen, HeaderSize)].CopyTo(header);
        var magic = BinaryPrimitives.ReadUInt16LittleEndian(header);
        if (magic != Magic)
            return Fail($"Invalid magic 0x{magic:x}", out log);
        if (header[2] != 1)
        {
            log = $"Unsupported version {header[2]}\n";
            return Errno.ENOTSUPP;
        }

        if (header[3] != 0)
        {
            log = $"Unsupported flags {header[3]}\n";
            return Errno.ENOTSUPP;
        }

        var dataSize = (ulong)blob.Length - hdrLen;
        if (dataSize == 0)
            return Fail("No data", out log);
        var typeOff = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        var typeLen = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        var strOff = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
        var strLen = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);

        // btf_check_sec_info: the sections, by offset, must follow each other from 0 and end at the blob's end.
        var (first, firstLen, second, secondLen) = typeOff <= strOff ? (typeOff, typeLen, strOff, strLen) : (strOff, strLen, typeOff, typeLen);
        if (first != 0 || (ulong)first + firstLen != second)
            return Fail("Invalid section offset", out log);
        if ((ulong)second + secondLen > dataSize)
            return Fail("Total section length too long", out log);
        if ((ulong)second + secondLen != dataSize)
            return Fail("Unsupported section found", out log);

        var strings = blob.Slice((int)(hdrLen + strOff), (int)strLen);
        if (strLen == 0 || strings[0] != 0 || strings[^1] != 0)
            return Fail("Invalid string section", out log);
        if ((typeOff & 3) != 0)
            return Fail("Unaligned type_off", out log);
        if (typeLen == 0)
            return Fail("No type found", out log);

        btf = new BtfObject(blob.ToArray(), typeLen, strLen);
        return Errno.None;
    }

    /// <summary>
    /// The checks the kernel's verifier makes of a program's <c>func_info</c> and <c>line_info</c> records against
    /// the program (<c>check_btf_func_early</c>, <c>check_btf_func</c>, <c>check_btf_line</c>): record sizes (at least
    /// 8 / 16, at most 252 / 252, multiples of 4; bytes past the known fields zero, else E2BIG), func_info offsets
    /// starting at 0, ascending, and exactly the starts of the program's functions (the entry, every bpf-to-bpf call
    /// target and every callback address); line_info offsets ascending, inside the program, not on the second slot of
    /// an <c>lddw</c>, with string offsets inside this BTF's string section, and one record at the start of every
    /// function. Type ids are not looked up: this object's types are not parsed (see the class remarks).
    /// </summary>
    /// <returns>EINVAL or E2BIG with the kernel's message in <paramref name="log"/>; <see cref="Errno.None"/> if the
    /// records are acceptable.</returns>
    public Errno CheckProgramInfo(ReadOnlySpan<Instruction> insns, in ProgLoadAttr attr, out string log)
    {
        log = "";
        var starts = FunctionStarts(insns);
        var funcInfo = attr.FuncInfo.Span;
        if (!funcInfo.IsEmpty)
        {
            var size = attr.FuncInfoRecordSize;
            if (size < 8 || size > MaxRecordSize || size % 4 != 0)
                return Fail($"invalid func info rec size {size}", out log);
            var count = funcInfo.Length / (int)size;
            uint previous = 0;
            for (var i = 0; i < count; i++)
            {
                var record = funcInfo.Slice(i * (int)size, (int)size);
                if (record[8..].ContainsAnyExcept((byte)0))
                {
                    log = "nonzero tailing record in func info\n";
                    return Errno.E2BIG;
                }

                var insnOff = BinaryPrimitives.ReadUInt32LittleEndian(record);
                if (i == 0 && insnOff != 0)
                    return Fail($"nonzero insn_off {insnOff} for the first func info record", out log);
                if (i != 0 && insnOff <= previous)
                    return Fail($"same or smaller insn offset ({insnOff}) than previous func info record ({previous})", out log);
                previous = insnOff;
            }

            if (count != starts.Count)
                return Fail("number of funcs in func_info doesn't match number of subprogs", out log);
            for (var i = 0; i < count; i++)
            {
                if (BinaryPrimitives.ReadUInt32LittleEndian(funcInfo[(i * (int)size)..]) != starts[i])
                    return Fail("func_info BTF section doesn't match subprog layout in BPF program", out log);
            }
        }

        var lineInfo = attr.LineInfo.Span;
        if (lineInfo.IsEmpty)
            return Errno.None;
        var lineSize = attr.LineInfoRecordSize;
        if (lineSize < 16 || lineSize > MaxRecordSize || lineSize % 4 != 0)
            return Fail($"invalid line info rec size {lineSize}", out log);
        var lines = lineInfo.Length / (int)lineSize;
        var function = 0;
        uint previousLine = 0;
        for (var i = 0; i < lines; i++)
        {
            var record = lineInfo.Slice(i * (int)lineSize, (int)lineSize);
            if (record[16..].ContainsAnyExcept((byte)0))
            {
                log = "nonzero tailing record in line_info\n";
                return Errno.E2BIG;
            }

            var insnOff = BinaryPrimitives.ReadUInt32LittleEndian(record);
            if ((i != 0 && insnOff <= previousLine) || insnOff >= (uint)insns.Length)
                return Fail($"Invalid line_info[{i}].insn_off:{insnOff} (prev_offset {previousLine} prog->len {insns.Length})", out log);
            if (insns[(int)insnOff].Opcode == 0)
                return Fail($"Invalid insn code at line_info[{i}].insn_off", out log);
            if (BinaryPrimitives.ReadUInt32LittleEndian(record[4..]) >= StringLength
                || BinaryPrimitives.ReadUInt32LittleEndian(record[8..]) >= StringLength)
            {
                return Fail($"Invalid line_info[{i}].line_off or .file_name_off", out log);
            }

            if (function < starts.Count)
            {
                if (insnOff == starts[function])
                    function++;
                else if (starts[function] < insnOff)
                    return Fail($"missing bpf_line_info for func#{function}", out log);
            }

            previousLine = insnOff;
        }

        if (function != starts.Count && starts.Count > 1 && !funcInfo.IsEmpty)
            return Fail($"missing bpf_line_info for {starts.Count - function} funcs starting from func#{function}", out log);
        return Errno.None;
    }

    /// <summary>
    /// Where the program's functions start, ascending: slot 0, every <c>call</c> with <c>src = BPF_PSEUDO_CALL</c>
    /// target and every <c>lddw</c> with <c>src = BPF_PSEUDO_FUNC</c> target (the kernel's <c>add_subprog</c> calls).
    /// </summary>
    private static List<uint> FunctionStarts(ReadOnlySpan<Instruction> insns)
    {
        var starts = new SortedSet<uint> { 0 };
        for (var i = 0; i < insns.Length; i++)
        {
            var insn = insns[i];
            var isLocalCall = insn.Opcode == CallOpcode && insn.Src == PseudoCall;
            var isCallback = insn.Opcode == LddwOpcode && insn.Src == PseudoFunc;
            var target = (long)i + insn.Imm + 1;
            if ((isLocalCall || isCallback) && target >= 0 && target < insns.Length)
                starts.Add((uint)target);
            if (insn.Opcode == LddwOpcode)
                i++;
        }

        return [.. starts];
    }

    private const uint MaxRecordSize = 252;
    private const byte CallOpcode = 0x85;
    private const byte LddwOpcode = 0x18;
    private const byte PseudoCall = 1;
    private const byte PseudoFunc = 4;

    /// <inheritdoc/>
    protected override void OnFree()
    {
    }

    private static Errno Fail(string line, out string log)
    {
        log = line + "\n";
        return Errno.EINVAL;
    }
}
