using System.Collections;
using System.Runtime.InteropServices;
using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Maps;

/// <summary>
/// A typed view of a <c>BPF_MAP_TYPE_PERCPU_ARRAY</c>: each index holds one <typeparamref name="T"/> per possible
/// CPU, read and written all at once as <see cref="PerCpuValues{T}"/>. Works over any backend.
/// </summary>
/// <typeparam name="T">An unmanaged type exactly <c>value_size</c> bytes long.</typeparam>
public sealed class PerCpuArrayMap<T> : IDisposable, IEnumerable<KeyValuePair<uint, PerCpuValues<T>>>
    where T : unmanaged
{
    private readonly bool _ownsMap;

    /// <summary>Wraps a PERCPU_ARRAY map.</summary>
    /// <exception cref="ArgumentException">The map is not a PERCPU_ARRAY or its value_size is not <c>sizeof(T)</c>.</exception>
    public PerCpuArrayMap(BpfMap map, bool ownsMap = true)
    {
        Map = TypedArrayMap.Check<T>(map, MapType.PerCpuArray, nameof(PerCpuArrayMap<T>));
        _ownsMap = ownsMap;
    }

    /// <summary>The underlying map.</summary>
    public BpfMap Map { get; }

    /// <summary>The number of elements (<c>max_entries</c>).</summary>
    public uint MaxEntries => Map.MaxEntries;

    /// <summary>The number of per-CPU copies (the backend's possible CPUs).</summary>
    public int PossibleCpus => Map.Backend.PossibleCpus;

    /// <summary>Creates a PERCPU_ARRAY map of <paramref name="maxEntries"/> values of <typeparamref name="T"/> and owns it.</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="maxEntries">The number of elements.</param>
    /// <param name="name">The map's name (at most 15 of <c>[A-Za-z0-9_.]</c>).</param>
    /// <param name="flags">Map flags.</param>
    /// <exception cref="BpfException">The backend refused (EINVAL, E2BIG, ENOMEM, ...).</exception>
    public PerCpuArrayMap(IBpfBackend backend, uint maxEntries, string? name = null, MapFlags flags = MapFlags.None)
        : this(BpfMap.Create(backend, TypedArrayMap.CreateAttr<T>(MapType.PerCpuArray, maxEntries, name, flags)))
    {
    }

    /// <summary>New zeroed values sized for this map.</summary>
    public PerCpuValues<T> CreateValues() => new(PossibleCpus);

    /// <summary>All CPUs' values at <paramref name="index"/>.</summary>
    public PerCpuValues<T> Lookup(uint index)
    {
        var values = CreateValues();
        Lookup(index, values);
        return values;
    }

    /// <summary>Reads all CPUs' values at <paramref name="index"/> into <paramref name="values"/> (no allocation).</summary>
    public void Lookup(uint index, PerCpuValues<T> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        Map.Lookup(MemoryMarshal.AsBytes(new ReadOnlySpan<uint>(in index)), values.AsBytes());
    }

    /// <summary>Like <see cref="Lookup(uint, PerCpuValues{T})"/>, but false for an index out of range.</summary>
    public bool TryLookup(uint index, PerCpuValues<T> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return Map.TryLookup(MemoryMarshal.AsBytes(new ReadOnlySpan<uint>(in index)), values.AsBytes());
    }

    /// <summary>Writes all CPUs' values at <paramref name="index"/>.</summary>
    public void Update(uint index, PerCpuValues<T> values, ulong flags = ElemFlags.BPF_ANY)
    {
        ArgumentNullException.ThrowIfNull(values);
        Map.Update(MemoryMarshal.AsBytes(new ReadOnlySpan<uint>(in index)), values.AsBytes(), flags);
    }

    /// <summary>Sets every CPU's value at <paramref name="index"/> to <paramref name="value"/>.</summary>
    public void UpdateAll(uint index, T value)
    {
        var values = CreateValues();
        values.Fill(value);
        Update(index, values);
    }

    /// <summary>The indexes, in order.</summary>
    public IEnumerable<uint> Keys => Map.Keys.Select(k => BitConverter.ToUInt32(k));

    /// <summary>Enumerates (index, values) pairs.</summary>
    public IEnumerator<KeyValuePair<uint, PerCpuValues<T>>> GetEnumerator()
    {
        foreach (var index in Keys)
            yield return new KeyValuePair<uint, PerCpuValues<T>>(index, Lookup(index));
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>BPF_MAP_FREEZE.</summary>
    public void Freeze() => Map.Freeze();

    /// <summary>Closes the map if this view owns it.</summary>
    public void Dispose()
    {
        if (_ownsMap)
            Map.Dispose();
    }
}
