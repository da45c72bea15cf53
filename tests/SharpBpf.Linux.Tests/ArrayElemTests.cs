using SharpBpf.Abi;
using SharpBpf.Linux.Tests.Support;
using static SharpBpf.Linux.Tests.Support.BackendExtensions;

namespace SharpBpf.Linux.Tests;

/// <summary>Section B of the spec: ARRAY element commands, k=4 v=8 max=4 unless a row says otherwise.</summary>
public sealed class ArrayElemTests : KernelTestBase
{
    private const ulong F_LOCK = ElemFlags.BPF_F_LOCK;

    private int NewArray(uint maxEntries = 4, uint valueSize = 8) => Backend.CreateMap(MapType.Array, 4, valueSize, maxEntries);

    [SkippableTheory]
    [InlineData("B lookup key 0 never written", 0u, 0ul, Errno.None)]
    [InlineData("B lookup key 3 (last)", 3u, 0ul, Errno.None)]
    [InlineData("B lookup key 4 (= max)", 4u, 0ul, Errno.ENOENT)]
    [InlineData("B lookup key 0xffffffff", 0xffffffffu, 0ul, Errno.ENOENT)]
    [InlineData("B lookup flags BPF_F_LOCK (no spin lock)", 0u, F_LOCK, Errno.EINVAL)]
    [InlineData("B lookup flags 1", 0u, 1ul, Errno.EINVAL)]
    [InlineData("B lookup flags 8 (BPF_F_CPU)", 0u, 8ul, Errno.EINVAL)]
    public void MapLookupElem_Row_MatchesSpec(string row, uint key, ulong flags, Errno expected)
    {
        int fd = NewArray();

        (Errno err, byte[] value) = Backend.Lookup(fd, key, 8, flags);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        if (err == Errno.None)
            Assert.Equal(new byte[8], value);
    }

    [SkippableFact]
    public void MapLookupElem_NullKeyOrValue_EFAULT() // B lookup key NULL / value NULL
    {
        int fd = NewArray();

        Assert.Equal(Errno.EFAULT, Backend.MapLookupElem(fd, default, new byte[8], 0));
        Assert.Equal(Errno.EFAULT, Backend.MapLookupElem(fd, U32(0), default, 0));
    }

    [SkippableFact]
    public void MapLookupElem_OutOfRangeKeyNullValue_ENOENTBeforeCopy() // B key 9 with value NULL
    {
        int fd = NewArray();

        Assert.Equal(Errno.ENOENT, Backend.MapLookupElem(fd, U32(9), default, 0));
    }

    [SkippableTheory]
    [InlineData("B update key 1 BPF_ANY", 1u, ElemFlags.BPF_ANY, Errno.None)]
    [InlineData("B update BPF_NOEXIST on an in-range key", 1u, ElemFlags.BPF_NOEXIST, Errno.EEXIST)]
    [InlineData("B update BPF_EXIST", 1u, ElemFlags.BPF_EXIST, Errno.None)]
    [InlineData("B update flags 3", 1u, 3ul, Errno.EINVAL)]
    [InlineData("B update BPF_F_LOCK", 1u, F_LOCK, Errno.EINVAL)]
    [InlineData("B update F_LOCK|NOEXIST", 1u, F_LOCK | ElemFlags.BPF_NOEXIST, Errno.EINVAL)]
    [InlineData("B update F_LOCK|EXIST", 1u, F_LOCK | ElemFlags.BPF_EXIST, Errno.EINVAL)]
    [InlineData("B update flags 8", 1u, 8ul, Errno.EINVAL)]
    [InlineData("B update flags 1<<32", 1u, 1ul << 32, Errno.EINVAL)]
    [InlineData("B update key 4 BPF_ANY", 4u, ElemFlags.BPF_ANY, Errno.E2BIG)]
    [InlineData("B update key 0xffffffff NOEXIST", 0xffffffffu, ElemFlags.BPF_NOEXIST, Errno.E2BIG)]
    [InlineData("B update key 4 EXIST", 4u, ElemFlags.BPF_EXIST, Errno.E2BIG)]
    [InlineData("B update key 4 flags 3 (flags before index)", 4u, 3ul, Errno.EINVAL)]
    public void MapUpdateElem_Row_MatchesSpec(string row, uint key, ulong flags, Errno expected)
    {
        int fd = NewArray();

        Errno err = Backend.Update(fd, key, U64(0x1122334455667788), flags);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        if (key < 4)
        {
            (_, byte[] value) = Backend.Lookup(fd, key, 8);
            Assert.Equal(err == Errno.None ? 0x1122334455667788ul : 0ul, ReadU64(value));
        }
    }

