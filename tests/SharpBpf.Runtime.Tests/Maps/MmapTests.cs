using System.Buffers.Binary;
using SharpBpf.Abi;

namespace SharpBpf.Runtime.Tests.Maps;

/// <summary>Spec B.3: mapping a BPF_F_MMAPABLE ARRAY (probe rows B.m*) and K.m* orderings.</summary>
public class MmapTests
{
    private const uint Mmapable = (uint)MapFlags.BPF_F_MMAPABLE;

    [Fact]
    public void MapMmap_SyscallUpdate_VisibleThroughMapping_B_m1_m2()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(valueSize: 12, flags: Mmapable);
        Assert.Equal(Errno.None, kit.Backend.MapMmap(fd, 0, 4096, writable: true, out var region)); // B.m1
        using var _ = region;
        var value = new byte[12];
        for (var i = 0; i < 12; i++)
            value[i] = (byte)(0x40 + i);

        Assert.Equal(Errno.None, kit.Update(fd, 1, value));

        Assert.Equal(
            Convert.FromHexString("00000000000000000000000000000000404142434445464748494a4b0000000000000000000000000000000000000000"),
            region!.Span[..48].ToArray()); // B.m2: element i at i * round_up(value_size, 8)
    }

    [Fact]
    public void MapMmap_WriteThroughMapping_LookupReturnsValueSizeBytesOnly_B_m3()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(valueSize: 12, flags: Mmapable);
        Assert.Equal(Errno.None, kit.Backend.MapMmap(fd, 0, 4096, writable: true, out var region));
        using var _ = region;
        var span = region!.Span;
        span[32] = 0x77;
        span[43] = 0x78;
        span[44] = 0x79; // padding, beyond value_size
        var output = MapTestKit.Filled(16, 0xee);

        Assert.Equal(Errno.None, kit.Lookup(fd, 2, output));

        Assert.Equal(Convert.FromHexString("770000000000000000000078eeeeeeee"), output);
    }

    [Fact]
    public void MapMmap_ProgramIncrement_VisibleThroughMapping_B_m4()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(valueSize: 12, flags: Mmapable);
        Assert.Equal(Errno.None, kit.Backend.MapMmap(fd, 0, 4096, writable: true, out var region));
        using var _ = region;
        var map = kit.MapOf(fd);

        unsafe
        {
            var p = (ulong*)map.LookupForProgram(3, cpu: 0);
            *p += 1; // what the probe's program does through the pointer bpf_map_lookup_elem returned
        }

        Assert.Equal(1UL, BinaryPrimitives.ReadUInt64LittleEndian(region!.Span[48..]));
    }

    [Fact]
    public void MapMmap_RestOfLastPage_ReadableAndZero_B_m5()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(valueSize: 12, flags: Mmapable);
        Assert.Equal(Errno.None, kit.Backend.MapMmap(fd, 0, 4096, writable: false, out var region));
        using var _ = region;

        Assert.Equal(4096, region!.Length);
        Assert.True(region.Span[64..].IndexOfAnyExcept((byte)0) < 0);
    }

    // (row, value_size, max_entries, offset, length, writable, expected)
    [Theory]
    [InlineData("B.m6", 12u, 4u, 0L, 8192L, false, Errno.EINVAL)]
    [InlineData("B.m7", 12u, 4u, 4096L, 4096L, false, Errno.EINVAL)]
    [InlineData("B.m11", 12u, 4u, 0L, 100L, false, Errno.None)]
    [InlineData("B.m12", 8u, 1024u, 0L, 8192L, false, Errno.None)]
    [InlineData("B.m13", 8u, 1024u, 4096L, 4096L, false, Errno.None)]
    [InlineData("B.m15", 8u, 1024u, 4096L, 8192L, false, Errno.EINVAL)]
    [InlineData("K.m6", 8u, 4u, 0L, 0L, false, Errno.EINVAL)]
    [InlineData("K.m7", 8u, 4u, 100L, 4096L, false, Errno.EINVAL)]
    [InlineData("K.m8", 8u, 4u, -4096L, 4096L, false, Errno.EOVERFLOW)]
    [InlineData("K.m12", 8u, 4u, 4096L, 4096L, true, Errno.EINVAL)]
    public void MapMmap_OffsetAndLength_MatchKernel(string row, uint valueSize, uint maxEntries, long offset, long length,
        bool writable, Errno expected)
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(valueSize, maxEntries, Mmapable);

        var err = kit.Backend.MapMmap(fd, offset, length, writable, out var region);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        if (err == Errno.None)
        {
            Assert.Equal((length + 4095) & ~4095L, region!.Length); // rounded up to a page
            region.Dispose();
        }
    }

    [Fact]
    public void MapMmap_SecondPage_Key512AtOffsetZero_B_m14()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(8, 1024, Mmapable);
        Assert.Equal(Errno.None, kit.Backend.MapMmap(fd, 4096, 4096, writable: false, out var region));
        using var _ = region;

        Assert.Equal(Errno.None, kit.UpdateU64(fd, 512, 0xabc));

        Assert.Equal(0xabcUL, BinaryPrimitives.ReadUInt64LittleEndian(region!.Span));
    }

    // (row, type, map flags, writable, expected)
    [Theory]
    [InlineData("B.m16", MapType.Array, 0u, false, Errno.EINVAL)]
    [InlineData("B.m17", MapType.PerCpuArray, 0u, false, Errno.ENOTSUPP)]
    [InlineData("B.m18", MapType.ProgArray, 0u, false, Errno.ENOTSUPP)]
    [InlineData("B.m19", MapType.Array, Mmapable | (uint)MapFlags.BPF_F_RDONLY_PROG, true, Errno.EACCES)]
    [InlineData("B.m20", MapType.Array, Mmapable | (uint)MapFlags.BPF_F_RDONLY_PROG, false, Errno.None)]
    [InlineData("B.m21", MapType.Array, Mmapable | (uint)MapFlags.BPF_F_RDONLY, true, Errno.EACCES)]
    [InlineData("B.m22", MapType.Array, Mmapable | (uint)MapFlags.BPF_F_RDONLY, false, Errno.EINVAL)]
    [InlineData("B.m23", MapType.Array, Mmapable | (uint)MapFlags.BPF_F_WRONLY, true, Errno.EACCES)]
    [InlineData("K.m1", MapType.PerCpuArray, (uint)MapFlags.BPF_F_RDONLY, false, Errno.ENOTSUPP)]
    [InlineData("K.m2", MapType.PerCpuArray, (uint)MapFlags.BPF_F_RDONLY, true, Errno.EACCES)]
    [InlineData("K.m3", MapType.Array, (uint)MapFlags.BPF_F_RDONLY, false, Errno.EINVAL)]
    [InlineData("K.m4", MapType.Array, Mmapable | (uint)MapFlags.BPF_F_WRONLY, false, Errno.EACCES)]
    [InlineData("K.m10", MapType.Array, 0u, true, Errno.EINVAL)]
    [InlineData("K.m11", MapType.ProgArray, 0u, true, Errno.ENOTSUPP)]
    [InlineData("K.m14", MapType.Array, (uint)MapFlags.BPF_F_WRONLY, false, Errno.EACCES)]
    [InlineData("K.m15", MapType.PerfEventArray, 0u, false, Errno.ENOTSUPP)]
    public void MapMmap_TypeFlagsAndMode_MatchKernel(string row, MapType type, uint flags, bool writable, Errno expected)
    {
        using var kit = new MapTestKit();
        var fd = kit.Create(type, 4, type is MapType.Array or MapType.PerCpuArray ? 8u : 4u, 4, flags);

        var err = kit.Backend.MapMmap(fd, 0, 4096, writable, out var region);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        region?.Dispose();
    }

    [Fact]
    public void MapMmap_FrozenRdonlyProg_WritableEpermBeforeEacces_K_m9()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(flags: Mmapable | (uint)MapFlags.BPF_F_RDONLY_PROG);
        Assert.Equal(Errno.None, kit.Backend.MapFreeze(fd));

        Assert.Equal(Errno.EPERM, kit.Backend.MapMmap(fd, 0, 4096, writable: true, out _));
    }

    [Fact]
    public void MapMmap_MappingOutlivesDescriptor_StaysCoherent()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(flags: Mmapable);
        Assert.Equal(Errno.None, kit.Backend.MapMmap(fd, 0, 4096, writable: true, out var region));
        var map = kit.MapOf(fd);
        kit.Backend.Close(fd);

        BinaryPrimitives.WriteUInt64LittleEndian(region!.Span[8..], 42);

        Assert.Equal(42UL, BinaryPrimitives.ReadUInt64LittleEndian(map.DebugView(1)));
        Assert.False(map.IsFreed);
        region.Dispose();
        Assert.True(map.IsFreed); // the mapping held the last user reference
    }
}
