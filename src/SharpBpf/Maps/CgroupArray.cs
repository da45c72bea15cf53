using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Maps;

/// <summary>
/// A typed BPF_MAP_TYPE_CGROUPARRAY handle: slots are set from an open cgroup v2 directory descriptor and hold the map's own reference
/// to the cgroup. Errors surface as the <see cref="BpfMap"/> exceptions.
/// </summary>
public sealed class CgroupArray : FdArray
{
    /// <summary>Wraps <paramref name="map"/>, which must be a CgroupArray map.</summary>
    /// <exception cref="ArgumentException">The map is of another type.</exception>
    public CgroupArray(BpfMap map, bool ownsMap = true)
        : base(map, ownsMap, MapType.CgroupArray)
    {
    }

    /// <summary>Creates a CgroupArray map of <paramref name="maxEntries"/> slots and owns it.</summary>
    public CgroupArray(IBpfBackend backend, uint maxEntries, string? name = null, uint flags = 0)
        : this(CreateMap(backend, MapType.CgroupArray, maxEntries, name, flags))
    {
    }
}
