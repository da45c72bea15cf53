using Microsoft.Win32.SafeHandles;
using SharpBpf.Abi;
using SharpBpf.Runtime.Cgroups;

namespace SharpBpf.Runtime.Tests.Cgroups;

/// <summary>
/// Against the real cgroup v2 hierarchy, with cgroups the tests create (spec F: which fds a CGROUP_ARRAY accepts,
/// and F.1: bpf_current_task_under_cgroup's answer for the calling thread). Skipped with a reason where there is no
/// cgroup v2 mount or no right to create cgroups.
/// </summary>
public class CgroupV2FileSystemTests
{
    [SkippableFact]
    public void TryOpen_RootChildGrandchild_NoneWithHierarchyPaths()
    {
        using var sandbox = CgroupSandbox.CreateOrSkip();
        string child = sandbox.CreateChild("child");

        Assert.Equal(Errno.None, CgroupV2.TryOpen(sandbox.Mount.MountPoint, out var root));
        Assert.Equal(Errno.None, CgroupV2.TryOpen(sandbox.Directory, out var parent));
        Assert.Equal(Errno.None, CgroupV2.TryOpen(child + "/", out var grandchild));
        using (root)
        using (parent)
        using (grandchild)
        {
            Assert.Equal("/", root!.Path);
            Assert.Equal("/" + sandbox.Name, parent!.Path);
            Assert.Equal($"/{sandbox.Name}/child", grandchild!.Path);
            Assert.Equal(child, grandchild.DirectoryPath);
            Assert.Equal(sandbox.Mount, grandchild.Mount);
            Assert.False(grandchild.IsRemoved);
            Assert.NotEqual(parent.AnchorInode, grandchild.AnchorInode);
            Assert.True(parent.Contains(grandchild.Path));
            Assert.False(grandchild.Contains(parent.Path));
        }
    }

    [SkippableFact]
    public void TryOpen_NotACgroupV2Directory_Ebadf()
    {
        // Spec F.u4 - F.u7: /dev/null, a plain directory, a cgroup v1 directory, a cgroup's control file; plus a
        // missing path and a plain directory holding a file named like the anchor.
        using var sandbox = CgroupSandbox.CreateOrSkip();
        string fake = Directory.CreateTempSubdirectory("sharpbpf-fake-cgroup").FullName;
        try
        {
            File.WriteAllText(Path.Join(fake, "cgroup.controllers"), "cpu io memory\n");
            var paths = new List<string>
            {
                "/dev/null",
                "/tmp",
                Path.Join(sandbox.Directory, "cgroup.procs"),
                Path.Join(sandbox.Directory, "no-such-cgroup"),
                fake,
                "",
            };
            var v1 = File.ReadAllLines("/proc/self/mountinfo")
                .Select(l => l.Split(' '))
                .FirstOrDefault(f => f.Length > 8 && f[^3] == "cgroup");
            if (v1 is not null)
                paths.Add(v1[4]);

            foreach (string path in paths)
            {
                var errno = CgroupV2.TryOpen(path, out var cgroup);
                Assert.True(errno == Errno.EBADF, $"'{path}': {errno}");
                Assert.Null(cgroup);
            }
        }
        finally
        {
            Directory.Delete(fake, recursive: true);
        }
    }

    [SkippableFact]
    public void TryOpen_HandleOfAFileOrClosedHandle_Ebadf()
    {
        // Spec F.u4, F.u7, F.u8: fds of /dev/null, of cgroup.procs, and a closed fd.
        using var sandbox = CgroupSandbox.CreateOrSkip();
        using var devNull = File.OpenHandle("/dev/null");
        using var procs = File.OpenHandle(Path.Join(sandbox.Directory, "cgroup.procs"));
        var closed = File.OpenHandle("/dev/null");
        closed.Dispose();

        Assert.Equal(Errno.EBADF, CgroupV2.TryOpen(devNull, out _));
        Assert.Equal(Errno.EBADF, CgroupV2.TryOpen(procs, out _));
        Assert.Equal(Errno.EBADF, CgroupV2.TryOpen(closed, out _));
        using var invalid = new SafeFileHandle(-1, ownsHandle: false);
        Assert.Equal(Errno.EBADF, CgroupV2.TryOpen(invalid, out _));
    }

    [SkippableFact]
    public void TryOpen_DirectoryHandle_FindsThatCgroup()
    {
        // .NET cannot open a directory handle without P/Invoke, but a directory enumeration holds one: borrow it,
        // found through /proc/self/fd, as the Linux backend would hand over an O_DIRECTORY fd.
        using var sandbox = CgroupSandbox.CreateOrSkip();
        string child = sandbox.CreateChild("by-handle");
        using var enumerator = Directory.EnumerateFileSystemEntries(child).GetEnumerator();
        Assert.True(enumerator.MoveNext());
        var fd = Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .FirstOrDefault(link => new FileInfo(link).LinkTarget == child);
        Skip.If(fd is null, "this runtime's directory enumeration keeps no fd open");
        using var handle = new SafeFileHandle(nint.Parse(Path.GetFileName(fd!), System.Globalization.CultureInfo.InvariantCulture), ownsHandle: false);

        var errno = CgroupV2.TryOpen(handle, out var cgroup);

        Assert.Equal(Errno.None, errno);
        using (cgroup)
            Assert.Equal($"/{sandbox.Name}/by-handle", cgroup!.Path);
    }

