using System.Runtime.InteropServices;
using SharpBpf.Abi;

namespace SharpBpf.Runtime.Tests.Maps;

/// <summary>Spec B.1: batch operations on ARRAY max=10 with value[i] = 100 + i (probe rows B.b*), and K.b* orderings.</summary>
public class BatchTests
{
    private static int CreateFilled(MapTestKit kit)
    {
        var fd = kit.CreateArray(maxEntries: 10);
        for (uint i = 0; i < 10; i++)
            Assert.Equal(Errno.None, kit.UpdateU64(fd, i, 100 + i));
        return fd;
    }

    private static byte[] Cursor(uint? value) => value is { } v ? MapTestKit.Key(v) : [];

    // (row, in_batch (null = NULL), count, expected, count after, out_batch after (null: untouched), first key)
    public static TheoryData<string, uint?, uint, Errno, uint, uint?, uint> LookupRows => new()
    {
        { "B.b1", null, 4u, Errno.None, 4u, 3u, 0u },
        { "B.b2", 3u, 4u, Errno.None, 4u, 7u, 4u },
        { "B.b3", 7u, 4u, Errno.ENOENT, 2u, 9u, 8u },
        { "B.b4", 9u, 4u, Errno.ENOENT, 0u, null, 0u },
        { "B.b5", null, 10u, Errno.None, 10u, 9u, 0u },
        { "B.b6", null, 32u, Errno.ENOENT, 10u, 9u, 0u },
        { "B.b7", 100u, 3u, Errno.None, 3u, 2u, 0u },
        { "B.b8", null, 0u, Errno.None, 0u, null, 0u },
    };

    [Theory]
    [MemberData(nameof(LookupRows))]
    public void MapLookupBatch_Cursor_MatchesKernel(string row, uint? inBatch, uint count, Errno expected, uint countAfter,
        uint? outAfter, uint firstKey)
    {
        using var kit = new MapTestKit();
        var fd = CreateFilled(kit);
        var keys = new uint[32];
        var values = new ulong[32];
        var outBatch = MapTestKit.Key(0xaaaa);
        var n = count;

        var err = kit.Backend.MapLookupBatch(fd, Cursor(inBatch), outBatch, MemoryMarshal.AsBytes(keys.AsSpan()),
            MemoryMarshal.AsBytes(values.AsSpan()), ref n, 0, 0);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        Assert.Equal(countAfter, n);
        Assert.Equal(outAfter ?? 0xaaaa, BitConverter.ToUInt32(outBatch));
        for (uint i = 0; i < n; i++)
        {
            Assert.Equal(firstKey + i, keys[i]);
            Assert.Equal(100 + firstKey + i, values[i]);
        }
    }

    // (row, elem_flags, flags, keys NULL, values NULL, out_batch NULL, expected, count after)
    [Theory]
    [InlineData("B.b9", ElemFlags.BPF_F_LOCK, 0UL, false, false, false, Errno.EINVAL, 3u)]
    [InlineData("B.b10", 1UL, 0UL, false, false, false, Errno.EINVAL, 3u)]
    [InlineData("B.b11", 0UL, 1UL, false, false, false, Errno.None, 3u)]
    [InlineData("B.b12", 0UL, 0UL, true, false, false, Errno.EFAULT, 0u)]
    [InlineData("B.b13", 0UL, 0UL, false, false, true, Errno.EFAULT, 3u)]
    [InlineData("K.b11", 0UL, 0UL, false, true, false, Errno.EFAULT, 0u)]
    public void MapLookupBatch_FlagsAndNullBuffers_MatchKernel(string row, ulong elemFlags, ulong flags, bool keysNull,
        bool valuesNull, bool outNull, Errno expected, uint countAfter)
    {
        using var kit = new MapTestKit();
        var fd = CreateFilled(kit);
        var keys = keysNull ? [] : new byte[3 * 4];
        var values = valuesNull ? [] : new byte[3 * 8];
        var outBatch = outNull ? [] : new byte[4];
        var n = 3u;

        var err = kit.Backend.MapLookupBatch(fd, default, outBatch, keys, values, ref n, elemFlags, flags);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        Assert.Equal(countAfter, n);
    }

