using System.Buffers.Binary;
using SharpBpf.Abi;

namespace SharpBpf.Runtime.Tests.Maps;

/// <summary>
/// Spec section B: ARRAY k=4 v=8 max=4 element operations from the syscall side, one case per row of
/// <c>probe_b_array_ops.c</c>, replaying the probe's sequence on one map. <c>K.*</c> rows: extra orderings probed
/// on the same kernel with <c>probes/order_probe.c</c>.
/// </summary>
public class ElementOpsTests
{
    private const ulong Lock = ElemFlags.BPF_F_LOCK;

    // (row, key (null = NULL), value buffer length (0 = NULL), flags, expected)
    public static TheoryData<string, uint?, int, ulong, Errno> LookupRows => new()
    {
        { "B.l1", 0u, 8, 0UL, Errno.None },
        { "B.l2", 3u, 8, 0UL, Errno.None },
        { "B.l3", 4u, 8, 0UL, Errno.ENOENT },
        { "B.l4", 0xffffffffu, 8, 0UL, Errno.ENOENT },
        { "B.l5", 0u, 8, Lock, Errno.EINVAL },
        { "B.l6", 0u, 8, 1UL, Errno.EINVAL },
        { "B.l7", 0u, 8, ElemFlags.BPF_F_CPU, Errno.EINVAL },
        { "B.l8", null, 8, 0UL, Errno.EFAULT },
        { "B.l9", 0u, 0, 0UL, Errno.EFAULT },
        { "B.l10", 9u, 0, 0UL, Errno.ENOENT },
        { "K.l6", null, 8, Lock, Errno.EINVAL },
        { "K.short-value", 0u, 7, 0UL, Errno.EFAULT },
    };

    [Theory]
    [MemberData(nameof(LookupRows))]
    public void MapLookupElem_Array_MatchesKernel(string row, uint? key, int valueLength, ulong flags, Errno expected)
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();
        var value = MapTestKit.Filled(valueLength, 0xaa);

