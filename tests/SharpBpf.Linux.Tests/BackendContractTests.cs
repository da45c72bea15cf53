using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Linux.Tests.Support;
using static SharpBpf.Linux.Tests.Support.BackendExtensions;

namespace SharpBpf.Linux.Tests;

/// <summary>The IBpfBackend conventions as the kernel backend keeps them: descriptors, spans, disposal.</summary>
public sealed class BackendContractTests : KernelTestBase
{
    [Theory]
    [InlineData("0", 1)]
    [InlineData("0-1", 2)]
    [InlineData("0-1,4", 3)]
    [InlineData("0-3,8-11\n", 8)]
    [InlineData("", -1)]
    [InlineData("1-0", -1)]
    [InlineData("a", -1)]
    public void CpuListCount_KernelFormat_CountsCpus(string list, int expected) =>
        Assert.Equal(expected, CpuList.Count(list));

    [SkippableFact]
    public void IsSupported_HereAsRoot_True()
    {
        Assert.True(LinuxBackend.IsSupported(out string reason), reason);
        Assert.Equal("", reason);
        Assert.Equal("kernel", Backend.Name);
    }

    [SkippableFact]
    public void Close_OwnedDescriptor_ClosesItOnce()
    {
        int fd = Backend.CreateMap(MapType.Array, 4, 8, 1);

        Assert.Equal(Errno.None, Backend.Close(fd));

        Assert.Equal(Errno.EBADF, Backend.Close(fd));
        Assert.Equal(0, Backend.OwnedDescriptorCount);
    }

    [SkippableFact]
    public void Close_DescriptorNotOpenedByBackend_EBADFAndLeftOpen()
    {
        using var stream = File.OpenRead("/proc/self/stat");
        int foreign = (int)stream.SafeFileHandle.DangerousGetHandle();

        Assert.Equal(Errno.EBADF, Backend.Close(foreign));

        Assert.True(stream.ReadByte() >= 0);
    }

    [SkippableFact]
    public void Dup_Map_SameMapNewDescriptorSameMode()
    {
        int fd = Backend.CreateMap(MapType.Array, 4, 8, 4, (uint)MapFlags.BPF_F_RDONLY);

        Assert.Equal(Errno.None, Backend.Dup(fd, out int copy));
        Assert.Equal(Errno.None, Backend.Close(fd));

        Assert.NotEqual(fd, copy);
        Assert.Equal(Errno.EPERM, Backend.Update(copy, 0, U64(1)));
        Assert.Equal(Errno.None, Backend.Lookup(copy, 0, 8).Err);
    }

    [SkippableFact]
    public void Dispose_ClosesEveryDescriptor()
    {
        RequireKernel();
        uint id;
        using (var backend = new LinuxBackend())
        {
            int fd = backend.CreateMap(MapType.Array, 4, 8, 1);
            Assert.Equal(Errno.None, backend.MapGetInfo(fd, out MapInfo info));
            id = info.Id;
            Assert.Equal(Errno.None, backend.Dup(fd, out _));
        }

        // With every user reference gone the map is freed (asynchronously) and its id stops resolving.
        SpinWait.SpinUntil(() => Backend.MapGetFdById(id, 0, out int fd) != Errno.None || Backend.Close(fd) != Errno.None,
            TimeSpan.FromSeconds(5));
        Assert.Equal(Errno.ENOENT, Backend.MapGetFdById(id, 0, out _));
    }

    [SkippableTheory]
    [InlineData("key one byte short", 3, 8)]
    [InlineData("value one byte short", 4, 7)]
    public void MapLookupElem_ShortSpan_EFAULTNothingWritten(string row, int keyBytes, int valueBytes)
    {
        int fd = Backend.CreateMap(MapType.Array, 4, 8, 4);
        byte[] value = new byte[valueBytes];
        Array.Fill(value, (byte)0xEE);

        Errno err = Backend.MapLookupElem(fd, new byte[keyBytes], value, 0);

        Assert.True(err == Errno.EFAULT, $"{row}: {err}");
        Assert.All(value, b => Assert.Equal(0xEE, b));
    }

    [SkippableFact]
    public void MapGetNextKey_ShortKeyIsAFaultNotNull()
    {
        int fd = Backend.CreateMap(MapType.Array, 4, 8, 4);

        Assert.Equal(Errno.EFAULT, Backend.MapGetNextKey(fd, new byte[2], new byte[4]));
    }

    [SkippableFact]
    public void MapUpdateElem_ShortValueOnFrozenMap_EPERMAsTheKernelChecksFirst()
    {
        int fd = Backend.CreateMap(MapType.Array, 4, 8, 4);
        Assert.Equal(Errno.None, Backend.MapFreeze(fd));

        Assert.Equal(Errno.EPERM, Backend.MapUpdateElem(fd, U32(0), new byte[4], 0));
    }

    [SkippableFact]
    public void MapLookupBatch_KeysShorterThanCount_EFAULT()
    {
        int fd = Backend.CreateMap(MapType.Array, 4, 8, 10);
        uint n = 4;

        Errno err = Backend.MapLookupBatch(fd, default, new byte[4], new byte[15], new byte[32], ref n, 0, 0);

        Assert.Equal((Errno.EFAULT, 0u), (err, n));
    }

    [SkippableFact]
    public void MapCommands_NotAnFd_EBADF()
    {
        Assert.Equal(Errno.EBADF, Backend.Lookup(100_000, 0, 8).Err);
        Assert.Equal(Errno.EBADF, Backend.MapFreeze(100_000));
    }

    [SkippableFact]
    public void MapGetInfo_NotAnFd_EBADFD()
    {
        // BPF_OBJ_GET_INFO_BY_FD is the one command that answers a closed fd with EBADFD (77), not EBADF.
        Assert.Equal(Errno.EBADFD, Backend.MapGetInfo(100_000, out _));
        Assert.Equal(Errno.EBADFD, Backend.ProgGetInfo(100_000, out _));
    }
}