    [SkippableFact]
    public void GetCurrentThreadMembership_ThreadMovedThroughTheSpecF1Cgroups_SpecF1Table()
    {
        // Spec F.r1 - F.r3: slots root, P, P/child; the task in root, then P, then P/child. Only this test's own
        // thread moves, into threaded cgroups (a thread can only move alone inside a threaded subtree, whose domain
        // is here the root cgroup, so the test process must be in the root).
        Skip.If(CgroupSandbox.ProcessCgroup != "/", $"the test process is in cgroup '{CgroupSandbox.ProcessCgroup}', not the root");
        using var sandbox = CgroupSandbox.CreateOrSkip();
        string child = sandbox.CreateChild("child");
        CgroupSandbox.MakeThreaded(sandbox.Directory);
        CgroupSandbox.MakeThreaded(child);
        Assert.Equal(Errno.None, CgroupV2.TryOpen(sandbox.Mount.MountPoint, out var slot0));
        Assert.Equal(Errno.None, CgroupV2.TryOpen(sandbox.Directory, out var slot1));
        Assert.Equal(Errno.None, CgroupV2.TryOpen(child, out var slot2));
        using (slot0)
        using (slot1)
        using (slot2)
        {
            var seen = new List<(string, CgroupMembership, CgroupMembership, CgroupMembership)>();
            CgroupSandbox.OnDedicatedThread(() =>
            {
                void Snapshot() => seen.Add((CgroupV2.GetCurrentThreadCgroupPath()!,
                    CgroupV2.GetCurrentThreadMembership(slot0!), CgroupV2.GetCurrentThreadMembership(slot1!),
                    CgroupV2.GetCurrentThreadMembership(slot2!)));
                try
                {
                    Snapshot();
                    CgroupSandbox.MoveCurrentThread(sandbox.Directory);
                    Snapshot();
                    CgroupSandbox.MoveCurrentThread(child);
                    Snapshot();
                }
                finally
                {
                    CgroupSandbox.MoveCurrentThread(sandbox.Mount.MountPoint);
                }
                Snapshot();
            });

            const CgroupMembership U = CgroupMembership.Under, N = CgroupMembership.NotUnder;
            Assert.Equal(
                [
                    ("/", U, N, N),
                    ("/" + sandbox.Name, U, U, N),
                    ($"/{sandbox.Name}/child", U, U, U),
                    ("/", U, N, N),
                ],
                seen);
        }
    }

    [SkippableFact]
    public void GetCurrentThreadMembership_CgroupRemovedAndNameReused_OldReferenceAnswersNotUnder()
    {
        // Spec F.r7: rmdir of a cgroup held in a slot succeeds and the slot then answers 0. A new cgroup with the same
        // name is another cgroup: the old reference must not claim the thread that moves into it.
        Skip.If(CgroupSandbox.ProcessCgroup != "/", $"the test process is in cgroup '{CgroupSandbox.ProcessCgroup}', not the root");
        using var sandbox = CgroupSandbox.CreateOrSkip();
        CgroupSandbox.MakeThreaded(sandbox.Directory);
        string dir = sandbox.CreateChild("reused");
        Assert.Equal(Errno.None, CgroupV2.TryOpen(dir, out var old));
        using (old)
        {
            sandbox.Remove(dir);
            Assert.True(old!.IsRemoved);
            sandbox.CreateChild("reused");
            CgroupSandbox.MakeThreaded(dir);
            Assert.Equal(Errno.None, CgroupV2.TryOpen(dir, out var current));
            using (current)
            {
                var answers = new List<CgroupMembership>();
                CgroupSandbox.OnDedicatedThread(() =>
                {
                    try
                    {
                        CgroupSandbox.MoveCurrentThread(dir);
                        answers.Add(CgroupV2.GetCurrentThreadMembership(old));
                        answers.Add(CgroupV2.GetCurrentThreadMembership(current!));
                    }
                    finally
                    {
                        CgroupSandbox.MoveCurrentThread(sandbox.Mount.MountPoint);
                    }
                });

                Assert.Equal([CgroupMembership.NotUnder, CgroupMembership.Under], answers);
                Assert.Equal(old.Path, current!.Path);
                Assert.NotEqual(old.AnchorInode, current.AnchorInode);
            }
        }
    }

    [SkippableFact]
    public void GetCurrentThreadCgroupPath_ThisThread_MatchesTheProcFile()
    {
        Skip.IfNot(File.Exists("/proc/thread-self/cgroup"), "no /proc/thread-self/cgroup");
        string? expected = CgroupV2.ParseUnifiedPath(File.ReadAllText("/proc/thread-self/cgroup"));
        Skip.If(expected is null, "this kernel has no cgroup v2 line in /proc/thread-self/cgroup");

        Assert.Equal(expected, CgroupV2.GetCurrentThreadCgroupPath());
    }

    [SkippableFact]
    public void Release_ExtraReferences_AnchorClosesWithTheLast()
    {
        using var sandbox = CgroupSandbox.CreateOrSkip();
        Assert.Equal(Errno.None, CgroupV2.TryOpen(sandbox.Directory, out var cgroup));
        Assert.True(cgroup!.TryAddRef());

        cgroup.Dispose();
        cgroup.Dispose();

        Assert.Equal(1, cgroup.ReferenceCount);
        Assert.False(cgroup.IsRemoved);
        cgroup.Release();
        Assert.Equal(0, cgroup.ReferenceCount);
        Assert.False(cgroup.TryAddRef());
    }
}
