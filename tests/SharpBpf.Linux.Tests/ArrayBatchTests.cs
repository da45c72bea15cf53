using SharpBpf.Abi;
using SharpBpf.Linux.Tests.Support;
using static SharpBpf.Linux.Tests.Support.BackendExtensions;

namespace SharpBpf.Linux.Tests;

/// <summary>Spec B.1: batch commands on ARRAY max=10 with value[i] = 100 + i.</summary>
public sealed class ArrayBatchTests : KernelTestBase
{
    private int NewFilledArray()
    {
        int fd = Backend.CreateMap(MapType.Array, 4, 8, 10);
        for (uint i = 0; i < 10; i++)
            Assert.Equal(Errno.None, Backend.Update(fd, i, U64(100 + i)));
        return fd;
    }

    [SkippableTheory]
    [InlineData("B.1 in=NULL count=4", null, 4u, Errno.None, 4u, 3u, 0u)]
    [InlineData("B.1 in=3 count=4", 3u, 4u, Errno.None, 4u, 7u, 4u)]
    [InlineData("B.1 in=7 count=4 (2 left)", 7u, 4u, Errno.ENOENT, 2u, 9u, 8u)]
    [InlineData("B.1 in=NULL count=10 (exactly all)", null, 10u, Errno.None, 10u, 9u, 0u)]
    [InlineData("B.1 in=NULL count=32", null, 32u, Errno.ENOENT, 10u, 9u, 0u)]
    [InlineData("B.1 in=100 restarts at 0", 100u, 3u, Errno.None, 3u, 2u, 0u)]
    public void MapLookupBatch_Row_MatchesSpec(string row, uint? inBatch, uint capacity, Errno expected, uint count,
        uint outBatch, uint firstKey)
    {
        int fd = NewFilledArray();
        byte[] keys = new byte[4 * capacity], values = new byte[8 * capacity], outToken = new byte[4];
        uint n = capacity;

        Errno err = Backend.MapLookupBatch(fd, inBatch is { } i ? U32(i) : default, outToken, keys, values, ref n, 0, 0);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        Assert.Equal((count, outBatch), (n, ReadU32(outToken)));
        for (int j = 0; j < n; j++)
        {
            Assert.Equal(firstKey + (uint)j, ReadU32(keys, 4 * j));
            Assert.Equal(100 + firstKey + (ulong)j, ReadU64(values, 8 * j));
        }
    }

    [SkippableFact]
    public void MapLookupBatch_FromLastKey_ENOENTAndOutBatchUntouched() // B.1 in=9 (last)
    {
        int fd = NewFilledArray();
        byte[] outToken = U32(0xdeadbeef);
        uint n = 4;

        Errno err = Backend.MapLookupBatch(fd, U32(9), outToken, new byte[16], new byte[32], ref n, 0, 0);

        Assert.Equal((Errno.ENOENT, 0u, 0xdeadbeefu), (err, n, ReadU32(outToken)));
    }

    [SkippableTheory]
    [InlineData("B.1 count=0", 0u, 0ul, 0ul, Errno.None, 0u)]
    [InlineData("B.1 elem_flags BPF_F_LOCK", 4u, ElemFlags.BPF_F_LOCK, 0ul, Errno.EINVAL, 4u)]
    [InlineData("B.1 elem_flags 1", 4u, 1ul, 0ul, Errno.EINVAL, 4u)]
    [InlineData("B.1 batch.flags=1 ignored", 4u, 0ul, 1ul, Errno.None, 4u)]
    public void MapLookupBatch_FlagsAndCount_MatchSpec(string row, uint capacity, ulong elemFlags, ulong flags,
        Errno expected, uint count)
    {
        int fd = NewFilledArray();
        uint n = capacity;

        Errno err = Backend.MapLookupBatch(fd, default, new byte[4], new byte[16], new byte[32], ref n, elemFlags, flags);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        Assert.Equal(count, n);
    }

    [SkippableFact]
    public void MapLookupBatch_NullKeys_EFAULTCountZero() // B.1 keys NULL
    {
        int fd = NewFilledArray();
        uint n = 3;

        Errno err = Backend.MapLookupBatch(fd, default, new byte[4], default, new byte[24], ref n, 0, 0);

        Assert.Equal((Errno.EFAULT, 0u), (err, n));
    }

    [SkippableFact]
    public void MapLookupBatch_NullOutBatch_EFAULTCountWrittenBack() // B.1 out_batch NULL
    {
        int fd = NewFilledArray();
        uint n = 3;

        Errno err = Backend.MapLookupBatch(fd, default, default, new byte[12], new byte[24], ref n, 0, 0);

        Assert.Equal((Errno.EFAULT, 3u), (err, n));
    }

