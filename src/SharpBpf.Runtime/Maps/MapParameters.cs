using SharpBpf.Abi;
using SharpBpf.Runtime.Memory;

namespace SharpBpf.Runtime.Maps;

/// <summary>The validated attributes a map object is built from (see <see cref="MapFactory"/>).</summary>
/// <param name="Type">The map type.</param>
/// <param name="KeySize">key_size.</param>
/// <param name="ValueSize">value_size.</param>
/// <param name="MaxEntries">max_entries.</param>
/// <param name="MapFlags">map_flags as kept (BPF_F_RDONLY, BPF_F_WRONLY and BPF_F_TOKEN_FD removed).</param>
/// <param name="Name">The name (valid characters only, at most 15).</param>
/// <param name="MapExtra">map_extra.</param>
/// <param name="BtfId">The id of the BTF object given with the map, or 0.</param>
/// <param name="PossibleCpus">The number of per-CPU copies for per-CPU maps.</param>
/// <param name="MemoryUsage">The bytes charged to <paramref name="Budget"/> (the kernel's map_mem_usage).</param>
/// <param name="Budget">The budget charged, released when the map is freed.</param>
public readonly record struct MapParameters(
    MapType Type,
    uint KeySize,
    uint ValueSize,
    uint MaxEntries,
    uint MapFlags,
    string Name,
    ulong MapExtra,
    uint BtfId,
    int PossibleCpus,
    ulong MemoryUsage,
    MemoryBudget Budget);
