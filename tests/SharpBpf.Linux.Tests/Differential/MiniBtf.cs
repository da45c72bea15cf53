using System.Buffers.Binary;
using System.Text;

namespace SharpBpf.Linux.Tests.Differential;

/// <summary>
/// The smallest BTF that describes a program of static functions <c>int f(void *ctx)</c>, and the func_info records
/// that name them, for loading hand-assembled programs with subprograms on the kernel (which wants BTF for a tail call
/// inside a subprogram). Types: [1] int, [2] void *, [3] int (void *ctx), [4..] one FUNC per name.
/// </summary>
public static class MiniBtf
{
    private const int KindInt = 1, KindPtr = 2, KindFunc = 12, KindFuncProto = 13;

    /// <summary>The BTF blob for functions named <paramref name="names"/> (type ids 4, 5, ...).</summary>
    public static byte[] Functions(params string[] names)
    {
        var strings = new List<byte> { 0 };
        int Str(string s)
        {
            int off = strings.Count;
            strings.AddRange(Encoding.ASCII.GetBytes(s));
            strings.Add(0);
            return off;
        }

        var types = new List<uint>();
        types.AddRange([(uint)Str("int"), KindInt << 24, 4, (1u << 24) | 32]); // [1] signed 32-bit int
        types.AddRange([0, KindPtr << 24, 0]); // [2] void *
        types.AddRange([0, (KindFuncProto << 24) | 1, 1, (uint)Str("ctx"), 2]); // [3] int (void *ctx)
        foreach (string name in names)
            types.AddRange([(uint)Str(name), KindFunc << 24, 3]); // static linkage (vlen 0)

        int typeLen = types.Count * 4;
        byte[] blob = new byte[24 + typeLen + strings.Count];
        BinaryPrimitives.WriteUInt16LittleEndian(blob, 0xeb9f);
        blob[2] = 1; // version
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(4), 24); // hdr_len
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(8), 0); // type_off
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(12), (uint)typeLen);
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(16), (uint)typeLen); // str_off
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(20), (uint)strings.Count);
        for (int i = 0; i < types.Count; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(24 + 4 * i), types[i]);
        strings.CopyTo(blob, 24 + typeLen);
        return blob;
    }

    /// <summary>func_info records: function i (type id 4 + i) starts at slot <paramref name="starts"/>[i].</summary>
    public static byte[] FuncInfo(params int[] starts)
    {
        byte[] records = new byte[8 * starts.Length];
        for (int i = 0; i < starts.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(records.AsSpan(8 * i), (uint)starts[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(records.AsSpan(8 * i + 4), (uint)(4 + i));
        }

        return records;
    }
}
