namespace SharpBpf.Object;

/// <summary>
/// A member of a BTF STRUCT or UNION, or a parameter of a FUNC_PROTO (then <see cref="BitOffset"/>
/// and <see cref="BitfieldSize"/> are 0).
/// </summary>
/// <param name="Name">Member name ("" when anonymous).</param>
/// <param name="Type">BTF type id of the member.</param>
/// <param name="BitOffset">Offset from the start of the aggregate in bits.</param>
/// <param name="BitfieldSize">Bitfield width in bits, 0 for an ordinary member.</param>
public readonly record struct BtfMember(string Name, uint Type, uint BitOffset, uint BitfieldSize);
