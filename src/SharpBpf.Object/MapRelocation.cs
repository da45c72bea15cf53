namespace SharpBpf.Object;

/// <summary>
/// An <c>lddw</c> at instruction slot <paramref name="Slot"/> of a program that must be pointed at map
/// <paramref name="MapName"/>. The instruction is left as clang wrote it; the loader patches it
/// (see <see cref="MapRelocationKind"/>). <paramref name="Offset"/> is the byte offset inside the map value
/// for <see cref="MapRelocationKind.MapValue"/> (the symbol's offset plus clang's immediate) and 0 otherwise.
/// </summary>
public readonly record struct MapRelocation(int Slot, string MapName, MapRelocationKind Kind, uint Offset);
