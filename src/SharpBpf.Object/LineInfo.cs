namespace SharpBpf.Object;

/// <summary>BTF line info rebased to a program: slot <paramref name="Slot"/> and the following
/// slots up to the next record come from <paramref name="Source"/>.</summary>
public readonly record struct LineInfo(int Slot, SourceLine Source);
