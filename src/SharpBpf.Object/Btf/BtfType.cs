namespace SharpBpf.Object;

/// <summary>
/// One BTF type, decoded. Which properties are meaningful depends on <see cref="Kind"/>; the others
/// are zero or empty. Type ids inside a parsed <see cref="BtfSpec"/> are validated (every id a type
/// refers to exists in the same spec).
/// </summary>
public sealed class BtfType
{
    internal BtfType(uint id, BtfKind kind, string name)
    {
        Id = id;
        Kind = kind;
        Name = name;
    }

    /// <summary>The type id (its index in <see cref="BtfSpec.Types"/>).</summary>
    public uint Id { get; }

    /// <summary>The BTF kind.</summary>
    public BtfKind Kind { get; }

    /// <summary>Name, "" for anonymous types.</summary>
    public string Name { get; }

    /// <summary>The kind_flag bit (bitfield members; signed enums; union forward declarations).</summary>
    public bool KindFlag { get; internal init; }

    /// <summary>Size in bytes for INT, STRUCT, UNION, ENUM, ENUM64, FLOAT and DATASEC.</summary>
    public uint Size { get; internal set; }

    /// <summary>The referenced type for PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG, FUNC
    /// (its FUNC_PROTO), FUNC_PROTO (return type), VAR and DECL_TAG.</summary>
    public uint Type { get; internal init; }

    /// <summary>INT encoding bits (1 = signed, 2 = char, 4 = bool).</summary>
    public uint IntEncoding { get; internal init; }

    /// <summary>INT bit offset.</summary>
    public uint IntBitOffset { get; internal init; }

    /// <summary>INT width in bits.</summary>
    public uint IntBits { get; internal init; }

    /// <summary>ARRAY element type.</summary>
    public uint ArrayElementType { get; internal init; }

    /// <summary>ARRAY index type.</summary>
    public uint ArrayIndexType { get; internal init; }

    /// <summary>ARRAY element count.</summary>
    public uint ArrayLength { get; internal init; }

    /// <summary>STRUCT / UNION members, or FUNC_PROTO parameters.</summary>
    public IReadOnlyList<BtfMember> Members { get; internal init; } = [];

    /// <summary>ENUM / ENUM64 enumerators.</summary>
    public IReadOnlyList<BtfEnumValue> EnumValues { get; internal init; } = [];

    /// <summary>DATASEC variables, sorted by offset.</summary>
    public IReadOnlyList<BtfVarSecInfo> Variables { get; internal set; } = [];

    /// <summary>VAR or FUNC linkage.</summary>
    public BtfLinkage Linkage { get; internal set; }

    /// <summary>DECL_TAG component index (-1: the tag applies to the whole type).</summary>
    public int ComponentIndex { get; internal init; }

    /// <inheritdoc/>
    public override string ToString() => $"[{Id}] {Kind} '{Name}'";
}
