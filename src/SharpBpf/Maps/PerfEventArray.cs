using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Maps;

/// <summary>
/// A typed BPF_MAP_TYPE_PERFEVENTARRAY handle: slots are set from a perf event descriptor and hold the map's own reference
/// to the perf event. Errors surface as the <see cref="BpfMap"/> exceptions.
/// </summary>
public sealed class PerfEventArray : FdArray
{
    /// <summary>Wraps <paramref name="map"/>, which must be a PerfEventArray map.</summary>
    /// <exception cref="ArgumentException">The map is of another type.</exception>
    public PerfEventArray(BpfMap map, bool ownsMap = true)
        : base(map, ownsMap, MapType.PerfEventArray)
    {
    }

    /// <summary>Creates a PerfEventArray map of <paramref name="maxEntries"/> slots and owns it.</summary>
    public PerfEventArray(IBpfBackend backend, uint maxEntries, string? name = null, uint flags = 0)
        : this(CreateMap(backend, MapType.PerfEventArray, maxEntries, name, flags))
    {
    }
}
