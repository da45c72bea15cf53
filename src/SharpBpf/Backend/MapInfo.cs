using SharpBpf.Abi;

namespace SharpBpf.Backend;

/// <summary>What <c>BPF_OBJ_GET_INFO_BY_FD</c> reports for a map (<c>struct bpf_map_info</c>).</summary>
public readonly record struct MapInfo(
    MapType Type,
    uint Id,
    uint KeySize,
    uint ValueSize,
    uint MaxEntries,
    uint MapFlags,
    string Name,
    uint BtfId,
    ulong MapExtra);
