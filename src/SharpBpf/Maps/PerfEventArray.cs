using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Maps;

/// <summary>
/// A typed BPF_MAP_TYPE_PERFEVENTARRAY handle (spec D/E/F): slots are set from a perf event descriptor and hold the map's own reference
/// to the perf event. Errors surface as the <see cref="BpfMap"/> exceptions.
/// </summary>
public sealed class PerfEventArray : IDisposable
{
    private readonly bool _ownsMap;

    /// <summary>Wraps <paramref name="map"/>, which must be a PerfEventArray map.</summary>
    /// <exception cref="ArgumentException">The map is of another type.</exception>
    public PerfEventArray(BpfMap map, bool ownsMap = true)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Type != MapType.PerfEventArray)
            throw new ArgumentException($"expected a PerfEventArray map, got {map.Type}", nameof(map));
        Map = map;
        _ownsMap = ownsMap;
    }

    /// <summary>Creates a PerfEventArray map of <paramref name="maxEntries"/> slots and owns it.</summary>
    public PerfEventArray(IBpfBackend backend, uint maxEntries, string? name = null, uint flags = 0)
        : this(BpfMap.Create(backend, new MapCreateAttr
        {
            Type = MapType.PerfEventArray, KeySize = 4, ValueSize = 4, MaxEntries = maxEntries, MapFlags = flags, Name = name,
        }))
    {
    }

    /// <summary>The untyped handle.</summary>
    public BpfMap Map { get; }

    /// <summary>The number of slots.</summary>
    public uint MaxEntries => Map.MaxEntries;

    /// <summary>Puts the object of descriptor <paramref name="fd"/> into slot <paramref name="index"/> (BPF_ANY).</summary>
    public void Set(uint index, int fd) => Map.Update(BitConverter.GetBytes(index), BitConverter.GetBytes(fd));

    /// <summary>Empties slot <paramref name="index"/>; false if it was empty.</summary>
    public bool Clear(uint index) => Map.TryDelete(BitConverter.GetBytes(index));

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsMap)
            Map.Dispose();
    }
}
