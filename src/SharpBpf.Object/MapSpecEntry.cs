namespace SharpBpf.Object;

/// <summary>
/// One static initialiser of a map: after creating the map and loading the programs, the loader stores
/// the fd of <paramref name="Target"/> (a program or map name of the same object) at key <paramref name="Key"/>.
/// </summary>
public readonly record struct MapSpecEntry(uint Key, string Target, MapSpecEntryKind Kind);
