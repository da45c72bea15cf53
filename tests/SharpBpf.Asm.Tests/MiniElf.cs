using System.Buffers.Binary;
using System.Text;

namespace SharpBpf.Asm.Tests;

/// <summary>
/// Just enough ELF64 little-endian reading to get the executable sections of a BPF object, in file order, for the
/// golden-listing tests (SharpBpf.Asm does not depend on SharpBpf.Object, and neither do its tests).
/// </summary>
internal static class MiniElf
{
    public static List<(string Name, Instruction[] Code)> ExecutableSections(string path)
    {
        var elf = File.ReadAllBytes(path);
        var shoff = (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x28));
        var shentsize = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3a));
        var shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3c));
        var shstrndx = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3e));
        var strtab = Header(elf, shoff + (shstrndx * shentsize));

        var result = new List<(string, Instruction[])>();
        for (var i = 0; i < shnum; i++)
        {
            var h = Header(elf, shoff + (i * shentsize));
            const ulong ShfExecInstr = 0x4;
            if (h.Type != 1 || (h.Flags & ShfExecInstr) == 0 || h.Size == 0)
                continue;
            var nameAt = strtab.Offset + h.Name;
            var end = Array.IndexOf(elf, (byte)0, nameAt);
            var name = Encoding.ASCII.GetString(elf, nameAt, end - nameAt);
            result.Add((name, Instruction.FromBytes(elf.AsSpan(h.Offset, h.Size))));
        }

        return result;
    }

    private static (int Name, uint Type, ulong Flags, int Offset, int Size) Header(byte[] elf, int at) => (
        (int)BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(at)),
        BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(at + 4)),
        BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(at + 8)),
        (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(at + 24)),
        (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(at + 32)));
}
