using System.Buffers.Binary;
using System.Text;

namespace SharpBpf.Object.Tests;

/// <summary>Writes raw .BTF sections type by type (ids start at 1, in call order).</summary>
internal sealed class BtfBuilder
{
    private readonly List<byte> types = [];
    private readonly List<byte> strings = [];
    private readonly Dictionary<string, uint> stringOffsets = [];
    private uint next = 1;

    public BtfBuilder() => strings.Add(0);

    public ushort Magic { get; set; } = 0xeb9f;

    public uint Str(string s)
    {
        if (s.Length == 0)
            return 0;
        if (stringOffsets.TryGetValue(s, out uint off))
            return off;
        off = (uint)strings.Count;
        strings.AddRange(Encoding.UTF8.GetBytes(s + "\0"));
        stringOffsets[s] = off;
        return off;
    }

    /// <summary>A raw type header with a name offset the caller chooses (for bad-offset tests).</summary>
    public uint RawHeader(uint nameOff, int kind, int vlen, uint sizeOrType, bool kflag = false, params uint[] extra)
    {
        U32(nameOff);
        U32((uint)vlen | ((uint)kind << 24) | (kflag ? 1u << 31 : 0));
        U32(sizeOrType);
        foreach (uint x in extra)
            U32(x);
        return next++;
    }

    public uint Int(string name, uint size, bool signed = false) => RawHeader(Str(name), 1, 0, size, false, (signed ? 1u << 24 : 0) | (size * 8));

    public uint Ptr(uint type) => RawHeader(0, 2, 0, type);

    public uint Array(uint elem, uint index, uint count) => RawHeader(0, 3, 0, 0, false, elem, index, count);

    public uint Struct(string name, uint size, params (string Name, uint Type, uint BitOffset)[] members)
    {
        var extra = members.SelectMany(m => new[] { Str(m.Name), m.Type, m.BitOffset }).ToArray();
        return RawHeader(Str(name), 4, members.Length, size, false, extra);
    }

    public uint Enum(string name, params (string Name, int Value)[] values) =>
        RawHeader(Str(name), 6, values.Length, 4, false, values.SelectMany(v => new[] { Str(v.Name), (uint)v.Value }).ToArray());

    public uint Enum64(string name, bool signed, params (string Name, long Value)[] values) =>
        RawHeader(Str(name), 19, values.Length, 8, signed,
            values.SelectMany(v => new[] { Str(v.Name), (uint)(ulong)v.Value, (uint)((ulong)v.Value >> 32) }).ToArray());

    public uint Typedef(string name, uint type) => RawHeader(Str(name), 8, 0, type);

    public uint Const(uint type) => RawHeader(0, 10, 0, type);

    public uint FuncProto(uint ret, params (string Name, uint Type)[] parameters) =>
        RawHeader(0, 13, parameters.Length, ret, false, parameters.SelectMany(p => new[] { Str(p.Name), p.Type }).ToArray());

    public uint Func(string name, uint proto, uint linkage = 1) => RawHeader(Str(name), 12, (int)linkage, proto);

    public uint Var(string name, uint type, uint linkage = 1) => RawHeader(Str(name), 14, 0, type, false, linkage);

    public uint DataSec(string name, uint size, params (uint Type, uint Offset, uint Size)[] vars) =>
        RawHeader(Str(name), 15, vars.Length, size, false, vars.SelectMany(v => new[] { v.Type, v.Offset, v.Size }).ToArray());

    public uint Float(string name, uint size) => RawHeader(Str(name), 16, 0, size);

    public uint DeclTag(string name, uint type, int component) => RawHeader(Str(name), 17, 0, type, false, (uint)component);

    public uint TypeTag(string name, uint type) => RawHeader(Str(name), 18, 0, type);

    /// <summary><c>__uint(name, n)</c>: a pointer to an n-element array of int.</summary>
    public uint UintField(uint intType, uint n) => Ptr(Array(intType, intType, n));

    public byte[] Build()
    {
        byte[] t = types.ToArray(), s = strings.ToArray();
        var result = new byte[24 + t.Length + s.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(result, Magic);
        result[2] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(4), 24);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(8), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(12), (uint)t.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(16), (uint)t.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(20), (uint)s.Length);
        t.CopyTo(result, 24);
        s.CopyTo(result, 24 + t.Length);
        return result;
    }

    private void U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        types.AddRange(b);
    }
}
