using SharpBpf.Abi;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Runtime.Tests.Maps;

/// <summary>
/// Descriptors, pins and ids: access modes from BPF_OBJ_GET and BPF_MAP_GET_FD_BY_ID (probe rows B.p*), and the
/// pin and id errors probed on a mounted bpffs (K.p*, K.i*).
/// </summary>
public class HandleTests
{
    private const string Pin = "/sys/fs/bpf/ksem_probe_arr";

    [Fact]
    public void ObjGet_Rdonly_UpdateEpermLookupOk_B_p1()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();
        Assert.Equal(Errno.None, kit.Backend.ObjPin(fd, Pin));

        Assert.Equal(Errno.None, kit.Backend.ObjGet(Pin, (uint)MapFlags.BPF_F_RDONLY, out var g));

        Assert.Equal(Errno.EPERM, kit.UpdateU64(g, 0, 1));
        Assert.Equal(Errno.None, kit.Lookup(g, 0, new byte[8]));
    }

    [Fact]
    public void ObjGet_Wronly_LookupEpermUpdateOk_B_p2()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();
        Assert.Equal(Errno.None, kit.Backend.ObjPin(fd, Pin));

        Assert.Equal(Errno.None, kit.Backend.ObjGet(Pin, (uint)MapFlags.BPF_F_WRONLY, out var g));

        Assert.Equal(Errno.EPERM, kit.Lookup(g, 0, new byte[8]));
        Assert.Equal(Errno.None, kit.UpdateU64(g, 0, 1));
    }

    [Theory]
    [InlineData("B.p3", Pin, 0x18u, Errno.EINVAL)]
    [InlineData("B.p4", Pin, 1u << 5, Errno.EINVAL)]
    [InlineData("K.p7", "/sys/fs/bpf/nonexistent", 0u, Errno.ENOENT)]
    [InlineData("K.p8", "/sys/fs/bpf", 0u, Errno.EACCES)]
    [InlineData("K.p11", "/sys/fs/bpf/nonexistent", 0x18u, Errno.EINVAL)]
    [InlineData("K.x.p1", Pin, 1u << 14, Errno.None)]
    public void ObjGet_BadFlagsOrPath_MatchesKernel(string row, string path, uint flags, Errno expected)
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();
        Assert.Equal(Errno.None, kit.Backend.ObjPin(fd, Pin));

        var err = kit.Backend.ObjGet(path, flags, out _);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
    }

    [Fact]
    public void MapGetFdById_Rdonly_UpdateEperm_B_p5()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();
        kit.Backend.MapGetInfo(fd, out var info);

        Assert.Equal(Errno.None, kit.Backend.MapGetFdById(info.Id, (uint)MapFlags.BPF_F_RDONLY, out var g));

        Assert.Equal(Errno.EPERM, kit.UpdateU64(g, 0, 1));
        Assert.Equal(Errno.None, kit.Lookup(g, 0, new byte[8]));
    }

    [Theory]
    [InlineData("K.i1", 0x7fffff00u, 0u, Errno.ENOENT)]
    [InlineData("K.i2", 0x7fffff00u, 0x18u, Errno.EINVAL)]
    [InlineData("K.i3", 0x7fffff00u, 1u << 5, Errno.EINVAL)]
    [InlineData("K.i4", 0u, 0u, Errno.ENOENT)]
    [InlineData("K.i8", 0x80000000u, 0u, Errno.ENOENT)]
    [InlineData("K.x.i1", 1u, 1u << 14, Errno.EINVAL)]
    public void MapGetFdById_Errors_MatchKernel(string row, uint id, uint flags, Errno expected)
    {
        using var kit = new MapTestKit();

        Assert.True(kit.Backend.MapGetFdById(id, flags, out _) == expected, row);
    }

    [Theory]
    [InlineData("K.i5", 0x7fffffffu, Errno.EINVAL)]
    [InlineData("K.i6", 0x7ffffffeu, Errno.ENOENT)]
    [InlineData("K.i7", 0xffffffffu, Errno.EINVAL)]
    public void MapGetNextId_Limits_MatchKernel(string row, uint start, Errno expected)
    {
        using var kit = new MapTestKit();

        Assert.True(kit.Backend.MapGetNextId(start, out _) == expected, row);
    }

    [Fact]
    public void MapGetNextId_WalksLiveMapsInOrder()
    {
        using var kit = new MapTestKit();
        var a = kit.CreateArray();
        var b = kit.CreateArray();
        var c = kit.CreateArray();
        kit.Backend.Close(b);
        kit.Backend.MapGetInfo(a, out var ia);
        kit.Backend.MapGetInfo(c, out var ic);

        Assert.Equal(Errno.None, kit.Backend.MapGetNextId(0, out var first));
        Assert.Equal(Errno.None, kit.Backend.MapGetNextId(first, out var second));
        Assert.Equal(Errno.ENOENT, kit.Backend.MapGetNextId(second, out _));
        Assert.Equal((ia.Id, ic.Id), (first, second));
    }

    [Theory]
    [InlineData("K.p2", Pin, Errno.EEXIST)]
    [InlineData("K.p5", "/tmp/ksem_x", Errno.EPERM)]
    [InlineData("K.p9", Pin + "/sub", Errno.ENOTDIR)]
    [InlineData("K.p14", "/sys/fs/bpf/", Errno.EEXIST)]
    [InlineData("K.p15", "relative", Errno.EPERM)]
    public void ObjPin_PathErrors_MatchKernel(string row, string path, Errno expected)
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();
        Assert.Equal(Errno.None, kit.Backend.ObjPin(fd, Pin)); // K.p1

        Assert.True(kit.Backend.ObjPin(fd, path) == expected, row);
    }

    [Theory]
    [InlineData("K.p3", 9999)]
    [InlineData("K.p4", 0)]
    public void ObjPin_NotABpfObject_Einval(string row, int fd)
    {
        using var kit = new MapTestKit();

        Assert.True(kit.Backend.ObjPin(fd, "/sys/fs/bpf/x9") == Errno.EINVAL, row);
    }

    [Fact]
    public void ObjUnpin_TwiceThenMissing_Enoent_K_p12_p13()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();
        Assert.Equal(Errno.None, kit.Backend.ObjPin(fd, Pin));

        Assert.Equal(Errno.None, kit.Backend.ObjUnpin(Pin));
        Assert.Equal(Errno.ENOENT, kit.Backend.ObjUnpin(Pin));
    }

    [Fact]
    public void ObjPin_NestedPathsCreateDirectoriesImplicitly()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();

        Assert.Equal(Errno.None, kit.Backend.ObjPin(fd, "/sys/fs/bpf/app/counts"));
        Assert.Equal(Errno.EACCES, kit.Backend.ObjGet("/sys/fs/bpf/app", 0, out _));
        Assert.Equal(Errno.EISDIR, kit.Backend.ObjUnpin("/sys/fs/bpf/app"));
        Assert.Equal(Errno.None, kit.Backend.ObjGet("/sys/fs/bpf//app/./counts", 0, out var g));
        Assert.NotEqual(fd, g);
    }

    [Fact]
    public void Pin_KeepsMapAliveAfterLastDescriptor_UnpinFreesIt()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();
        Assert.Equal(Errno.None, kit.UpdateU64(fd, 2, 77));
        var map = kit.MapOf(fd);
        Assert.Equal(Errno.None, kit.Backend.ObjPin(fd, Pin));
        kit.Backend.Close(fd);
        Assert.False(map.IsFreed);

        Assert.Equal(Errno.None, kit.Backend.ObjGet(Pin, 0, out var g));
        Assert.Equal(77UL, kit.LookupU64(g, 2));
        kit.Backend.Close(g);
        Assert.Equal(Errno.None, kit.Backend.ObjUnpin(Pin));

        Assert.True(map.IsFreed);
        Assert.Equal(0, kit.Registry.Count(ObjectKind.Map));
        Assert.Equal(0, kit.Budget.Used);
    }

    [Fact]
    public void Dup_SharesOpenFileAndMode_CloseOneKeepsTheOther()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(flags: (uint)MapFlags.BPF_F_RDONLY);

        Assert.Equal(Errno.None, kit.Backend.Dup(fd, out var dup));
        Assert.Same(kit.Backend.Files.Get(fd), kit.Backend.Files.Get(dup));
        Assert.Equal(Errno.None, kit.Backend.Close(fd));

        Assert.Equal(Errno.EPERM, kit.UpdateU64(dup, 0, 1)); // the mode comes with the description
        Assert.Equal(Errno.None, kit.Lookup(dup, 0, new byte[8]));
        Assert.Equal(Errno.EBADF, kit.Lookup(fd, 0, new byte[8]));
    }

    [Fact]
    public void Close_UnknownOrStandardDescriptor_Ebadf()
    {
        using var kit = new MapTestKit();

        Assert.Equal(Errno.EBADF, kit.Backend.Close(9999));
        Assert.Equal(Errno.EBADF, kit.Backend.Close(0));
        Assert.Equal(Errno.EBADF, kit.Backend.Close(-1));
        Assert.Equal(Errno.EBADF, kit.Backend.Dup(9999, out _));
    }

    [Fact]
    public void MapGetFdById_AfterLastReference_Enoent()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();
        kit.Backend.MapGetInfo(fd, out var info);
        kit.Backend.Close(fd);

        Assert.Equal(Errno.ENOENT, kit.Backend.MapGetFdById(info.Id, 0, out _));
    }

    [Fact]
    public void ProgramReference_KeepsMapReopenableById_AfterUserReferencesGo()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();
        var map = kit.MapOf(fd);
        kit.Backend.MapGetInfo(fd, out var info);
        map.AcquireReference(); // what a loaded program holds
        kit.Backend.Close(fd);

        Assert.Equal(0, map.UserReferenceCount);
        Assert.Equal(Errno.None, kit.Backend.MapGetFdById(info.Id, 0, out var again));
        kit.Backend.Close(again);
        map.ReleaseReference();

        Assert.True(map.IsFreed);
    }

    [Fact]
    public void Dispose_ClosesEveryDescriptorAndFreesUnpinnedMaps()
    {
        var kit = new MapTestKit();
        var a = kit.MapOf(kit.CreateArray());
        var b = kit.MapOf(kit.CreatePerCpu());

        kit.Dispose();

        Assert.True(a.IsFreed);
        Assert.True(b.IsFreed);
        Assert.Equal(0, kit.Budget.Used);
    }
}