    [SkippableFact]
    public void MapUpdateElem_NullValue_EFAULT() // B update value NULL
    {
        int fd = NewArray();

        Assert.Equal(Errno.EFAULT, Backend.MapUpdateElem(fd, U32(0), default, 0));
    }

    [SkippableTheory]
    [InlineData("B delete key 1", 1u, 0ul, Errno.EINVAL)]
    [InlineData("B delete key 4", 4u, 0ul, Errno.EINVAL)]
    [InlineData("B delete attr.flags=1", 1u, 1ul, Errno.EINVAL)]
    public void MapDeleteElem_Row_MatchesSpec(string row, uint key, ulong flags, Errno expected)
    {
        int fd = NewArray();

        Errno err = Backend.MapDeleteElem(fd, U32(key), flags);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
    }

    [SkippableFact]
    public void MapDeleteElem_NullKey_EFAULT() // B delete key NULL
    {
        int fd = NewArray();

        Assert.Equal(Errno.EFAULT, Backend.MapDeleteElem(fd, default, 0));
    }

    [SkippableTheory]
    [InlineData("B getnext key NULL", null, Errno.None, 0u)]
    [InlineData("B getnext key 0 -> 1", 0u, Errno.None, 1u)]
    [InlineData("B getnext key 2 -> 3", 2u, Errno.None, 3u)]
    [InlineData("B getnext key 3 (last)", 3u, Errno.ENOENT, 0xdeadbeefu)]
    [InlineData("B getnext key 4 restarts", 4u, Errno.None, 0u)]
    [InlineData("B getnext key 0xffffffff restarts", 0xffffffffu, Errno.None, 0u)]
    public void MapGetNextKey_Row_MatchesSpec(string row, uint? key, Errno expected, uint next)
    {
        int fd = NewArray();
        byte[] nextKey = U32(0xdeadbeef); // "next_key untouched" on ENOENT

        Errno err = Backend.MapGetNextKey(fd, key is { } k ? U32(k) : default, nextKey);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        Assert.Equal(next, ReadU32(nextKey));
    }

    [SkippableFact]
    public void MapGetNextKey_NullNextKey_EFAULT() // B getnext next_key NULL
    {
        int fd = NewArray();

        Assert.Equal(Errno.EFAULT, Backend.MapGetNextKey(fd, U32(0), default));
    }

    [SkippableFact]
    public void MapGetNextKey_SingleEntry_FirstThenENOENT() // B getnext max=1
    {
        int fd = NewArray(maxEntries: 1);

        Assert.Equal((Errno.None, 0u), Backend.NextKey(fd, null));
        Assert.Equal(Errno.ENOENT, Backend.NextKey(fd, 0).Err);
    }

    [SkippableTheory]
    [InlineData("B lookup_and_delete key 0", 0u, 0ul, Errno.ENOTSUPP)]
    [InlineData("B lookup_and_delete key 9", 9u, 0ul, Errno.ENOTSUPP)]
    [InlineData("B lookup_and_delete BPF_F_LOCK (flag check first)", 0u, F_LOCK, Errno.EINVAL)]
    public void MapLookupAndDeleteElem_Row_MatchesSpec(string row, uint key, ulong flags, Errno expected)
    {
        int fd = NewArray();

        Errno err = Backend.MapLookupAndDeleteElem(fd, U32(key), new byte[8], flags);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
    }

    [SkippableFact]
    public void MapUpdateLookup_ValueSizeNotMultipleOf8_CopiesExactlyValueSize() // A.3 ARRAY v=5
    {
        int fd = NewArray(valueSize: 5);
        Assert.Equal(Errno.None, Backend.MapUpdateElem(fd, U32(1), [1, 2, 3, 4, 5], 0));
        byte[] value = [0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE];

        Assert.Equal(Errno.None, Backend.MapLookupElem(fd, U32(1), value, 0));

        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 0xEE }, value);
    }
}
