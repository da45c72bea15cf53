using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Linux.Tests.Support;
using static SharpBpf.Linux.Tests.Support.BackendExtensions;

namespace SharpBpf.Linux.Tests;

/// <summary>BPF_OBJ_PIN / BPF_OBJ_GET on bpffs.</summary>
public sealed class PinTests(BpfFsFixture bpffs) : KernelTestBase, IClassFixture<BpfFsFixture>
{
    private string PinPath(string name)
    {
        Skip.If(bpffs.Unavailable is not null, bpffs.Unavailable);
        return Path.Combine(bpffs.Directory, name);
    }

    [SkippableFact]
    public void ObjPinObjGet_Map_SameMapAcrossDescriptors()
    {
        string path = PinPath("round_trip");
        int fd = Backend.CreateMap(MapType.Array, 4, 8, 4);
        Assert.Equal(Errno.None, Backend.Update(fd, 3, U64(77)));

        Assert.Equal(Errno.None, Backend.ObjPin(fd, path));
        Assert.Equal(Errno.None, Backend.Close(fd));
        Assert.Equal(Errno.None, Backend.ObjGet(path, 0, out int again));

        Assert.Equal(77ul, ReadU64(Backend.Lookup(again, 3, 8).Value));
        Assert.Equal(Errno.EEXIST, Backend.ObjPin(again, path)); // the name is taken
        Assert.Equal(Errno.None, Backend.ObjUnpin(path));
        Assert.Equal(Errno.ENOENT, Backend.ObjGet(path, 0, out _));
    }

    [SkippableTheory]
    [InlineData("B.p OBJ_GET RDONLY", (uint)MapFlags.BPF_F_RDONLY, Errno.None, Errno.EPERM, Errno.None)]
    [InlineData("B.p OBJ_GET WRONLY", (uint)MapFlags.BPF_F_WRONLY, Errno.None, Errno.None, Errno.EPERM)]
    [InlineData("B.p OBJ_GET RDONLY|WRONLY", (uint)(MapFlags.BPF_F_RDONLY | MapFlags.BPF_F_WRONLY), Errno.EINVAL, Errno.None, Errno.None)]
    public void ObjGet_FileFlags_GiveThatMode(string row, uint fileFlags, Errno open, Errno update, Errno lookup)
    {
        string path = PinPath("mode_" + fileFlags);
        int fd = Backend.CreateMap(MapType.Array, 4, 8, 4);
        Assert.Equal(Errno.None, Backend.ObjPin(fd, path));

        Errno err = Backend.ObjGet(path, fileFlags, out int opened);

        Assert.True(open == err, $"{row}: open expected {open}, got {err}");
        if (err == Errno.None)
        {
            Assert.True(update == Backend.Update(opened, 0, U64(1)), $"{row}: update");
            Assert.True(lookup == Backend.Lookup(opened, 0, 8).Err, $"{row}: lookup");
        }

        Assert.Equal(Errno.None, Backend.ObjUnpin(path));
    }

    [SkippableFact]
    public void ObjPin_Program_GetReturnsSameProgram()
    {
        string path = PinPath("prog");
        int prog = Backend.LoadProgram(ProgramType.SocketFilter, Insn.ReturnConstant(7));
        Assert.Equal(Errno.None, Backend.ObjPin(prog, path));

        Assert.Equal(Errno.None, Backend.ObjGet(path, 0, out int again));

        Assert.Equal(7u, Backend.Run(again).Retval);
        Assert.Equal(Errno.None, Backend.ObjUnpin(path));
    }
}
