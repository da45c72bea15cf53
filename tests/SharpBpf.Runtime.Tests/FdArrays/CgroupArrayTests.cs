using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Runtime.Tests.Cgroups;
using SharpBpf.Runtime.Tests.Programs;
using static SharpBpf.Runtime.Tests.Programs.ProgramAsm;

namespace SharpBpf.Runtime.Tests.FdArrays;

/// <summary>CGROUP_ARRAY and <c>bpf_current_task_under_cgroup</c> against spec F, on real cgroup v2 directories.</summary>
public class CgroupArrayTests
{
    private static Instruction[] UnderCgroup(int mapFd, ulong index) =>
        [.. LdMapFd(R1, mapFd), .. Lddw(R2, index), Call(37), Exit()];

    [SkippableFact]
    public void Update_CgroupDirectoriesAccepted_OtherFdsEbadf_F_u()
    {
        using var sandbox = CgroupSandbox.CreateOrSkip();
        using var kit = new ProgramTestKit();
        var map = kit.CreateMap(MapType.CgroupArray, 4, 4);
        var child = sandbox.CreateChild("c");
        Errno Put(uint i, int fd, ulong flags = 0) =>
            kit.Backend.MapUpdateElem(map, ProgramTestKit.Key(i), BitConverter.GetBytes(fd), flags);

        Assert.Equal(Errno.None, kit.Backend.CgroupOpen(sandbox.Mount.MountPoint, out var root));
        Assert.Equal(Errno.None, kit.Backend.CgroupOpen(child, out var childFd));
        Assert.Equal(Errno.EBADF, kit.Backend.CgroupOpen("/tmp", out _));
        Assert.Equal(Errno.EBADF, kit.Backend.CgroupOpen(Path.Join(child, "cgroup.procs"), out _));

        Assert.Equal(Errno.None, Put(0, root));
        Assert.Equal(Errno.None, Put(1, childFd));
        Assert.Equal(Errno.EBADF, Put(2, map));
        Assert.Equal(Errno.EBADF, Put(2, 9999));
        Assert.Equal(Errno.EINVAL, Put(2, root, 1));
        Assert.Equal(Errno.E2BIG, Put(4, root));
        Assert.Equal(Errno.ENOTSUPP, kit.Backend.MapLookupElem(map, ProgramTestKit.Key(0), new byte[4], 0));
        Assert.Equal(Errno.None, kit.Backend.MapDeleteElem(map, ProgramTestKit.Key(1), 0));
        Assert.Equal(Errno.ENOENT, kit.Backend.MapDeleteElem(map, ProgramTestKit.Key(1), 0));
        Assert.Equal(Errno.E2BIG, kit.Backend.MapDeleteElem(map, ProgramTestKit.Key(4), 0));
    }

    [SkippableFact]
    public void CurrentTaskUnderCgroup_ThreadMovedThroughCgroups_SpecF1Table()
    {
        using var sandbox = CgroupSandbox.CreateOrSkip();
        var child = sandbox.CreateChild("child");
        CgroupSandbox.MakeThreaded(sandbox.Directory);
        CgroupSandbox.MakeThreaded(child);
        using var kit = new ProgramTestKit();
        var map = kit.CreateMap(MapType.CgroupArray, 4, 4);
        var dirs = new[] { sandbox.Mount.MountPoint, sandbox.Directory, child };
        for (var i = 0; i < dirs.Length; i++)
        {
            Assert.Equal(Errno.None, kit.Backend.CgroupOpen(dirs[i], out var fd));
            Assert.Equal(Errno.None, kit.Backend.MapUpdateElem(map, ProgramTestKit.Key((uint)i), BitConverter.GetBytes(fd), 0));
        }

        var progs = new ulong[] { 0, 1, 2, 3, 4, 0xffff_ffff }.Select(i => kit.LoadRawTp(UnderCgroup(map, i))).ToArray();
        var rows = new List<int[]>();
        CgroupSandbox.OnDedicatedThread(() =>
        {
            void Row() => rows.Add([.. progs.Select(p => (int)kit.RunOnCpu(p, 0))]);
            try
            {
                CgroupSandbox.MoveCurrentThread(sandbox.Directory);
                Row();
                CgroupSandbox.MoveCurrentThread(child);
                Row();
            }
            finally
            {
                CgroupSandbox.MoveCurrentThread(sandbox.Mount.MountPoint);
            }

            Row();
        });

        Assert.Equal([1, 1, 0, -11, -7, -7], rows[0]);
        Assert.Equal([1, 1, 1, -11, -7, -7], rows[1]);
        Assert.Equal([1, 0, 0, -11, -7, -7], rows[2]);
    }
}
