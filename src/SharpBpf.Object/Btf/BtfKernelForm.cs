using System.Buffers.Binary;

namespace SharpBpf.Object.Btf;

/// <summary>
/// Builds the form of an object's <c>.BTF</c> that <c>BPF_BTF_LOAD</c> accepts, as libbpf does before it loads it:
/// the raw records with the fix-ups of <c>btf_fixup_datasec</c> written into them (each DATASEC's size is its ELF
/// section's size, each global VAR's offset its symbol's value, variables sorted by offset, hidden globals static).
/// </summary>
/// <remarks>
/// clang leaves DATASEC sizes at 0, and the kernel refuses a DATASEC of size 0 ("size == 0" in its BTF log). A DATASEC
/// that could not be fixed (its ELF section is missing or empty) is therefore written as an empty STRUCT of size 0 under
/// the same name, which keeps every type id the same; nothing refers to a DATASEC, and its variables stay as they are.
/// (libbpf instead refuses such an object at open time; the reader keeps it, so the loader can still load the
/// programs, and the kernel keeps the rest of the BTF.)
/// </remarks>
internal static class BtfKernelForm
{
    private const int HeaderSize = 24;
    private const int KindShift = 24;

    /// <summary>The kernel-loadable bytes.</summary>
    /// <param name="typeSection">The raw type records.</param>
    /// <param name="strings">The raw string section (copied unchanged, so every string offset stays valid).</param>
    /// <param name="header">The first 4 bytes of the raw header (magic, version, flags).</param>
    /// <param name="types">The parsed and fixed types (index = id).</param>
    /// <param name="offsets">Where each type's record starts in <paramref name="typeSection"/> (index = id).</param>
    public static byte[] Build(ReadOnlySpan<byte> header, ReadOnlySpan<byte> typeSection, ReadOnlySpan<byte> strings,
        BtfType[] types, List<long> offsets)
    {
        var output = new List<byte>(HeaderSize + typeSection.Length + strings.Length);
        output.AddRange(new byte[HeaderSize]);
        for (int id = 1; id < types.Length; id++)
        {
            int start = (int)offsets[id];
            int end = id + 1 < types.Length ? (int)offsets[id + 1] : typeSection.Length;
            var record = typeSection[start..end].ToArray();
            var t = types[id];
            if (t.Kind == BtfKind.DataSec && t.Size == 0)
            {
                record = record[..12];
                WriteU32(record, 4, (uint)BtfKind.Struct << KindShift); // vlen 0, kind_flag 0
                WriteU32(record, 8, 0);
            }
            else if (t.Kind == BtfKind.DataSec)
            {
                WriteU32(record, 8, t.Size);
                for (int i = 0; i < t.Variables.Count; i++)
                {
                    var v = t.Variables[i];
                    WriteU32(record, 12 + (12 * i), v.Type);
                    WriteU32(record, 16 + (12 * i), v.Offset);
                    WriteU32(record, 20 + (12 * i), v.Size);
                }
            }
            else if (t.Kind == BtfKind.Var)
            {
                WriteU32(record, 12, (uint)t.Linkage);
            }

            output.AddRange(record);
        }

        int typeLength = output.Count - HeaderSize;
        output.AddRange(strings.ToArray());
        var blob = output.ToArray();
        header[..4].CopyTo(blob);
        WriteU32(blob, 4, HeaderSize);
        WriteU32(blob, 8, 0);
        WriteU32(blob, 12, (uint)typeLength);
        WriteU32(blob, 16, (uint)typeLength);
        WriteU32(blob, 20, (uint)strings.Length);
        return blob;
    }

    private static void WriteU32(byte[] buffer, int at, uint value) =>
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(at), value);
}
