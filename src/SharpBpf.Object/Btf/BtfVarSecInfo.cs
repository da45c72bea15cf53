namespace SharpBpf.Object;

/// <summary>A variable placed in a BTF DATASEC: its VAR type id, byte offset and size in the section.</summary>
public readonly record struct BtfVarSecInfo(uint Type, uint Offset, uint Size);
