using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Maps;
using SharpBpf.Runtime;
using SharpBpf.Runtime.Memory;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Benchmarks.Maps;

/// <summary>
/// Host-side lookup and update of an 8-byte value in a 1024-entry ARRAY on the userspace backend: through the raw
/// span API (<see cref="UserspaceBackend"/> called directly) and through <see cref="ArrayMap{T}"/> (which goes
/// through <see cref="IBpfBackend"/>). Targets: under 10 ns per lookup, under 15 ns per update, no allocation.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class ArrayMapBenchmarks : IDisposable
{
    private const uint Entries = 1024;

    private UserspaceBackend _backend = null!;
    private ArrayMap<long> _typed = null!;
    private int _fd;
    private uint _index;
    private byte[] _value = new byte[8];

    [GlobalSetup]
    public void Setup()
    {
        _backend = new UserspaceBackend(new UserspaceBackendOptions
        {
            MemoryBudget = new MemoryBudget(1L << 30),
            Registry = new ObjectRegistry(),
        });
        var err = _backend.MapCreate(new MapCreateAttr { Type = MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = Entries, Name = "bench" }, out _fd);
        if (err != Errno.None)
            throw new InvalidOperationException(err.ToString());
        _typed = new ArrayMap<long>(_backend, Entries, "typed");
        _value = BitConverter.GetBytes(42L);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _typed.Dispose();
            _backend.Dispose();
        }
    }

    [Benchmark(Description = "raw span lookup")]
    public Errno RawLookup()
    {
        var index = _index = (_index + 1) & (Entries - 1);
        Span<byte> value = stackalloc byte[8];
        return _backend.MapLookupElem(_fd, MemoryMarshal.AsBytes(new ReadOnlySpan<uint>(in index)), value, 0);
    }

    [Benchmark(Description = "raw span update")]
    public Errno RawUpdate()
    {
        var index = _index = (_index + 1) & (Entries - 1);
        return _backend.MapUpdateElem(_fd, MemoryMarshal.AsBytes(new ReadOnlySpan<uint>(in index)), _value, 0);
    }

    [Benchmark(Description = "ArrayMap<long> lookup")]
    public long TypedLookup()
    {
        var index = _index = (_index + 1) & (Entries - 1);
        return _typed.Lookup(index);
    }

    [Benchmark(Description = "ArrayMap<long> update")]
    public void TypedUpdate()
    {
        var index = _index = (_index + 1) & (Entries - 1);
        _typed.Update(index, index);
    }
}
