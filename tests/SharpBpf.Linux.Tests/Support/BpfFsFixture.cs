using System.Diagnostics;

namespace SharpBpf.Linux.Tests.Support;

/// <summary>
/// Makes sure a bpffs is mounted at <c>/sys/fs/bpf</c> (mounting it when missing and running as root) and gives the
/// tests a private directory in it, removed afterwards with whatever was left pinned there.
/// </summary>
public sealed class BpfFsFixture : IDisposable
{
    public const string Root = "/sys/fs/bpf";

    public BpfFsFixture()
    {
        if (!LinuxBackend.IsSupported(out _))
        {
            Unavailable = "bpf(2) is not usable";
            return;
        }

        if (!IsBpfFsMounted() && Environment.IsPrivilegedProcess)
            Mount();
        if (!IsBpfFsMounted())
        {
            Unavailable = $"no bpffs at {Root} (and not root, so it was not mounted)";
            return;
        }

        Directory = Path.Combine(Root, $"sharpbpf-tests-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>Why pinning cannot be tested here, or null.</summary>
    public string? Unavailable { get; }

    /// <summary>A fresh directory on bpffs for this test class.</summary>
    public string Directory { get; } = "";

    public void Dispose()
    {
        if (Directory.Length == 0 || !System.IO.Directory.Exists(Directory))
            return;
        foreach (string pin in System.IO.Directory.EnumerateFileSystemEntries(Directory))
            File.Delete(pin); // unlink drops the pin's reference
        System.IO.Directory.Delete(Directory);
    }

    private static bool IsBpfFsMounted() =>
        File.ReadLines("/proc/self/mounts").Any(line =>
        {
            string[] fields = line.Split(' ');
            return fields.Length > 2 && fields[1] == Root && fields[2] == "bpf";
        });

    private static void Mount()
    {
        using var mount = Process.Start(new ProcessStartInfo("mount", ["-t", "bpf", "bpf", Root])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        });
        mount?.WaitForExit();
    }
}
