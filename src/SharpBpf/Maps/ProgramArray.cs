using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Maps;

/// <summary>
/// A typed BPF_MAP_TYPE_PROG_ARRAY handle: slots are set from a program descriptor (BPF_PROG_LOAD) and hold the map's
/// own reference to the program. Errors surface as the <see cref="BpfMap"/> exceptions.
/// </summary>
public sealed class ProgramArray : FdArray
{
    /// <summary>Wraps <paramref name="map"/>, which must be a ProgArray map.</summary>
    /// <exception cref="ArgumentException">The map is of another type.</exception>
    public ProgramArray(BpfMap map, bool ownsMap = true)
        : base(map, ownsMap, MapType.ProgArray)
    {
    }

    /// <summary>Creates a ProgArray map of <paramref name="maxEntries"/> slots and owns it.</summary>
    public ProgramArray(IBpfBackend backend, uint maxEntries, string? name = null, uint flags = 0)
        : this(CreateMap(backend, MapType.ProgArray, maxEntries, name, flags))
    {
    }

    /// <summary>The id of the program in slot <paramref name="index"/>, or null if the slot is empty.</summary>
    public uint? GetProgramId(uint index)
    {
        Span<byte> value = stackalloc byte[4];
        return Map.TryLookup(BitConverter.GetBytes(index), value) ? BitConverter.ToUInt32(value) : null;
    }
}
