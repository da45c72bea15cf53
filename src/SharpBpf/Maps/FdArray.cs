using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Maps;

/// <summary>
/// What the typed fd-array handles (<see cref="ProgramArray"/>, <see cref="PerfEventArray"/>,
/// <see cref="CgroupArray"/>) share: 4-byte keys, 4-byte values that are descriptors of the referenced objects,
/// slots set with BPF_ANY and emptied with delete. Errors surface as the <see cref="BpfMap"/> exceptions.
/// </summary>
public abstract class FdArray : IDisposable
{
    private readonly bool _ownsMap;

    /// <summary>Wraps <paramref name="map"/>, which must be of type <paramref name="expected"/>.</summary>
    /// <exception cref="ArgumentException">The map is of another type.</exception>
    protected FdArray(BpfMap map, bool ownsMap, MapType expected)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Type != expected)
            throw new ArgumentException($"expected a {expected} map, got {map.Type}", nameof(map));
        Map = map;
        _ownsMap = ownsMap;
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
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the map if this handle owns it.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _ownsMap)
            Map.Dispose();
    }

    /// <summary>Creates an fd-array map of <paramref name="type"/> with <paramref name="maxEntries"/> slots.</summary>
    protected static BpfMap CreateMap(IBpfBackend backend, MapType type, uint maxEntries, string? name, uint flags) =>
        BpfMap.Create(backend, new MapCreateAttr
        {
            Type = type, KeySize = 4, ValueSize = 4, MaxEntries = maxEntries, MapFlags = flags, Name = name,
        });
}
