using System.Runtime.InteropServices;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Runtime.Maps;
using SharpBpf.Runtime.Memory;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Runtime.Tests.Maps;

/// <summary>
/// A userspace backend shaped like the machine the spec was measured on (2 possible CPUs, 24 GiB of RAM), with
/// its own registry and budget so tests do not see each other's objects, pins or charges.
/// </summary>
internal sealed class MapTestKit : IDisposable
{
    /// <summary>The reference machine's RAM (spec: "24 GiB RAM").</summary>
    public const long ReferenceRam = 24L << 30;

    public MapTestKit(int cpus = 2, long? budgetLimit = null, long physical = ReferenceRam)
    {
        Budget = new MemoryBudget(budgetLimit ?? physical, physical);
        Registry = new ObjectRegistry();
        Backend = new UserspaceBackend(new UserspaceBackendOptions
        {
            PossibleCpus = cpus,
            MemoryBudget = Budget,
            Registry = Registry,
        });
    }

    public UserspaceBackend Backend { get; }

    public MemoryBudget Budget { get; }

    public ObjectRegistry Registry { get; }

    public static MapCreateAttr Attr(MapType type, uint keySize, uint valueSize, uint maxEntries, uint flags = 0) =>
        new() { Type = type, KeySize = keySize, ValueSize = valueSize, MaxEntries = maxEntries, MapFlags = flags };

    public static byte[] Key(uint index) => BitConverter.GetBytes(index);

    public static byte[] U64(ulong value) => BitConverter.GetBytes(value);

    public static byte[] Filled(int length, byte value)
    {
        var b = new byte[length];
        b.AsSpan().Fill(value);
        return b;
    }

    public int Create(MapType type, uint keySize, uint valueSize, uint maxEntries, uint flags = 0)
    {
        var err = Backend.MapCreate(Attr(type, keySize, valueSize, maxEntries, flags), out var fd);
        Assert.Equal(Errno.None, err);
        return fd;
    }

    public int CreateArray(uint valueSize = 8, uint maxEntries = 4, uint flags = 0) =>
        Create(MapType.Array, 4, valueSize, maxEntries, flags);

    public int CreatePerCpu(uint valueSize = 8, uint maxEntries = 4, uint flags = 0) =>
        Create(MapType.PerCpuArray, 4, valueSize, maxEntries, flags);

    public Errno Lookup(int fd, uint key, Span<byte> value, ulong flags = 0) =>
        Backend.MapLookupElem(fd, Key(key), value, flags);

    public ulong LookupU64(int fd, uint key)
    {
        Span<byte> v = stackalloc byte[8];
        Assert.Equal(Errno.None, Backend.MapLookupElem(fd, Key(key), v, 0));
        return MemoryMarshal.Read<ulong>(v);
    }

    public Errno Update(int fd, uint key, ReadOnlySpan<byte> value, ulong flags = 0) =>
        Backend.MapUpdateElem(fd, Key(key), value, flags);

    public Errno UpdateU64(int fd, uint key, ulong value, ulong flags = 0) =>
        Backend.MapUpdateElem(fd, Key(key), U64(value), flags);

    public MapObject MapOf(int fd)
    {
        Assert.True(Backend.TryGetMap(fd, out var map));
        return map!;
    }

    public void Dispose() => Backend.Dispose();
}
