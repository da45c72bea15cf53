using System.Buffers.Binary;

namespace SharpBpf.Object.Tests;

/// <summary>Writes a .BTF.ext section with func_info and line_info blocks (section names are BTF string offsets).</summary>
internal static class BtfExtBuilder
{
    public static byte[] Build(
        (uint Section, (uint InsnOff, uint TypeId)[] Records)[] funcRecords,
        (uint Section, (uint InsnOff, uint File, uint Line, uint LineCol)[] Records)[] lineRecords,
        uint funcRecordSize = 8,
        uint lineRecordSize = 16)
    {
        var func = new List<uint> { funcRecordSize };
        foreach (var (section, records) in funcRecords)
        {
            func.Add(section);
            func.Add((uint)records.Length);
            foreach (var r in records)
            {
                func.Add(r.InsnOff);
                func.Add(r.TypeId);
                for (uint pad = 8; pad < funcRecordSize; pad += 4)
                    func.Add(0);
            }
        }

        var line = new List<uint> { lineRecordSize };
        foreach (var (section, records) in lineRecords)
        {
            line.Add(section);
            line.Add((uint)records.Length);
            foreach (var r in records)
            {
                line.AddRange([r.InsnOff, r.File, r.Line, r.LineCol]);
                for (uint pad = 16; pad < lineRecordSize; pad += 4)
                    line.Add(0);
            }
        }

        var words = new List<uint> { 0x0001eb9f, 32, 0, (uint)func.Count * 4, (uint)func.Count * 4, (uint)line.Count * 4, 0, 0 };
        words.AddRange(func);
        words.AddRange(line);
        var bytes = new byte[words.Count * 4];
        for (int i = 0; i < words.Count; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), words[i]);
        return bytes;
    }
}
