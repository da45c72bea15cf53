using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Maps;

namespace SharpBpf.Runtime.Tests.Api;

public class BpfMapTests
{
    private static MapCreateAttr Counts(uint maxEntries = 4, uint flags = 0) => new()
    {
        Type = MapType.Array,
        KeySize = 4,
        ValueSize = 8,
        MaxEntries = maxEntries,
        MapFlags = flags,
        Name = "counts",
    };

    [Fact]
    public void Update_IndexOutOfRange_ThrowsWithCommandMapAndReason()
    {
        using var backend = ApiTestKit.Backend();
        using var map = BpfMap.Create(backend, Counts());

        var ex = Assert.Throws<BpfException>(() => map.Update(BitConverter.GetBytes(7u), new byte[8]));

        Assert.Equal(Errno.E2BIG, ex.Errno);
        Assert.Equal("BPF_MAP_UPDATE_ELEM on map 'counts': E2BIG (index 7 >= max_entries 4)", ex.Message);
    }

    [Theory]
    [InlineData("lookup-oob", Errno.ENOENT, "BPF_MAP_LOOKUP_ELEM on map 'counts': ENOENT (index 9 >= max_entries 4)")]
    [InlineData("noexist", Errno.EEXIST, "BPF_MAP_UPDATE_ELEM on map 'counts': EEXIST (BPF_NOEXIST but element 1 exists (array elements always exist))")]
    [InlineData("delete", Errno.EINVAL, "BPF_MAP_DELETE_ELEM on map 'counts': EINVAL (array elements cannot be deleted)")]
    public void Errors_MessagesNameTheMeaning(string op, Errno errno, string message)
    {
        using var backend = ApiTestKit.Backend();
        using var map = BpfMap.Create(backend, Counts());

        var ex = Assert.Throws<BpfException>(() =>
        {
            switch (op)
            {
                case "lookup-oob":
                    map.Lookup(BitConverter.GetBytes(9u), new byte[8]);
                    break;
                case "noexist":
                    map.Update(BitConverter.GetBytes(1u), new byte[8], ElemFlags.BPF_NOEXIST);
                    break;
                default:
                    map.Delete(BitConverter.GetBytes(1u));
                    break;
            }
        });

        Assert.Equal(errno, ex.Errno);
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void TryTwins_ReturnFalseForExpectedMisses()
    {
        using var backend = ApiTestKit.Backend();
        using var map = BpfMap.Create(backend, Counts());
        var value = new byte[8];

        Assert.False(map.TryLookup(BitConverter.GetBytes(4u), value));
        Assert.True(map.TryLookup(BitConverter.GetBytes(3u), value));
        Assert.False(map.TryUpdate(BitConverter.GetBytes(0u), value, ElemFlags.BPF_NOEXIST));
        Assert.True(map.TryUpdate(BitConverter.GetBytes(0u), value, ElemFlags.BPF_EXIST));
        Assert.False(map.TryGetNextKey(BitConverter.GetBytes(3u), new byte[4]));
        Assert.Throws<BpfException>(() => map.TryUpdate(BitConverter.GetBytes(4u), value)); // E2BIG is not a miss
    }

    [Fact]
    public void Keys_WalkGetNextKey()
    {
        using var backend = ApiTestKit.Backend();
        using var map = BpfMap.Create(backend, Counts(3));

        Assert.Equal([0u, 1u, 2u], map.Keys.Select(k => BitConverter.ToUInt32(k)));
    }

    [Fact]
    public void Batches_CountAndCursor()
    {
        using var backend = ApiTestKit.Backend();
        using var map = BpfMap.Create(backend, Counts(5));
        var keys = new byte[5 * 4];
        var values = new byte[5 * 8];
        for (var i = 0; i < 5; i++)
        {
            BitConverter.TryWriteBytes(keys.AsSpan(i * 4), (uint)i);
            BitConverter.TryWriteBytes(values.AsSpan(i * 8), 10UL * (ulong)i);
        }

        Assert.Equal(5u, map.UpdateBatch(keys, values, 5));
        var outKeys = new byte[5 * 4];
        var outValues = new byte[5 * 8];
        var cursor = new byte[4];
        Assert.Equal(3u, map.LookupBatch(default, cursor, outKeys, outValues, 3, out var done));
        Assert.False(done);
        Assert.Equal(2u, BitConverter.ToUInt32(cursor));
        Assert.Equal(2u, map.LookupBatch(cursor.ToArray(), cursor, outKeys, outValues, 3, out done));
        Assert.True(done);
        Assert.Equal(40UL, BitConverter.ToUInt64(outValues, 8));
    }

    [Fact]
    public void UpdateBatch_Partial_ExceptionSaysHowMany()
    {
        using var backend = ApiTestKit.Backend();
        using var map = BpfMap.Create(backend, Counts(4));
        byte[] keys = [0, 0, 0, 0, 99, 0, 0, 0];

        var ex = Assert.Throws<BpfException>(() => map.UpdateBatch(keys, new byte[16], 2));

        Assert.Equal("BPF_MAP_UPDATE_BATCH on map 'counts': E2BIG (index 99 >= max_entries 4; 1 of 2 elements updated)", ex.Message);
    }

    [Fact]
    public void Freeze_ThenUpdate_ThrowsEperm()
    {
        using var backend = ApiTestKit.Backend();
        using var map = BpfMap.Create(backend, Counts());
        map.Freeze();

        var ex = Assert.Throws<BpfException>(() => map.Update(BitConverter.GetBytes(0u), new byte[8]));

        Assert.Equal(Errno.EPERM, ex.Errno);
        Assert.Contains("frozen", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_BadAttributes_ThrowsWithAttributes()
    {
        using var backend = ApiTestKit.Backend();

        var ex = Assert.Throws<BpfException>(() => BpfMap.Create(backend, Counts() with { KeySize = 8 }));

        Assert.Equal(Errno.EINVAL, ex.Errno);
        Assert.StartsWith("BPF_MAP_CREATE of Array map 'counts' (key_size 8, value_size 8, max_entries 4, flags 0x0): EINVAL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PinAndOpenPinned_SameMap_DisposeClosesOwnDescriptor()
    {
        using var backend = ApiTestKit.Backend();
        var map = BpfMap.Create(backend, Counts());
        map.Update(BitConverter.GetBytes(1u), BitConverter.GetBytes(5UL));
        map.Pin("/sys/fs/bpf/api_counts");
        var fd = map.Fd;
        map.Dispose();

        Assert.Equal(-1, map.Fd);
        Assert.Equal(Errno.EBADF, backend.Close(fd));
        using var again = BpfMap.OpenPinned(backend, "/sys/fs/bpf/api_counts");
        var value = new byte[8];
        again.Lookup(BitConverter.GetBytes(1u), value);
        Assert.Equal(5UL, BitConverter.ToUInt64(value));
        Assert.Equal("counts", again.Name);
        using var byId = BpfMap.FromId(backend, again.Id, (uint)MapFlags.BPF_F_RDONLY);
        Assert.Equal(Errno.EPERM, Assert.Throws<BpfException>(() => byId.Update(BitConverter.GetBytes(1u), value)).Errno);
    }

    [Fact]
    public void UseAfterDispose_ObjectDisposedException()
    {
        using var backend = ApiTestKit.Backend();
        var map = BpfMap.Create(backend, Counts());
        map.Dispose();

        Assert.Throws<ObjectDisposedException>(() => map.Lookup(BitConverter.GetBytes(0u), new byte[8]));
    }

    [Fact]
    public void Constructor_NotAMap_Throws()
    {
        using var backend = ApiTestKit.Backend();

        Assert.Equal(Errno.EBADF, Assert.Throws<BpfException>(() => new BpfMap(backend, 42)).Errno);
        Assert.Equal(Errno.EINVAL, Assert.Throws<BpfException>(() => new BpfMap(backend, 0)).Errno);
    }

    [Theory]
    [InlineData(524, "ENOTSUPP")]
    [InlineData(36, "ENAMETOOLONG")] // bpffs path component over NAME_MAX
    [InlineData(71, "EPROTO")] // by-index lddw without fd_array
    [InlineData(75, "EOVERFLOW")] // mmap offset + length overflow
    [InlineData(77, "EBADFD")] // BPF_OBJ_GET_INFO_BY_FD on a closed descriptor
    [InlineData(95, "EOPNOTSUPP")]
    public void ErrnoName_RawLinuxValue_KernelSpelling(int raw, string expected)
    {
        Assert.Equal(expected, BpfException.ErrnoName((Errno)raw));
    }

    [Fact]
    public void ErrnoName_UnnamedValue_Number()
    {
        Assert.Equal("errno 1000", BpfException.ErrnoName((Errno)1000));
    }
}
