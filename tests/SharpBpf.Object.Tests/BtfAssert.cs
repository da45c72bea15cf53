using System.Text.Json;

namespace SharpBpf.Object.Tests;

/// <summary>Compares a parsed BTF type with bpftool's JSON dump of the same type.</summary>
internal static class BtfAssert
{
    public static void SameAsBpftool(JsonElement e, BtfType t, Facts facts)
    {
        string kind = e.GetProperty("kind").GetString()!;
        string name = e.GetProperty("name").GetString()!;
        string where = $"type [{t.Id}] {kind} '{name}'";
        Assert.True(KindName(t.Kind) == kind, $"{where}: kind {t.Kind}");
        Assert.True((name == "(anon)" ? "" : name) == t.Name, $"{where}: name '{t.Name}'");
        switch (t.Kind)
        {
            case BtfKind.Int:
                Assert.Equal(e.GetProperty("size").GetUInt32(), t.Size);
                Assert.Equal(e.GetProperty("bits_offset").GetUInt32(), t.IntBitOffset);
                Assert.Equal(e.GetProperty("nr_bits").GetUInt32(), t.IntBits);
                Assert.Equal(e.GetProperty("encoding").GetString(), t.IntEncoding switch
                {
                    0 => "(none)",
                    1 => "SIGNED",
                    2 => "CHAR",
                    4 => "BOOL",
                    _ => "?",
                });
                break;
            case BtfKind.Pointer or BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict
                or BtfKind.TypeTag or BtfKind.Var or BtfKind.Func or BtfKind.DeclTag:
                Assert.Equal(e.GetProperty("type_id").GetUInt32(), t.Type);
                if (t.Kind is BtfKind.Var or BtfKind.Func)
                    Assert.Equal(e.GetProperty("linkage").GetString(), t.Linkage.ToString().ToLowerInvariant());
                if (t.Kind == BtfKind.DeclTag)
                    Assert.Equal(e.GetProperty("component_idx").GetInt32(), t.ComponentIndex);
                break;
            case BtfKind.Array:
                Assert.Equal(e.GetProperty("type_id").GetUInt32(), t.ArrayElementType);
                Assert.Equal(e.GetProperty("index_type_id").GetUInt32(), t.ArrayIndexType);
                Assert.Equal(e.GetProperty("nr_elems").GetUInt32(), t.ArrayLength);
                break;
            case BtfKind.Struct or BtfKind.Union:
            {
                Assert.Equal(e.GetProperty("size").GetUInt32(), t.Size);
                var members = e.GetProperty("members").EnumerateArray().ToList();
                Assert.Equal(members.Count, t.Members.Count);
                for (int i = 0; i < members.Count; i++)
                {
                    var m = members[i];
                    Assert.Equal(Anon(m.GetProperty("name").GetString()!), t.Members[i].Name);
                    Assert.Equal(m.GetProperty("type_id").GetUInt32(), t.Members[i].Type);
                    Assert.Equal(m.GetProperty("bits_offset").GetUInt32(), t.Members[i].BitOffset);
                    uint bitfield = m.TryGetProperty("bitfield_size", out var b) ? b.GetUInt32() : 0;
                    Assert.Equal(bitfield, t.Members[i].BitfieldSize);
                }

                break;
            }

            case BtfKind.Enum:
            {
                Assert.Equal(e.GetProperty("size").GetUInt32(), t.Size);
                var values = e.GetProperty("values").EnumerateArray().ToList();
                Assert.Equal(values.Count, t.EnumValues.Count);
                for (int i = 0; i < values.Count; i++)
                {
                    Assert.Equal(values[i].GetProperty("name").GetString(), t.EnumValues[i].Name);
                    // bpftool prints a 32-bit enumerator sign-extended to 64 bits; compare the 32 bits the file holds.
                    Assert.Equal(values[i].GetProperty("val").GetUInt64() & 0xffffffff, unchecked((ulong)t.EnumValues[i].Value) & 0xffffffff);
                }

                break;
            }

            case BtfKind.FuncProto:
            {
                Assert.Equal(e.GetProperty("ret_type_id").GetUInt32(), t.Type);
                var parameters = e.GetProperty("params").EnumerateArray().ToList();
                Assert.Equal(parameters.Count, t.Members.Count);
                for (int i = 0; i < parameters.Count; i++)
                {
                    Assert.Equal(Anon(parameters[i].GetProperty("name").GetString()!), t.Members[i].Name);
                    Assert.Equal(parameters[i].GetProperty("type_id").GetUInt32(), t.Members[i].Type);
                }

                break;
            }

            case BtfKind.Forward:
                Assert.Equal(e.GetProperty("fwd_kind").GetString(), t.KindFlag ? "union" : "struct");
                break;
            case BtfKind.Float:
                Assert.Equal(e.GetProperty("size").GetUInt32(), t.Size);
                break;
            case BtfKind.DataSec:
                SameDataSec(e, t, facts);
                break;
            default:
                Assert.Fail($"{where}: unexpected kind");
                break;
        }
    }

    /// <summary>
    /// bpftool shows the DATASEC as clang wrote it (size 0, global variables at offset 0); the reader
    /// has applied libbpf's fix-up: section size from the ELF, global variable offsets from their symbols.
    /// </summary>
    private static void SameDataSec(JsonElement e, BtfType t, Facts facts)
    {
        uint rawSize = e.GetProperty("size").GetUInt32();
        var section = facts.Sections.SingleOrDefault(s => s.Name == t.Name);
        Assert.Equal(rawSize != 0 || section is null ? rawSize : (uint)section.Size, t.Size);
        var raw = e.GetProperty("vars").EnumerateArray().ToList();
        Assert.Equal(raw.Count, t.Variables.Count);
        foreach (var v in raw)
        {
            uint type = v.GetProperty("type_id").GetUInt32();
            var actual = Assert.Single(t.Variables, x => x.Type == type);
            Assert.Equal(v.GetProperty("size").GetUInt32(), actual.Size);
            var symbol = facts.Symbols.FirstOrDefault(s => s.Type == "Object" && s.Binding != "Local" && s.SectionName == t.Name
                && s.Name == facts.Btf.EnumerateArray().Single(x => x.GetProperty("id").GetUInt32() == type).GetProperty("name").GetString());
            uint expectedOffset = symbol is null ? v.GetProperty("offset").GetUInt32() : (uint)symbol.Value;
            Assert.Equal(expectedOffset, actual.Offset);
        }

        Assert.Equal(t.Variables.OrderBy(v => v.Offset).ToList(), t.Variables.ToList());
    }

    private static string Anon(string name) => name == "(anon)" ? "" : name;

    private static string KindName(BtfKind kind) => kind switch
    {
        BtfKind.Int => "INT",
        BtfKind.Pointer => "PTR",
        BtfKind.Array => "ARRAY",
        BtfKind.Struct => "STRUCT",
        BtfKind.Union => "UNION",
        BtfKind.Enum => "ENUM",
        BtfKind.Forward => "FWD",
        BtfKind.Typedef => "TYPEDEF",
        BtfKind.Volatile => "VOLATILE",
        BtfKind.Const => "CONST",
        BtfKind.Restrict => "RESTRICT",
        BtfKind.Func => "FUNC",
        BtfKind.FuncProto => "FUNC_PROTO",
        BtfKind.Var => "VAR",
        BtfKind.DataSec => "DATASEC",
        BtfKind.Float => "FLOAT",
        BtfKind.DeclTag => "DECL_TAG",
        BtfKind.TypeTag => "TYPE_TAG",
        BtfKind.Enum64 => "ENUM64",
        _ => "VOID",
    };
}
