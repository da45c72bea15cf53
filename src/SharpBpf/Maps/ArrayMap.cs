using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Maps;

/// <summary>
/// A typed view of a <c>BPF_MAP_TYPE_ARRAY</c> whose values are <typeparamref name="T"/>: index in, value out.
/// Works over any backend. Every index below <see cref="MaxEntries"/> always has a value (zero until written).
/// </summary>
/// <typeparam name="T">An unmanaged type exactly <c>value_size</c> bytes long.</typeparam>
/// <remarks>
/// For a BPF_F_MMAPABLE map, <see cref="AsSpan"/> and <see cref="AsMemory"/> give direct access to the values,
/// coherent with lookups, updates and programs. The writable mapping behind them is kept until the map is
/// disposed, and while it exists the map cannot be frozen (EBUSY), as in the kernel.
/// </remarks>
public sealed class ArrayMap<T> : IDisposable, IEnumerable<KeyValuePair<uint, T>>
    where T : unmanaged
{
    private readonly bool _ownsMap;
    private MappedRegion? _writable;
    private MappedRegion? _readOnly;

    /// <summary>Wraps an ARRAY map.</summary>
    /// <param name="map">The map.</param>
    /// <param name="ownsMap">Whether disposing this view disposes <paramref name="map"/>.</param>
    /// <exception cref="ArgumentException">The map is not an ARRAY or its value_size is not <c>sizeof(T)</c>.</exception>
    public ArrayMap(BpfMap map, bool ownsMap = true)
    {
        Map = TypedArrayMap.Check<T>(map, MapType.Array, nameof(ArrayMap<T>));
        _ownsMap = ownsMap;
    }

    /// <summary>The underlying map.</summary>
    public BpfMap Map { get; }

    /// <summary>The number of elements (<c>max_entries</c>).</summary>
    public uint MaxEntries => Map.MaxEntries;

    /// <summary>The value at <paramref name="index"/>; setting it is an update with BPF_ANY.</summary>
    public T this[uint index]
    {
        get => Lookup(index);
        set => Update(index, value);
    }

    /// <summary>Creates a ARRAY map of <paramref name="maxEntries"/> values of <typeparamref name="T"/> and owns it.</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="maxEntries">The number of elements.</param>
    /// <param name="name">The map's name (at most 15 of <c>[A-Za-z0-9_.]</c>).</param>
    /// <param name="flags">Map flags.</param>
    /// <exception cref="BpfException">The backend refused (EINVAL, E2BIG, ENOMEM, ...).</exception>
    public ArrayMap(IBpfBackend backend, uint maxEntries, string? name = null, MapFlags flags = MapFlags.None)
        : this(BpfMap.Create(backend, TypedArrayMap.CreateAttr<T>(MapType.Array, maxEntries, name, flags)))
    {
    }

    /// <summary>The value at <paramref name="index"/> (BPF_MAP_LOOKUP_ELEM).</summary>
    /// <exception cref="BpfException">ENOENT for an index out of range, EPERM for a write-only descriptor, ...</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Lookup(uint index)
    {
        T value = default;
        Map.Lookup(MemoryMarshal.AsBytes(new ReadOnlySpan<uint>(in index)), MemoryMarshal.AsBytes(new Span<T>(ref value)));
        return value;
    }

    /// <summary>Like <see cref="Lookup"/>, but false for an index out of range.</summary>
    public bool TryLookup(uint index, out T value)
    {
        value = default;
        return Map.TryLookup(MemoryMarshal.AsBytes(new ReadOnlySpan<uint>(in index)), MemoryMarshal.AsBytes(new Span<T>(ref value)));
    }

    /// <summary>Writes the value at <paramref name="index"/> (BPF_MAP_UPDATE_ELEM).</summary>
    /// <exception cref="BpfException">E2BIG for an index out of range, EEXIST for BPF_NOEXIST, EPERM when frozen, ...</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(uint index, in T value, ulong flags = ElemFlags.BPF_ANY) =>
        Map.Update(MemoryMarshal.AsBytes(new ReadOnlySpan<uint>(in index)),
            MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)), flags);

    /// <summary>The indexes, in order (GET_NEXT_KEY).</summary>
    public IEnumerable<uint> Keys
    {
        get
        {
            var key = new byte[4];
            var next = new byte[4];
            if (!Map.TryGetNextKey(default, next))
                yield break;
            while (true)
            {
                var index = BitConverter.ToUInt32(next);
                yield return index;
                next.CopyTo(key, 0);
                if (!Map.TryGetNextKey(key, next))
                    yield break;
            }
        }
    }

    /// <summary>The values, in index order.</summary>
    public IEnumerable<T> Values => this.Select(pair => pair.Value);

    /// <summary>Enumerates (index, value) pairs with batched lookups.</summary>
    public IEnumerator<KeyValuePair<uint, T>> GetEnumerator()
    {
        const int chunk = 256;
        var keys = new uint[chunk];
        var values = new T[chunk];
        var cursor = new byte[4];
        var outBatch = new byte[4];
        var first = true;
        while (true)
        {
            var n = Map.LookupBatch(first ? default : cursor, outBatch, MemoryMarshal.AsBytes(keys.AsSpan()),
                MemoryMarshal.AsBytes(values.AsSpan()), chunk, out var done);
            for (var i = 0; i < n; i++)
                yield return new KeyValuePair<uint, T>(keys[i], values[i]);
            if (done || n == 0)
                yield break;
            outBatch.CopyTo(cursor, 0);
            first = false;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>BPF_MAP_FREEZE.</summary>
    public void Freeze() => Map.Freeze();

    /// <summary>
    /// The values of a BPF_F_MMAPABLE map as a span, read-write, coherent with lookups and programs. Requires
    /// value_size to be a multiple of 8 (elements are 8-byte aligned); otherwise use <see cref="AsMemory"/>.
    /// </summary>
    public Span<T> AsSpan() => MemoryMarshal.Cast<byte, T>(ElementBytes(writable: true));

    /// <summary>Like <see cref="AsSpan"/>, read-only: works on a frozen map and does not prevent freezing.</summary>
    public ReadOnlySpan<T> AsReadOnlySpan() => MemoryMarshal.Cast<byte, T>(ElementBytes(writable: false));

    /// <summary>The value bytes of a BPF_F_MMAPABLE map (element <c>i</c> at <c>i * round_up(value_size, 8)</c>).</summary>
    public Memory<byte> AsMemory()
    {
        var region = Region(writable: true);
        return new MappedMemoryManager(region, checked((int)AreaLength)).Memory;
    }

    /// <summary>Unmaps any span view and, if this view owns it, closes the map.</summary>
    public void Dispose()
    {
        _writable?.Dispose();
        _readOnly?.Dispose();
        _writable = _readOnly = null;
        if (_ownsMap)
            Map.Dispose();
    }

    IEnumerator<KeyValuePair<uint, T>> IEnumerable<KeyValuePair<uint, T>>.GetEnumerator() => GetEnumerator();

    private long ElemSize => (Map.ValueSize + 7L) & ~7L;

    private long AreaLength => ElemSize * Map.MaxEntries;

    private Span<byte> ElementBytes(bool writable)
    {
        if (ElemSize != Unsafe.SizeOf<T>())
            throw new InvalidOperationException(
                $"map '{Map.Name}': elements are {ElemSize} bytes apart but sizeof({typeof(T).Name}) is {Unsafe.SizeOf<T>()}; use AsMemory() and step by {ElemSize}.");
        return Region(writable).Span[..checked((int)AreaLength)];
    }

    private MappedRegion Region(bool writable)
    {
        if ((Map.Info.MapFlags & (uint)MapFlags.BPF_F_MMAPABLE) == 0)
            throw new InvalidOperationException($"map '{Map.Name}' was not created with BPF_F_MMAPABLE, so it cannot be viewed as memory.");
        if (writable)
            return _writable ??= Map.Mmap(0, AreaLength, writable: true);
        return _writable ?? (_readOnly ??= Map.Mmap(0, AreaLength, writable: false));
    }
}