    [SkippableFact]
    public void MapLookupAndDeleteBatchAndDeleteBatch_Array_ENOTSUPP() // B.1 LOOKUP_AND_DELETE_BATCH, DELETE_BATCH
    {
        int fd = NewFilledArray();
        uint n = 2, m = 2;

        Assert.Equal(Errno.ENOTSUPP,
            Backend.MapLookupAndDeleteBatch(fd, default, new byte[4], new byte[8], new byte[16], ref n, 0, 0));
        Assert.Equal(Errno.ENOTSUPP, Backend.MapDeleteBatch(fd, [.. U32(0), .. U32(1)], ref m, 0, 0));
    }

    [SkippableTheory]
    [InlineData("B.1 UPDATE_BATCH keys [0,1,2]", new uint[] { 0, 1, 2 }, 0ul, Errno.None, 3u)]
    [InlineData("B.1 UPDATE_BATCH keys [0,99,2]", new uint[] { 0, 99, 2 }, 0ul, Errno.E2BIG, 1u)]
    [InlineData("B.1 UPDATE_BATCH elem_flags NOEXIST", new uint[] { 0 }, ElemFlags.BPF_NOEXIST, Errno.EINVAL, 1u)]
    [InlineData("B.1 UPDATE_BATCH elem_flags EXIST", new uint[] { 0 }, ElemFlags.BPF_EXIST, Errno.EINVAL, 1u)]
    [InlineData("B.1 UPDATE_BATCH elem_flags F_LOCK", new uint[] { 0 }, ElemFlags.BPF_F_LOCK, Errno.EINVAL, 1u)]
    [InlineData("B.1 UPDATE_BATCH count=0", new uint[0], 0ul, Errno.None, 0u)]
    public void MapUpdateBatch_Row_MatchesSpec(string row, uint[] keyList, ulong elemFlags, Errno expected, uint count)
    {
        int fd = NewFilledArray();
        byte[] keys = [.. keyList.SelectMany(U32)];
        byte[] values = [.. keyList.SelectMany(k => U64(1000 + k))];
        uint n = (uint)keyList.Length;

        Errno err = Backend.MapUpdateBatch(fd, keys, values, ref n, elemFlags, 0);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        Assert.Equal(count, n);
        for (uint k = 0; k < 10; k++)
        {
            bool written = Array.IndexOf(keyList, k) is int at and >= 0 && at < n && err is Errno.None or Errno.E2BIG;
            Assert.Equal(written ? 1000 + k : 100 + k, ReadU64(Backend.Lookup(fd, k, 8).Value));
        }
    }

    [SkippableFact]
    public void MapUpdateBatch_FlagsOne_Ignored() // B.1 UPDATE_BATCH flags=1
    {
        int fd = NewFilledArray();
        uint n = 1;

        Assert.Equal(Errno.None, Backend.MapUpdateBatch(fd, U32(0), U64(5), ref n, 0, 1));
    }

    [SkippableFact]
    public void MapUpdateBatch_NullValues_EFAULTCountZero() // B.1 UPDATE_BATCH values NULL
    {
        int fd = NewFilledArray();
        uint n = 1;

        Errno err = Backend.MapUpdateBatch(fd, U32(0), default, ref n, 0, 0);

        Assert.Equal((Errno.EFAULT, 0u), (err, n));
    }

    [SkippableFact]
    public void MapLookupBatch_PerCpuV4_ValuesPackedPerCpu() // B.1 PERCPU v=4 max=3 LOOKUP_BATCH
    {
        int cpus = Backend.PossibleCpus;
        int fd = Backend.CreateMap(MapType.PerCpuArray, 4, 4, 3);
        for (uint k = 0; k < 3; k++)
        {
            byte[] perCpu = new byte[8 * cpus];
            for (int c = 0; c < cpus; c++)
                U32((k + 1) * 0x100 + (uint)c).CopyTo(perCpu, 8 * c);
            Assert.Equal(Errno.None, Backend.Update(fd, k, perCpu));
        }

        byte[] keys = new byte[12], values = new byte[3 * 8 * cpus];
        uint n = 3;
        Assert.Equal(Errno.None, Backend.MapLookupBatch(fd, default, new byte[4], keys, values, ref n, 0, 0));

        for (int k = 0; k < 3; k++)
            for (int c = 0; c < cpus; c++)
                Assert.Equal((uint)((k + 1) * 0x100 + c), ReadU32(values, (k * cpus + c) * 8));
    }
}
