using System.Buffers.Binary;
using SharpBpf.Abi;

namespace SharpBpf.Runtime.Tests.Maps;

/// <summary>
/// The syscall side of the fd-array types (spec D, E, F) that does not need a program, perf event or cgroup:
/// lookup, delete, GET_NEXT_KEY, flags, bounds and descriptor resolution errors. What the slots hold is tested in
/// FdArrays/.
/// </summary>
public class FdArrayTests
{
    [Theory]
    [InlineData("D.lookup-empty", MapType.ProgArray, 0u, Errno.ENOENT)]
    [InlineData("D.lookup-oob", MapType.ProgArray, 9u, Errno.ENOENT)]
    [InlineData("E.lookup", MapType.PerfEventArray, 0u, Errno.ENOTSUPP)]
    [InlineData("K.l7", MapType.PerfEventArray, 9u, Errno.ENOTSUPP)]
    [InlineData("F.lookup", MapType.CgroupArray, 0u, Errno.ENOTSUPP)]
    public void MapLookupElem_FdArrays_MatchKernel(string row, MapType type, uint key, Errno expected)
    {
        using var kit = new MapTestKit();
        var fd = kit.Create(type, 4, 4, 4);

        Assert.True(kit.Lookup(fd, key, new byte[4]) == expected, row);
    }

    [Fact]
    public void MapLookupElem_FdArrayLockFlagOrNullKey_BeforeTypeAnswer_K_l8()
    {
        using var kit = new MapTestKit();
        var pe = kit.Create(MapType.PerfEventArray, 4, 4, 4);
        var pa = kit.Create(MapType.ProgArray, 4, 4, 4);

        Assert.Equal(Errno.EFAULT, kit.Backend.MapLookupElem(pe, default, new byte[4], 0)); // K.l8
        Assert.Equal(Errno.EINVAL, kit.Lookup(pa, 0, new byte[4], ElemFlags.BPF_F_LOCK)); // D: LOOKUP flags BPF_F_LOCK
    }

    // (row, type, key, descriptor in the value, flags, expected)
    [Theory]
    [InlineData("K.u9", MapType.ProgArray, 9u, 3, 0UL, Errno.E2BIG)]
    [InlineData("K.u10", MapType.ProgArray, 0u, 3, 1UL, Errno.EINVAL)]
    [InlineData("K.u11", MapType.ProgArray, 9u, 3, 1UL, Errno.EINVAL)]
    [InlineData("D.flags-exist", MapType.ProgArray, 0u, 3, ElemFlags.BPF_EXIST, Errno.EINVAL)]
    [InlineData("D.flags-lock", MapType.ProgArray, 0u, 3, ElemFlags.BPF_F_LOCK, Errno.EINVAL)]
    [InlineData("K.u12", MapType.ProgArray, 0u, 0, 0UL, Errno.EINVAL)]
    [InlineData("K.u13", MapType.ProgArray, 0u, 9999, 0UL, Errno.EBADF)]
    [InlineData("K.u14", MapType.ProgArray, 0u, -2, 0UL, Errno.EINVAL)]
    [InlineData("K.u19", MapType.ProgArray, 0u, -1, 0UL, Errno.EBADF)]
    [InlineData("K.u15", MapType.PerfEventArray, 0u, -2, 0UL, Errno.EBADF)]
    [InlineData("K.u16", MapType.PerfEventArray, 0u, 0, 0UL, Errno.EBADF)]
    [InlineData("E.update-9999", MapType.PerfEventArray, 0u, 9999, 0UL, Errno.EBADF)]
    [InlineData("E.update-oob", MapType.PerfEventArray, 4u, 0, 0UL, Errno.E2BIG)]
    [InlineData("K.u20", MapType.PerfEventArray, 0u, 0, ElemFlags.BPF_F_LOCK, Errno.EINVAL)]
    [InlineData("K.u21", MapType.PerfEventArray, 0u, 0, ElemFlags.BPF_EXIST, Errno.EINVAL)]
    [InlineData("K.u17", MapType.CgroupArray, 0u, 0, 0UL, Errno.EBADF)]
    [InlineData("K.u18", MapType.CgroupArray, 0u, 9999, 0UL, Errno.EBADF)]
    [InlineData("F.update-map", MapType.CgroupArray, 0u, -2, 0UL, Errno.EBADF)]
    [InlineData("F.update-noexist", MapType.CgroupArray, 0u, 0, ElemFlags.BPF_NOEXIST, Errno.EINVAL)]
    [InlineData("F.update-oob", MapType.CgroupArray, 4u, 0, 0UL, Errno.E2BIG)]
    public void MapUpdateElem_FdArrays_MatchKernel(string row, MapType type, uint key, int valueFd, ulong flags, Errno expected)
    {
        using var kit = new MapTestKit();
        var fd = kit.Create(type, 4, 4, 4);
        var other = kit.CreateArray(); // -2 stands for "the descriptor of a map"
        var value = BitConverter.GetBytes(valueFd == -2 ? other : valueFd);

        var err = kit.Update(fd, key, value, flags);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
    }

    [Theory]
    [InlineData("K.d5", 9u, Errno.E2BIG)]
    [InlineData("K.d6", 0u, Errno.ENOENT)]
    public void MapDeleteElem_ProgArray_MatchesKernel(string row, uint key, Errno expected)
    {
        using var kit = new MapTestKit();
        var fd = kit.Create(MapType.ProgArray, 4, 4, 4);

        Assert.True(kit.Backend.MapDeleteElem(fd, MapTestKit.Key(key), 0) == expected, row);
        Assert.Equal(Errno.EFAULT, kit.Backend.MapDeleteElem(fd, default, 0)); // K.d7
    }

    [Fact]
    public void MapGetNextKey_ProgArray_WalksLikeArray_K_n5()
    {
        using var kit = new MapTestKit();
        var fd = kit.Create(MapType.ProgArray, 4, 4, 2);
        var next = new byte[4];

        Assert.Equal(Errno.None, kit.Backend.MapGetNextKey(fd, default, next));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(next));
        Assert.Equal(Errno.None, kit.Backend.MapGetNextKey(fd, MapTestKit.Key(0), next));
        Assert.Equal(Errno.ENOENT, kit.Backend.MapGetNextKey(fd, MapTestKit.Key(1), next));
        Assert.Equal(Errno.ENOTSUPP, kit.Backend.MapLookupAndDeleteElem(fd, MapTestKit.Key(0), new byte[4], 0)); // K.ld6
    }
}