    [Fact]
    public void MapLookupBatch_CountZeroWithNullBuffers_Succeeds_K_b9()
    {
        using var kit = new MapTestKit();
        var fd = CreateFilled(kit);
        var n = 0u;

        Assert.Equal(Errno.None, kit.Backend.MapLookupBatch(fd, default, default, default, default, ref n, 0, 0));
        Assert.Equal(Errno.EINVAL, kit.Backend.MapLookupBatch(fd, default, default, default, default, ref n, 1, 0)); // K.b8
    }

    [Theory]
    [InlineData("B.b14")]
    [InlineData("B.b15")]
    public void MapDeleteBatches_Array_Enotsupp(string row)
    {
        using var kit = new MapTestKit();
        var fd = CreateFilled(kit);
        var keys = MemoryMarshal.AsBytes(new uint[] { 0, 1, 2 }.AsSpan()).ToArray();
        var n = 3u;

        var err = row == "B.b14"
            ? kit.Backend.MapLookupAndDeleteBatch(fd, default, new byte[4], keys, new byte[24], ref n, 0, 0)
            : kit.Backend.MapDeleteBatch(fd, keys, ref n, 0, 0);

        Assert.Equal(Errno.ENOTSUPP, err);
        Assert.Equal(3u, n);
        Assert.Equal(100UL, kit.LookupU64(fd, 0));
    }

    [Fact]
    public void MapUpdateBatch_ThreeKeys_AllWritten_B_b16()
    {
        using var kit = new MapTestKit();
        var fd = CreateFilled(kit);
        var n = 3u;

        var err = kit.Backend.MapUpdateBatch(fd, Keys(0, 1, 2), Values(500, 501, 502), ref n, 0, 0);

        Assert.Equal(Errno.None, err);
        Assert.Equal(3u, n);
        Assert.Equal(502UL, kit.LookupU64(fd, 2));
    }

    [Fact]
    public void MapUpdateBatch_OutOfRangeKey_StopsWithPartialCount_B_b17()
    {
        using var kit = new MapTestKit();
        var fd = CreateFilled(kit);
        var n = 3u;

        var err = kit.Backend.MapUpdateBatch(fd, Keys(0, 99, 2), Values(600, 601, 602), ref n, 0, 0);

        Assert.Equal(Errno.E2BIG, err);
        Assert.Equal(1u, n);
        Assert.Equal(600UL, kit.LookupU64(fd, 0));
        Assert.Equal(102UL, kit.LookupU64(fd, 2));
    }

    // (row, elem_flags, flags, count, values NULL, expected, count after)
    [Theory]
    [InlineData("B.b18", ElemFlags.BPF_NOEXIST, 0UL, 3u, false, Errno.EINVAL, 3u)]
    [InlineData("B.b19", ElemFlags.BPF_EXIST, 0UL, 3u, false, Errno.EINVAL, 3u)]
    [InlineData("B.b20", ElemFlags.BPF_F_LOCK, 0UL, 3u, false, Errno.EINVAL, 3u)]
    [InlineData("B.b21", 0UL, 1UL, 3u, false, Errno.None, 3u)]
    [InlineData("B.b22", 0UL, 0UL, 0u, false, Errno.None, 0u)]
    [InlineData("B.b23", 0UL, 0UL, 3u, true, Errno.EFAULT, 0u)]
    public void MapUpdateBatch_FlagsAndBuffers_MatchKernel(string row, ulong elemFlags, ulong flags, uint count,
        bool valuesNull, Errno expected, uint countAfter)
    {
        using var kit = new MapTestKit();
        var fd = CreateFilled(kit);
        var n = count;

        var err = kit.Backend.MapUpdateBatch(fd, Keys(0, 1, 2), valuesNull ? default : Values(7, 8, 9), ref n, elemFlags, flags);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        Assert.Equal(countAfter, n);
    }

    [Fact]
    public void MapLookupBatch_ValuesShorterThanTheBatch_FaultAtTheFirstValue()
    {
        // IBpfBackend: a span shorter than what the command may copy is a bad pointer (the kernel backend hands
        // the kernel an address it refuses), so the first copy into it faults, after the first key was written.
        using var kit = new MapTestKit();
        var fd = CreateFilled(kit);
        var keys = MapTestKit.Filled(12, 0xee);
        var values = MapTestKit.Filled(16, 0xee);
        var n = 3u;

        Assert.Equal(Errno.EFAULT, kit.Backend.MapLookupBatch(fd, default, new byte[4], keys, values, ref n, 0, 0));

        Assert.Equal(0u, n);
        Assert.Equal(Convert.FromHexString("00000000eeeeeeeeeeeeeeee"), keys);
        Assert.True(values.AsSpan().IndexOfAnyExcept((byte)0xee) < 0);
    }

