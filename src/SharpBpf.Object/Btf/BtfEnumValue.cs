namespace SharpBpf.Object;

/// <summary>One enumerator of a BTF ENUM or ENUM64 (the raw 32 or 64 bits, as signed).</summary>
public readonly record struct BtfEnumValue(string Name, long Value);
