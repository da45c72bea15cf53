using SharpBpf.Abi;

namespace SharpBpf.Runtime.Tests.Maps;

/// <summary>Spec B.2: BPF_MAP_FREEZE (probe rows B.f*) and K.f* orderings.</summary>
public class FreezeTests
{
    [Fact]
    public void MapFreeze_Sequence_MatchesKernel_B_f1_to_f7b()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();
        Assert.Equal(Errno.None, kit.UpdateU64(fd, 0, 5));
        var n = 1u;

        Assert.Equal(Errno.None, kit.Backend.MapFreeze(fd)); // B.f1
        Assert.Equal(Errno.EPERM, kit.Backend.MapFreeze(fd)); // B.f2: EPERM, not EBUSY
        Assert.Equal(Errno.EPERM, kit.UpdateU64(fd, 0, 6)); // B.f3
        Assert.Equal(Errno.EPERM, kit.Backend.MapDeleteElem(fd, MapTestKit.Key(0), 0)); // B.f4: beats EINVAL
        Assert.Equal(5UL, kit.LookupU64(fd, 0)); // B.f5
        Assert.Equal(Errno.None, kit.Backend.MapGetNextKey(fd, default, new byte[4])); // B.f6
        Assert.Equal(Errno.EPERM, kit.Backend.MapUpdateBatch(fd, MapTestKit.Key(0), MapTestKit.U64(9), ref n, 0, 0)); // B.f7
        Assert.Equal(1u, n);
        Assert.Equal(Errno.EPERM, kit.UpdateU64(fd, 9, 5)); // B.f7b: beats E2BIG
        Assert.Equal(Errno.EPERM, kit.Update(fd, 0, default, 3)); // K.f5: beats EFAULT and EINVAL
        Assert.Equal(Errno.EPERM, kit.Backend.MapDeleteElem(fd, default, 0)); // K.f6
        Assert.Equal(Errno.EPERM, kit.Backend.MapDeleteBatch(fd, MapTestKit.Key(0), ref n, 0, 0)); // K.f9
        Assert.Equal(Errno.EPERM, kit.Backend.MapLookupAndDeleteElem(fd, MapTestKit.Key(0), new byte[8], 0)); // K.f10
        n = 3;
        Assert.Equal(Errno.None, kit.Backend.MapLookupBatch(fd, default, new byte[4], new byte[12], new byte[24], ref n, 0, 0)); // K.f11
    }

    [Fact]
    public void MapFreeze_ProgramStillWritesFrozenMap_B_f8()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();
        Assert.Equal(Errno.None, kit.UpdateU64(fd, 0, 5));
        Assert.Equal(Errno.None, kit.Backend.MapFreeze(fd));
        var map = kit.MapOf(fd);

        Assert.Equal(Errno.None, map.UpdateFromProgram(0, MapTestKit.U64(6), 0, cpu: 0));

        Assert.Equal(6UL, kit.LookupU64(fd, 0));
    }

    [Fact]
    public void MapFreeze_WritableMappingExists_EbusyUntilUnmapped_B_f10_f11()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(flags: (uint)MapFlags.BPF_F_MMAPABLE);
        Assert.Equal(Errno.None, kit.Backend.MapMmap(fd, 0, 4096, writable: true, out var region));

        Assert.Equal(Errno.EBUSY, kit.Backend.MapFreeze(fd)); // B.f10
        region!.Dispose();
        Assert.Equal(Errno.None, kit.Backend.MapFreeze(fd)); // B.f11
    }

    [Fact]
    public void MapFreeze_ThenMmap_WritableEpermReadOnlyOk_B_f12_f13()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(flags: (uint)MapFlags.BPF_F_MMAPABLE);
        Assert.Equal(Errno.None, kit.Backend.MapFreeze(fd));

        Assert.Equal(Errno.EPERM, kit.Backend.MapMmap(fd, 0, 4096, writable: true, out _)); // B.f12
        Assert.Equal(Errno.None, kit.Backend.MapMmap(fd, 0, 4096, writable: false, out var ro)); // B.f13
        Assert.False(ro!.Writable);
        ro.Dispose();
    }

    [Fact]
    public void MapMmap_FrozenNonMmapable_ReadOnlyEinvalWritableEperm_B_f9_K_f7_f8()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();
        Assert.Equal(Errno.None, kit.Backend.MapFreeze(fd));

        Assert.Equal(Errno.EINVAL, kit.Backend.MapMmap(fd, 0, 4096, writable: false, out _)); // B.f9, K.f8
        Assert.Equal(Errno.EPERM, kit.Backend.MapMmap(fd, 0, 4096, writable: true, out _)); // K.f7: frozen is checked first
    }

    [Theory]
    [InlineData("B.f15", MapType.PerCpuArray, 8u)]
    [InlineData("B.f16", MapType.ProgArray, 4u)]
    [InlineData("B.f17", MapType.PerfEventArray, 4u)]
    [InlineData("B.f18", MapType.CgroupArray, 4u)]
    public void MapFreeze_OtherArrayTypes_FreezeThenDeleteEperm(string row, MapType type, uint valueSize)
    {
        using var kit = new MapTestKit();
        var fd = kit.Create(type, 4, valueSize, 4);

        Assert.True(kit.Backend.MapFreeze(fd) == Errno.None, row);
        Assert.True(kit.Backend.MapDeleteElem(fd, MapTestKit.Key(0), 0) == Errno.EPERM, row);
    }

    [Theory]
    [InlineData("K.f1", (uint)MapFlags.BPF_F_RDONLY, Errno.EPERM)]
    [InlineData("K.f2", (uint)MapFlags.BPF_F_WRONLY, Errno.None)]
    public void MapFreeze_DescriptorMode_MatchesKernel(string row, uint mode, Errno expected)
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(flags: mode);

        Assert.True(kit.Backend.MapFreeze(fd) == expected, row);
    }

    [Theory]
    [InlineData("K.f3", 9999, Errno.EBADF)]
    [InlineData("K.f4", 0, Errno.EINVAL)]
    public void MapFreeze_BadDescriptor_MatchesKernel(string row, int fd, Errno expected)
    {
        using var kit = new MapTestKit();

        Assert.True(kit.Backend.MapFreeze(fd) == expected, row);
    }

    [Fact]
    public void MapFreeze_WritableMappingThroughClosedDescriptor_StillBlocks_K_m17_m19()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(flags: (uint)MapFlags.BPF_F_MMAPABLE);
        Assert.Equal(Errno.None, kit.Backend.MapMmap(fd, 0, 4096, writable: true, out var region));
        kit.Backend.MapGetInfo(fd, out var info);
        kit.Backend.Close(fd);

        Assert.Equal(Errno.None, kit.Backend.MapGetFdById(info.Id, 0, out var fd2)); // K.m17: the mapping kept it alive
        Assert.Equal(Errno.EBUSY, kit.Backend.MapFreeze(fd2)); // K.m18
        region!.Dispose();
        Assert.Equal(Errno.None, kit.Backend.MapFreeze(fd2)); // K.m19
    }
}
