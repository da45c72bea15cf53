using System.Runtime.CompilerServices;
using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Maps;

/// <summary>
/// What the typed array views (<see cref="ArrayMap{T}"/>, <see cref="PerCpuArrayMap{T}"/>) share: the attributes
/// they create their map with and the checks a wrapped map must pass, so both views say the same in one place.
/// </summary>
internal static class TypedArrayMap
{
    /// <summary>The attributes of a new map of <paramref name="type"/> holding <typeparamref name="T"/> values at 4-byte indexes.</summary>
    public static MapCreateAttr CreateAttr<T>(MapType type, uint maxEntries, string? name, MapFlags flags)
        where T : unmanaged => new()
        {
            Type = type,
            KeySize = 4,
            ValueSize = (uint)Unsafe.SizeOf<T>(),
            MaxEntries = maxEntries,
            MapFlags = (uint)flags,
            Name = name,
        };

    /// <summary>
    /// Returns <paramref name="map"/> if it is of type <paramref name="expected"/> and its value_size is
    /// <c>sizeof(T)</c>; <paramref name="view"/> names the view in the message (e.g. <c>ArrayMap</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The map is of another type or its value_size is not <c>sizeof(T)</c>.</exception>
    public static BpfMap Check<T>(BpfMap map, MapType expected, string view)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(map);
        var typed = $"{view}<{typeof(T).Name}>";
        if (map.Type != expected)
        {
            var article = "AEIOU".Contains(expected.ToString()[0], StringComparison.Ordinal) ? "an" : "a";
            throw new ArgumentException($"{typed} needs {article} {expected} map, but map '{map.Name}' is a {map.Type} map.", nameof(map));
        }

        if (map.ValueSize != Unsafe.SizeOf<T>())
            throw new ArgumentException(
                $"{typed} needs value_size {Unsafe.SizeOf<T>()} (sizeof({typeof(T).Name})), but map '{map.Name}' has value_size {map.ValueSize}.",
                nameof(map));
        return map;
    }
}