    [Fact]
    public void MapUpdateBatch_ValuesShorterThanTheBatch_NothingWritten()
    {
        using var kit = new MapTestKit();
        var fd = CreateFilled(kit);
        var n = 3u;

        Assert.Equal(Errno.EFAULT, kit.Backend.MapUpdateBatch(fd, Keys(0, 1, 2), Values(7, 8), ref n, 0, 0));

        Assert.Equal(0u, n);
        Assert.Equal(100UL, kit.LookupU64(fd, 0));
    }

    [Fact]
    public void MapUpdateBatch_KeysNull_EfaultAndCountZero_K_b12()
    {
        using var kit = new MapTestKit();
        var fd = CreateFilled(kit);
        var n = 3u;

        Assert.Equal(Errno.EFAULT, kit.Backend.MapUpdateBatch(fd, default, Values(1, 2, 3), ref n, 0, 0));
        Assert.Equal(0u, n);
    }

    [Fact]
    public void MapLookupBatch_PerCpu_ValuesPackedPerKey_B_b24()
    {
        using var kit = new MapTestKit(cpus: 2);
        var fd = kit.CreatePerCpu(valueSize: 4, maxEntries: 3);
        for (uint i = 0; i < 3; i++)
            Assert.Equal(Errno.None, kit.Update(fd, i, Values(0x100 * (i + 1), 0x100 * (i + 1) + 1)));
        var keys = new uint[3];
        var values = new ulong[6];
        var n = 3u;

        var err = kit.Backend.MapLookupBatch(fd, default, new byte[4], MemoryMarshal.AsBytes(keys.AsSpan()),
            MemoryMarshal.AsBytes(values.AsSpan()), ref n, 0, 0);

        Assert.Equal(Errno.None, err);
        Assert.Equal(3u, n);
        Assert.Equal(new ulong[] { 0x100, 0x101, 0x200, 0x201, 0x300, 0x301 }, values);
    }

    [Theory]
    [InlineData("K.b1", "lookup")]
    [InlineData("K.b2", "update")]
    [InlineData("K.b3", "delete")]
    public void MapBatch_ProgArray_Enotsupp(string row, string op)
    {
        using var kit = new MapTestKit();
        var fd = kit.Create(MapType.ProgArray, 4, 4, 4);
        var n = 3u;

        var err = op switch
        {
            "lookup" => kit.Backend.MapLookupBatch(fd, default, new byte[4], new byte[12], new byte[12], ref n, 0, 0),
            "update" => kit.Backend.MapUpdateBatch(fd, Keys(0, 1, 2), new byte[12], ref n, 0, 0),
            _ => kit.Backend.MapDeleteBatch(fd, Keys(0, 1, 2), ref n, 0, 0),
        };

        Assert.True(err == Errno.ENOTSUPP, $"{row}: {err}");
    }

    [Theory]
    [InlineData("K.b4", (uint)MapFlags.BPF_F_WRONLY, "lookup")]
    [InlineData("K.b5", (uint)MapFlags.BPF_F_RDONLY, "update")]
    [InlineData("K.b6", (uint)MapFlags.BPF_F_RDONLY, "delete")]
    [InlineData("K.b7", (uint)MapFlags.BPF_F_RDONLY, "lookup-and-delete")]
    public void MapBatch_WrongAccessMode_Eperm(string row, uint mode, string op)
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(flags: mode);
        var n = 3u;

        var err = op switch
        {
            "lookup" => kit.Backend.MapLookupBatch(fd, default, new byte[4], new byte[12], new byte[24], ref n, 0, 0),
            "update" => kit.Backend.MapUpdateBatch(fd, Keys(0, 1, 2), new byte[24], ref n, 0, 0),
            "delete" => kit.Backend.MapDeleteBatch(fd, Keys(0, 1, 2), ref n, 0, 0),
            _ => kit.Backend.MapLookupAndDeleteBatch(fd, default, new byte[4], new byte[12], new byte[24], ref n, 0, 0),
        };

        Assert.True(err == Errno.EPERM, $"{row}: {err}");
    }

    private static byte[] Keys(params uint[] keys) => MemoryMarshal.AsBytes(keys.AsSpan()).ToArray();

    private static byte[] Values(params ulong[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
