using System.Buffers.Binary;
using SharpBpf.Abi;

namespace SharpBpf.Runtime.Tests.Maps;

/// <summary>Spec section C: PERCPU_ARRAY from the syscall side (probe rows C.l*, C.f*).</summary>
public class PerCpuTests
{
    [Theory]
    [InlineData("C.l1", 4u, "1011121314151617 2021222324252627")]
    [InlineData("C.l2", 8u, "1011121314151617 2021222324252627")]
    [InlineData("C.l3", 12u, "1011121314151617 18191a1b1c1d1e1f 2021222324252627 28292a2b2c2d2e2f")]
    public void MapLookupElem_PerCpu_BufferIsPaddedSlotsInCpuOrder(string row, uint valueSize, string expectedHex)
    {
        using var kit = new MapTestKit(cpus: 2);
        var fd = kit.CreatePerCpu(valueSize, maxEntries: 2);
        var stride = (int)((valueSize + 7) & ~7u);
        var input = MapTestKit.Filled(64, 0x11);
        for (var c = 0; c < 2; c++)
        {
            for (var j = 0; j < stride; j++)
                input[c * stride + j] = (byte)((c + 1) * 0x10 + j);
        }

        Assert.Equal(Errno.None, kit.Update(fd, 0, input));
        var output = MapTestKit.Filled(64, 0xee);
        Assert.Equal(Errno.None, kit.Lookup(fd, 0, output));

        var expected = Convert.FromHexString(expectedHex.Replace(" ", "", StringComparison.Ordinal));
        Assert.True(expected.AsSpan().SequenceEqual(output.AsSpan(0, expected.Length)), row);
        Assert.True(output.AsSpan(expected.Length).IndexOfAnyExcept((byte)0xee) < 0, $"{row}: wrote past the buffer");
    }

    // (row, op, key, flags, expected)
    [Theory]
    [InlineData("C.f1", "lookup", 0u, ElemFlags.BPF_F_CPU, Errno.EINVAL)]
    [InlineData("C.f2", "lookup", 0u, ElemFlags.BPF_F_CPU | (1UL << 32), Errno.EINVAL)]
    [InlineData("C.f3", "update", 0u, ElemFlags.BPF_F_CPU | (1UL << 32), Errno.EINVAL)]
    [InlineData("C.f4", "update", 0u, ElemFlags.BPF_F_ALL_CPUS, Errno.EINVAL)]
    [InlineData("C.f5", "update", 0u, ElemFlags.BPF_NOEXIST, Errno.EEXIST)]
    [InlineData("C.f6", "update", 0u, ElemFlags.BPF_EXIST, Errno.None)]
    [InlineData("C.f7", "update", 0u, ElemFlags.BPF_F_LOCK, Errno.EINVAL)]
    [InlineData("C.f8", "update", 2u, 0UL, Errno.E2BIG)]
    [InlineData("C.f9", "lookup", 2u, 0UL, Errno.ENOENT)]
    [InlineData("C.f10", "delete", 2u, 0UL, Errno.EINVAL)]
    [InlineData("C.f11", "delete", 0u, 0UL, Errno.EINVAL)]
    [InlineData("C.f12", "lookup-and-delete", 0u, 0UL, Errno.ENOTSUPP)]
    [InlineData("K.u7", "update", 9u, ElemFlags.BPF_F_LOCK, Errno.EINVAL)]
    [InlineData("K.u8", "update", 9u, 3UL, Errno.EINVAL)]
    [InlineData("K.l12", "lookup-null-value", 9u, 0UL, Errno.ENOENT)]
    [InlineData("K.d4", "delete-null-key", 0u, 0UL, Errno.EFAULT)]
    [InlineData("K.short-value", "update-short", 0u, 0UL, Errno.EFAULT)]
    public void PerCpuOps_MatchKernel(string row, string op, uint key, ulong flags, Errno expected)
    {
        using var kit = new MapTestKit(cpus: 2);
        var fd = kit.CreatePerCpu(valueSize: 8, maxEntries: 2);
        var buffer = new byte[16];

        var err = op switch
        {
            "lookup" => kit.Lookup(fd, key, buffer, flags),
            "lookup-null-value" => kit.Lookup(fd, key, default, flags),
            "update" => kit.Update(fd, key, buffer, flags),
            "update-short" => kit.Update(fd, key, buffer.AsSpan(0, 8), flags), // value_size, not the per-CPU size
            "delete" => kit.Backend.MapDeleteElem(fd, MapTestKit.Key(key), 0),
            "delete-null-key" => kit.Backend.MapDeleteElem(fd, default, 0),
            _ => kit.Backend.MapLookupAndDeleteElem(fd, MapTestKit.Key(key), buffer, flags),
        };

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
    }

    [Fact]
    public void MapGetNextKey_PerCpuNull_ReturnsZero_C_f13()
    {
        using var kit = new MapTestKit(cpus: 2);
        var fd = kit.CreatePerCpu(valueSize: 8, maxEntries: 2);
        var next = MapTestKit.Key(77);

        Assert.Equal(Errno.None, kit.Backend.MapGetNextKey(fd, default, next));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(next));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void PerCpu_BufferSize_FollowsPossibleCpus(int cpus)
    {
        using var kit = new MapTestKit(cpus: cpus);
        var fd = kit.CreatePerCpu(valueSize: 12, maxEntries: 3);
        var values = new byte[16 * cpus];
        for (var i = 0; i < values.Length; i++)
            values[i] = (byte)i;

        Assert.Equal(Errno.EFAULT, kit.Update(fd, 1, values.AsSpan(0, values.Length - 1)));
        Assert.Equal(Errno.None, kit.Update(fd, 1, values));
        var back = new byte[values.Length];
        Assert.Equal(Errno.None, kit.Lookup(fd, 1, back));

        Assert.Equal(values, back);
        Assert.Equal(16 * cpus, kit.MapOf(fd).SyscallValueSize);
    }

    [Fact]
    public void PerCpu_Layout_EachCpuBlockCacheLineAlignedAndDisjoint()
    {
        using var kit = new MapTestKit(cpus: 4);
        var fd = kit.CreatePerCpu(valueSize: 4, maxEntries: 3);
        var map = Assert.IsType<Runtime.Maps.PerCpuArrayMapObject>(kit.MapOf(fd));

        for (var cpu = 0; cpu < 4; cpu++)
        {
            Assert.Equal(0, map.PerCpuBase(cpu) % 64);
            Assert.Equal(map.PerCpuBase(cpu) + 8, map.LookupForProgram(1, cpu));
        }

        Assert.True(map.PerCpuStride >= 3 * 8);
        Assert.Equal(0, map.PerCpuBase(4));
    }
}