        var err = kit.Backend.MapLookupElem(fd, key is { } k ? MapTestKit.Key(k) : default, value, flags);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        if (err == Errno.None)
            Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(value)); // zero-initialised
    }

    // The update rows run in the probe's order on one map: B.u1 writes 0x1111 to key 1, B.u4 0x3333 ...
    public static TheoryData<string, uint?, int, ulong, Errno> UpdateRows => new()
    {
        { "B.u1", 1u, 8, ElemFlags.BPF_ANY, Errno.None },
        { "B.u2", 1u, 8, ElemFlags.BPF_NOEXIST, Errno.EEXIST },
        { "B.u3", 2u, 8, ElemFlags.BPF_NOEXIST, Errno.EEXIST },
        { "B.u4", 1u, 8, ElemFlags.BPF_EXIST, Errno.None },
        { "B.u5", 1u, 8, 3UL, Errno.EINVAL },
        { "B.u6", 1u, 8, Lock, Errno.EINVAL },
        { "B.u7", 1u, 8, Lock | ElemFlags.BPF_NOEXIST, Errno.EINVAL },
        { "B.u7b", 1u, 8, Lock | ElemFlags.BPF_EXIST, Errno.EINVAL },
        { "B.u8", 1u, 8, 8UL, Errno.EINVAL },
        { "B.u9", 1u, 8, 1UL << 32, Errno.EINVAL },
        { "B.u10", 4u, 8, ElemFlags.BPF_ANY, Errno.E2BIG },
        { "B.u11", 4u, 8, ElemFlags.BPF_NOEXIST, Errno.E2BIG },
        { "B.u12", 4u, 8, ElemFlags.BPF_EXIST, Errno.E2BIG },
        { "B.u13", 4u, 8, 3UL, Errno.EINVAL },
        { "B.u14", 0xffffffffu, 8, ElemFlags.BPF_ANY, Errno.E2BIG },
        { "B.u15", 1u, 0, ElemFlags.BPF_ANY, Errno.EFAULT },
        { "K.u2", 0u, 0, 3UL, Errno.EFAULT },
        { "K.u3", null, 8, 3UL, Errno.EFAULT },
        { "K.u4", null, 8, Lock, Errno.EINVAL },
        { "K.short-value", 0u, 7, 0UL, Errno.EFAULT },
    };

    [Theory]
    [MemberData(nameof(UpdateRows))]
    public void MapUpdateElem_Array_MatchesKernel(string row, uint? key, int valueLength, ulong flags, Errno expected)
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();
        var value = new byte[valueLength];
        if (valueLength >= 8)
            BinaryPrimitives.WriteUInt64LittleEndian(value, 0x3333);

        var err = kit.Backend.MapUpdateElem(fd, key is { } k ? MapTestKit.Key(k) : default, value, flags);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        if (err == Errno.None)
            Assert.Equal(0x3333UL, kit.LookupU64(fd, key!.Value));
        else if (key is { } k2 and < 4)
            Assert.Equal(0UL, kit.LookupU64(fd, k2)); // a failed update leaves the element as it was
    }

    [Fact]
    public void MapUpdateElem_NoExistOnWrittenKey_EexistAndValueKept_B_u2()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();
        Assert.Equal(Errno.None, kit.UpdateU64(fd, 1, 0x1111));

        Assert.Equal(Errno.EEXIST, kit.UpdateU64(fd, 1, 0x2222, ElemFlags.BPF_NOEXIST));

        Assert.Equal(0x1111UL, kit.LookupU64(fd, 1));
    }

    // (row, key (null = NULL), flags, expected)
    public static TheoryData<string, uint?, ulong, Errno> DeleteRows => new()
    {
        { "B.d1", 1u, 0UL, Errno.EINVAL },
        { "B.d2", 4u, 0UL, Errno.EINVAL },
        { "B.d3", 1u, 1UL, Errno.EINVAL },
        { "B.d4", null, 0UL, Errno.EFAULT },
        { "K.d1", 1u, 1UL, Errno.EINVAL },
    };

    [Theory]
    [MemberData(nameof(DeleteRows))]
    public void MapDeleteElem_Array_MatchesKernel(string row, uint? key, ulong flags, Errno expected)
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();
        var target = row == "K.d1" ? 9999 : fd; // K.d1: the flags check comes before the descriptor

        var err = kit.Backend.MapDeleteElem(target, key is { } k ? MapTestKit.Key(k) : default, flags);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
    }

    // (row, max_entries, key (null = NULL), next buffer length (0 = NULL), expected, expected next (null: untouched))
    public static TheoryData<string, uint, uint?, int, Errno, uint?> NextKeyRows => new()
    {
        { "B.n1", 4u, null, 4, Errno.None, 0u },
        { "B.n2", 4u, 0u, 4, Errno.None, 1u },
        { "B.n3", 4u, 2u, 4, Errno.None, 3u },
        { "B.n4", 4u, 3u, 4, Errno.ENOENT, null },
        { "B.n5", 4u, 4u, 4, Errno.None, 0u },
        { "B.n6", 4u, 0xffffffffu, 4, Errno.None, 0u },
        { "B.n7", 4u, 0u, 0, Errno.EFAULT, null },
        { "B.n8", 1u, null, 4, Errno.None, 0u },
        { "B.n9", 1u, 0u, 4, Errno.ENOENT, null },
        { "K.n4", 4u, 3u, 0, Errno.ENOENT, null },
    };

    [Theory]
    [MemberData(nameof(NextKeyRows))]
    public void MapGetNextKey_Array_MatchesKernel(string row, uint maxEntries, uint? key, int nextLength, Errno expected,
        uint? expectedNext)
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(maxEntries: maxEntries);
        var next = MapTestKit.Filled(nextLength, 0xaa);

        var err = kit.Backend.MapGetNextKey(fd, key is { } k ? MapTestKit.Key(k) : default, next);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        if (nextLength == 4)
            Assert.Equal(expectedNext ?? 0xaaaaaaaa, BinaryPrimitives.ReadUInt32LittleEndian(next));
    }

    // (row, key, value length, flags, expected)
    public static TheoryData<string, uint?, int, ulong, Errno> LookupAndDeleteRows => new()
    {
        { "B.ld1", 0u, 8, 0UL, Errno.ENOTSUPP },
        { "B.ld2", 0u, 8, Lock, Errno.EINVAL },
        { "B.ld3", 9u, 8, 0UL, Errno.ENOTSUPP },
        { "K.ld4", null, 8, 0UL, Errno.EFAULT },
        { "K.ld5", 0u, 0, 0UL, Errno.ENOTSUPP },
    };

    [Theory]
    [MemberData(nameof(LookupAndDeleteRows))]
    public void MapLookupAndDeleteElem_Array_MatchesKernel(string row, uint? key, int valueLength, ulong flags, Errno expected)
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();

        var err = kit.Backend.MapLookupAndDeleteElem(fd, key is { } k ? MapTestKit.Key(k) : default, new byte[valueLength], flags);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        Assert.Equal(524, (int)Errno.ENOTSUPP); // the kernel-internal ENOTSUPP, not EOPNOTSUPP (95)
    }

    // Descriptor and access-mode order (K.*): fd 9999 is closed, fd 0 is stdin (open but not a map).
    [Theory]
    [InlineData("K.l1", "lookup", 9999, 1UL, Errno.EINVAL)]
    [InlineData("K.l2", "lookup", 9999, 0UL, Errno.EBADF)]
    [InlineData("K.l3", "lookup-wronly", 0, Lock, Errno.EPERM)]
    [InlineData("K.l5", "lookup", 0, 0UL, Errno.EINVAL)]
    [InlineData("K.u1", "update-rdonly", 0, 3UL, Errno.EPERM)]
    [InlineData("K.u5", "update", 9999, 3UL, Errno.EBADF)]
    [InlineData("K.u6", "update", 0, 0UL, Errno.EINVAL)]
    [InlineData("K.d2", "delete-rdonly", 0, 0UL, Errno.EPERM)]
    [InlineData("K.d8", "delete-wronly", 0, 0UL, Errno.EINVAL)]
    [InlineData("K.n1", "next-wronly", 0, 0UL, Errno.EPERM)]
    [InlineData("K.n2", "next-rdonly", 0, 0UL, Errno.None)]
    [InlineData("K.n6", "next", 9999, 0UL, Errno.EBADF)]
    [InlineData("K.ld1", "lookup-and-delete", 9999, 1UL, Errno.EINVAL)]
    [InlineData("K.ld2", "lookup-and-delete-rdonly", 0, 0UL, Errno.EPERM)]
    [InlineData("K.ld3", "lookup-and-delete-wronly", 0, 0UL, Errno.EPERM)]
    [InlineData("K.ld7", "lookup-and-delete-rdonly", 0, Lock, Errno.EPERM)]
    public void MapCommands_DescriptorAndModeOrder_MatchKernel(string row, string op, int fd, ulong flags, Errno expected)
    {
        using var kit = new MapTestKit();
        var mode = op.EndsWith("-rdonly") ? (uint)MapFlags.BPF_F_RDONLY : op.EndsWith("-wronly") ? (uint)MapFlags.BPF_F_WRONLY : 0;
        var map = kit.CreateArray(flags: mode);
        var target = fd == 0 && op.Contains('-') ? map : fd;
        var key = MapTestKit.Key(0);
        var value = new byte[8];

        var err = op.Split('-')[0] switch
        {
            "lookup" when op.StartsWith("lookup-and-delete") => kit.Backend.MapLookupAndDeleteElem(target, key, value, flags),
            "lookup" => kit.Backend.MapLookupElem(target, key, value, flags),
            "update" => kit.Backend.MapUpdateElem(target, key, value, flags),
            "delete" => kit.Backend.MapDeleteElem(target, key, flags),
            _ => kit.Backend.MapGetNextKey(target, default, new byte[4]),
        };

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
    }
}
