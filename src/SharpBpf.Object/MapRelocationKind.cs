namespace SharpBpf.Object;

/// <summary>How an <c>lddw</c> refers to a map.</summary>
public enum MapRelocationKind
{
    /// <summary>The map itself: the loader sets src = 1 (<c>BPF_PSEUDO_MAP_FD</c>) and imm = the map fd.</summary>
    Map,

    /// <summary>An address inside the map's single value (global data): the loader sets src = 2
    /// (<c>BPF_PSEUDO_MAP_VALUE</c>), imm = the map fd and the second slot's imm = <see cref="MapRelocation.Offset"/>.</summary>
    MapValue,
}
