namespace SharpBpf.Object;

/// <summary>BTF function info rebased to a program: the function <paramref name="Name"/> (BTF FUNC
/// <paramref name="TypeId"/>) starts at instruction slot <paramref name="Slot"/>.</summary>
public readonly record struct FuncInfo(int Slot, uint TypeId, string Name);
