using System.Runtime.InteropServices;
using SharpBpf.Abi;
using SharpBpf.Maps;

namespace SharpBpf.Runtime.Tests.Api;

public class ArrayMapTests
{
    [Fact]
    public void Indexer_UpdateThenLookup_RoundTrips()
    {
        using var backend = ApiTestKit.Backend();
        using var map = new ArrayMap<long>(backend, 8, "counts");

        map[3] = -42;
        map.Update(5, 7);

        Assert.Equal(-42, map[3]);
        Assert.Equal(7, map.Lookup(5));
        Assert.Equal(0, map[0]);
    }

    [Fact]
    public void TryLookup_OutOfRange_False()
    {
        using var backend = ApiTestKit.Backend();
        using var map = new ArrayMap<int>(backend, 2);

        Assert.False(map.TryLookup(2, out _));
        Assert.True(map.TryLookup(1, out var v));
        Assert.Equal(0, v);
    }

    [Fact]
    public void Enumeration_KeysValuesPairs()
    {
        using var backend = ApiTestKit.Backend();
        using var map = new ArrayMap<ulong>(backend, 300); // more than one batch
        for (uint i = 0; i < 300; i++)
            map[i] = i * i;

        Assert.Equal(Enumerable.Range(0, 300).Select(i => (uint)i), map.Keys);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (ulong)i * (ulong)i), map.Values);
        Assert.Equal(300, map.Count());
        Assert.Equal(new KeyValuePair<uint, ulong>(299, 299UL * 299), map.Last());
    }

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    private struct Odd
    {
        public int A;
        public byte B;
    }

    [Fact]
    public void Struct_ValueSizeNotMultipleOf8_Works()
    {
        using var backend = ApiTestKit.Backend();
        using var map = new ArrayMap<Odd>(backend, 3);

        map[2] = new Odd { A = 5, B = 6 };

        Assert.Equal(5, map[2].A);
        Assert.Equal(6, map[2].B);
        Assert.Equal(5, map.Map.ValueSize);
    }

    [Fact]
    public void Wrap_WrongValueSize_ClearArgumentException()
    {
        using var backend = ApiTestKit.Backend();
        using var raw = BpfMap.Create(backend, new Backend.MapCreateAttr { Type = MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = 4, Name = "eight" });

        var ex = Assert.Throws<ArgumentException>(() => new ArrayMap<int>(raw, ownsMap: false));

        Assert.Contains("ArrayMap<Int32> needs value_size 4 (sizeof(Int32)), but map 'eight' has value_size 8", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrap_WrongType_ClearArgumentException()
    {
        using var backend = ApiTestKit.Backend();
        using var raw = BpfMap.Create(backend, new Backend.MapCreateAttr { Type = MapType.PerCpuArray, KeySize = 4, ValueSize = 8, MaxEntries = 4, Name = "pc" });

        var ex = Assert.Throws<ArgumentException>(() => new ArrayMap<long>(raw, ownsMap: false));

        Assert.Equal("ArrayMap<Int64> needs an Array map, but map 'pc' is a PerCpuArray map. (Parameter 'map')", ex.Message);
    }

    [Fact]
    public void AsSpan_Mmapable_CoherentBothWays()
    {
        using var backend = ApiTestKit.Backend();
        using var map = new ArrayMap<long>(backend, 1024, "mm", MapFlags.BPF_F_MMAPABLE);
        var span = map.AsSpan();

        span[10] = 99;
        map[11] = 100;

        Assert.Equal(1024, span.Length);
        Assert.Equal(99, map[10]);
        Assert.Equal(100, span[11]);
        var memory = map.AsMemory();
        Assert.Equal(8192, memory.Length);
        Assert.Equal(100, BitConverter.ToInt64(memory.Span[88..]));
    }

    [Fact]
    public void AsSpan_NotMmapable_InvalidOperation()
    {
        using var backend = ApiTestKit.Backend();
        using var map = new ArrayMap<long>(backend, 4);

        Assert.Throws<InvalidOperationException>(() => map.AsSpan());
    }

    [Fact]
    public void AsSpan_HeldWritable_FreezeEbusy_ReadOnlyViewAfterFreeze()
    {
        using var backend = ApiTestKit.Backend();
        using (var map = new ArrayMap<long>(backend, 4, "a", MapFlags.BPF_F_MMAPABLE))
        {
            map.AsSpan()[0] = 1;
            Assert.Equal(Errno.EBUSY, Assert.Throws<BpfException>(map.Freeze).Errno);
        }

        using var frozen = new ArrayMap<long>(backend, 4, "b", MapFlags.BPF_F_MMAPABLE);
        frozen[1] = 3;
        frozen.Freeze();
        Assert.Equal(3, frozen.AsReadOnlySpan()[1]);
    }
}
