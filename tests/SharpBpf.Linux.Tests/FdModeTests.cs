using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Linux.Tests.Support;
using static SharpBpf.Linux.Tests.Support.BackendExtensions;

namespace SharpBpf.Linux.Tests;

/// <summary>Spec A.r and B.p: what an fd's access mode allows, whichever way the fd was opened.</summary>
public sealed class FdModeTests : KernelTestBase
{
    private const uint RDONLY = (uint)MapFlags.BPF_F_RDONLY, WRONLY = (uint)MapFlags.BPF_F_WRONLY;

    [SkippableFact]
    public void MapCommands_CreatedRdonly_UpdateAndFreezeEPERMLookupOk() // A.r RDONLY
    {
        int fd = Backend.CreateMap(MapType.Array, 4, 8, 4, RDONLY);

        Assert.Equal(Errno.EPERM, Backend.Update(fd, 0, U64(1)));
        Assert.Equal(Errno.None, Backend.Lookup(fd, 0, 8).Err);
        Assert.Equal(Errno.EPERM, Backend.MapFreeze(fd));
    }

    [SkippableFact]
    public void MapCommands_CreatedWronly_LookupAndGetNextKeyEPERMUpdateOk() // A.r WRONLY
    {
        int fd = Backend.CreateMap(MapType.Array, 4, 8, 4, WRONLY);

        Assert.Equal(Errno.None, Backend.Update(fd, 0, U64(1)));
        Assert.Equal(Errno.EPERM, Backend.Lookup(fd, 0, 8).Err);
        Assert.Equal(Errno.EPERM, Backend.NextKey(fd, null).Err);
    }

    [SkippableTheory]
    [InlineData("B.p RDONLY fd", RDONLY, Errno.None, Errno.EPERM, Errno.None)]
    [InlineData("B.p WRONLY fd", WRONLY, Errno.None, Errno.None, Errno.EPERM)]
    [InlineData("B.p RDONLY|WRONLY", RDONLY | WRONLY, Errno.EINVAL, Errno.None, Errno.None)]
    [InlineData("B.p unknown bit 1<<5", 1u << 5, Errno.EINVAL, Errno.None, Errno.None)]
    public void MapGetFdById_OpenFlags_GiveThatMode(string row, uint openFlags, Errno open, Errno update, Errno lookup)
    {
        int created = Backend.CreateMap(MapType.Array, 4, 8, 4);
        Assert.Equal(Errno.None, Backend.MapGetInfo(created, out MapInfo info));

        Errno err = Backend.MapGetFdById(info.Id, openFlags, out int fd);

        Assert.True(open == err, $"{row}: open expected {open}, got {err}");
        if (err != Errno.None)
            return;
        Assert.True(update == Backend.Update(fd, 0, U64(1)), $"{row}: update");
        Assert.True(lookup == Backend.Lookup(fd, 0, 8).Err, $"{row}: lookup");
    }

    [SkippableFact]
    public void MapGetNextId_FromZero_ReachesAMapJustCreated()
    {
        int fd = Backend.CreateMap(MapType.Array, 4, 8, 4);
        Assert.Equal(Errno.None, Backend.MapGetInfo(fd, out MapInfo info));

        var seen = new List<uint>();
        uint id = 0;
        Errno err;
        while ((err = Backend.MapGetNextId(id, out uint next)) == Errno.None)
        {
            Assert.True(next > id);
            seen.Add(id = next);
        }

        Assert.Equal(Errno.ENOENT, err); // past the last id
        Assert.Contains(info.Id, seen);
    }
}
