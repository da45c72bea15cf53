using System.Globalization;
using SharpBpf.Runtime.Cgroups;

namespace SharpBpf.Runtime.Tests.Cgroups;

/// <summary>
/// A uniquely named cgroup directory created by a test under the real cgroup v2 mount, removed (children first)
/// when disposed. Creating one needs a cgroup v2 hierarchy mounted at its root and the right to mkdir in it (root).
/// </summary>
internal sealed class CgroupSandbox : IDisposable
{
    private readonly List<string> _created = [];

    private CgroupSandbox(CgroupMount mount)
    {
        Mount = mount;
        Name = "sharpbpf-test-" + Guid.NewGuid().ToString("N")[..12];
        Directory = Path.Join(mount.MountPoint, Name);
        Create(Directory);
    }

    public CgroupMount Mount { get; }

    public string Name { get; }

    /// <summary>The sandbox's own cgroup directory.</summary>
    public string Directory { get; }

    /// <summary>The cgroup the test process is in (its <c>0::</c> path), or null.</summary>
    public static string? ProcessCgroup =>
        File.Exists("/proc/self/cgroup") ? CgroupV2.ParseUnifiedPath(File.ReadAllText("/proc/self/cgroup")) : null;

    /// <summary>Creates a sandbox, or skips the test with the one-line reason it cannot run here.</summary>
    public static CgroupSandbox CreateOrSkip()
    {
        var mount = CgroupV2.FindMounts().FirstOrDefault(m => m.Root == "/");
        Skip.If(mount is null, "no cgroup v2 hierarchy is mounted here");
        try
        {
            return new CgroupSandbox(mount!);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            Skip.If(true, $"cannot create a cgroup under {mount!.MountPoint}: {e.Message}");
            throw;
        }
    }

    /// <summary>Creates a child cgroup (relative to the sandbox) and returns its directory.</summary>
    public string CreateChild(string relative)
    {
        string dir = Path.Join(Directory, relative);
        Create(dir);
        return dir;
    }

    /// <summary>Makes a sandbox cgroup threaded so single threads can move into it (cgroup.type = threaded).</summary>
    public static void MakeThreaded(string dir) => File.WriteAllText(Path.Join(dir, "cgroup.type"), "threaded");

    /// <summary>Moves the calling thread (alone) into the cgroup at <paramref name="dir"/>.</summary>
    public static void MoveCurrentThread(string dir) =>
        File.WriteAllText(Path.Join(dir, "cgroup.threads"), CurrentTid().ToString(CultureInfo.InvariantCulture));

    /// <summary>The calling thread's kernel thread id, from the /proc/thread-self link ("pid/task/tid").</summary>
    public static int CurrentTid()
    {
        string target = new FileInfo("/proc/thread-self").LinkTarget ?? throw new InvalidOperationException("no /proc/thread-self");
        return int.Parse(target[(target.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>Removes a cgroup the test created (rmdir), before the sandbox does.</summary>
    public void Remove(string dir)
    {
        System.IO.Directory.Delete(dir);
        _created.Remove(dir);
    }

    /// <summary>Runs <paramref name="body"/> on a new thread, so moving that thread between cgroups touches nothing else.</summary>
    public static void OnDedicatedThread(Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
            throw new AggregateException(failure);
    }

    public void Dispose()
    {
        for (int i = _created.Count - 1; i >= 0; i--)
        {
            // A thread that just left a cgroup may take a moment to be accounted out of it: retry briefly.
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    System.IO.Directory.Delete(_created[i]);
                    break;
                }
                catch (IOException) when (attempt < 50)
                {
                    Thread.Sleep(20);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    break;
                }
            }
        }
    }

    private void Create(string dir)
    {
        System.IO.Directory.CreateDirectory(dir);
        _created.Add(dir);
    }
}
