using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;
using SharpBpf.Abi;

namespace SharpBpf.Runtime.Cgroups;

/// <summary>
/// The cgroup v2 facts the userspace runtime needs for <c>CGROUP_ARRAY</c> and <c>bpf_current_task_under_cgroup</c>,
/// read from <c>/proc</c> and the cgroup file system with ordinary file APIs (no P/Invoke): where the hierarchy is
/// mounted, whether a path or an open handle is a cgroup v2 directory, and which cgroup the calling thread is in.
/// </summary>
public static class CgroupV2
{
    /// <summary>The file every cgroup v2 directory has, the root included, and no cgroup v1 directory has.</summary>
    internal const string AnchorFile = "cgroup.controllers";

    private const string MountInfoPath = "/proc/self/mountinfo";
    private const string ThreadCgroupPath = "/proc/thread-self/cgroup";

    // Per thread, because /proc/thread-self resolves to the thread that opens it. seq_file regenerates the text on
    // every read from offset 0, so one open handle answers for the thread's whole life.
    [ThreadStatic]
    private static SafeFileHandle? t_threadCgroup;

    /// <summary>The cgroup v2 mounts of this process; empty where there is no cgroup v2 hierarchy (or no /proc).</summary>
    public static IReadOnlyList<CgroupMount> FindMounts()
    {
        string text;
        try
        {
            text = File.ReadAllText(MountInfoPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        return ParseMounts(text);
    }

    /// <summary>The cgroup v2 mounts listed in <paramref name="mountInfo"/> (the text of a <c>/proc/*/mountinfo</c>).</summary>
    public static IReadOnlyList<CgroupMount> ParseMounts(string mountInfo)
    {
        ArgumentNullException.ThrowIfNull(mountInfo);
        return [.. MountInfo.Parse(mountInfo)
            .Where(e => e.FsType == "cgroup2")
            .Select(e => new CgroupMount(e.MountId, e.MountPoint, e.Root))];
    }

    /// <summary>
    /// Opens a reference to the cgroup v2 directory at <paramref name="path"/>.
    /// </summary>
    /// <returns><see cref="Errno.None"/>, or <see cref="Errno.EBADF"/> for anything that is not a directory of a cgroup
    /// v2 hierarchy (a file, a plain directory, a cgroup v1 directory, a cgroup's control file, a missing path, or any
    /// path where there is no cgroup v2 hierarchy), as <c>CGROUP_ARRAY</c> updates answer for such fds.</returns>
    public static Errno TryOpen(string path, out CgroupRef? cgroup)
    {
        ArgumentNullException.ThrowIfNull(path);
        cgroup = null;
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
            return Errno.EBADF;
        return TryOpenAnchor(System.IO.Path.Join(path, AnchorFile), out cgroup);
    }

    /// <summary>
    /// Opens a reference to the cgroup v2 directory that the open handle <paramref name="directory"/> refers to
    /// (an <c>O_DIRECTORY</c> fd, as the Linux backend or a descriptor table hands it over). The cgroup is found
    /// through <c>/proc/self/fd</c>, so it is the handle's directory even if a path to it changed meanwhile.
    /// </summary>
    /// <returns>As <see cref="TryOpen(string, out CgroupRef?)"/>; a closed or invalid handle is <see cref="Errno.EBADF"/> too.</returns>
    public static Errno TryOpen(SafeFileHandle directory, out CgroupRef? cgroup)
    {
        ArgumentNullException.ThrowIfNull(directory);
        cgroup = null;
        if (directory.IsInvalid || directory.IsClosed)
            return Errno.EBADF;
        bool added = false;
        try
        {
            directory.DangerousAddRef(ref added);
            long fd = directory.DangerousGetHandle();
            return TryOpenAnchor($"/proc/self/fd/{fd.ToString(CultureInfo.InvariantCulture)}/{AnchorFile}", out cgroup);
        }
        catch (ObjectDisposedException)
        {
            return Errno.EBADF;
        }
        finally
        {
            if (added)
                directory.DangerousRelease();
        }
    }

    /// <summary>
    /// Whether the calling thread is in <paramref name="cgroup"/> or one of its descendants, from
    /// <c>/proc/thread-self/cgroup</c>: what <c>bpf_current_task_under_cgroup</c> answers. A removed cgroup has no
    /// members, so the answer for it is <see cref="CgroupMembership.NotUnder"/>, as in the kernel.
    /// </summary>
    public static CgroupMembership GetCurrentThreadMembership(CgroupRef cgroup)
    {
        ArgumentNullException.ThrowIfNull(cgroup);
        byte[]? rented = null;
        try
        {
            Span<byte> buffer = stackalloc byte[4096];
            int length = ReadThreadCgroupFile(ref buffer, ref rented);
            if (length < 0 || !TryFindUnifiedPath(buffer[..length], out var threadPath))
                return CgroupMembership.Unavailable;
            if (!IsSameOrDescendant(threadPath, cgroup.PathUtf8))
                return CgroupMembership.NotUnder;

            // Only a match needs the liveness check: a removed cgroup's name may have been reused.
            return cgroup.IsRemoved ? CgroupMembership.NotUnder : CgroupMembership.Under;
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Whether the calling thread is in <paramref name="cgroup"/> or below it (false when that cannot be read).</summary>
    public static bool IsCurrentThreadUnder(CgroupRef cgroup) =>
        GetCurrentThreadMembership(cgroup) == CgroupMembership.Under;

    /// <summary>
    /// The calling thread's cgroup v2 path (the <c>0::</c> line of <c>/proc/thread-self/cgroup</c>), or null where it
    /// cannot be read.
    /// </summary>
    public static string? GetCurrentThreadCgroupPath()
    {
        byte[]? rented = null;
        try
        {
            Span<byte> buffer = stackalloc byte[4096];
            int length = ReadThreadCgroupFile(ref buffer, ref rented);
            return length >= 0 && TryFindUnifiedPath(buffer[..length], out var path) ? Encoding.UTF8.GetString(path) : null;
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The cgroup v2 path in the text of a <c>/proc/*/cgroup</c> file: the path of its <c>0::</c> line, or null if it
    /// has none.
    /// </summary>
    public static string? ParseUnifiedPath(string procCgroup)
    {
        ArgumentNullException.ThrowIfNull(procCgroup);
        var bytes = Encoding.UTF8.GetBytes(procCgroup);
        return TryFindUnifiedPath(bytes, out var path) ? Encoding.UTF8.GetString(path) : null;
    }

    /// <summary>
    /// Whether the cgroup at <paramref name="path"/> is <paramref name="ancestor"/> or below it, both written as
    /// <c>/proc/*/cgroup</c> writes them (<c>/</c> is the root; no trailing slash otherwise). Component-wise:
    /// <c>/ab</c> is not below <c>/a</c>.
    /// </summary>
    public static bool IsSameOrDescendant(string path, string ancestor)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(ancestor);
        return IsSameOrDescendant(Encoding.UTF8.GetBytes(path), Encoding.UTF8.GetBytes(ancestor));
    }

    internal static bool IsSameOrDescendant(ReadOnlySpan<byte> path, ReadOnlySpan<byte> ancestor)
    {
        if (ancestor.IsEmpty)
            return false;
        if (ancestor.Length == 1 && ancestor[0] == (byte)'/')
            return path.Length > 0 && path[0] == (byte)'/';
        if (!path.StartsWith(ancestor))
            return false;
        return path.Length == ancestor.Length || path[ancestor.Length] == (byte)'/';
    }

    private static bool TryFindUnifiedPath(ReadOnlySpan<byte> text, out ReadOnlySpan<byte> path)
    {
        // Lines are "hierarchy-id:controllers:path"; the cgroup v2 one is "0::path".
        while (!text.IsEmpty)
        {
            int end = text.IndexOf((byte)'\n');
            var line = end < 0 ? text : text[..end];
            if (line.StartsWith("0::"u8))
            {
                path = line[3..];
                return !path.IsEmpty;
            }
            text = end < 0 ? default : text[(end + 1)..];
        }
        path = default;
        return false;
    }

    /// <summary>Reads the calling thread's cgroup file into <paramref name="buffer"/> (growing it from the pool if needed); -1 on failure.</summary>
    private static int ReadThreadCgroupFile(ref Span<byte> buffer, ref byte[]? rented)
    {
        try
        {
            var handle = t_threadCgroup ??= File.OpenHandle(ThreadCgroupPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            while (true)
            {
                int length = 0;
                while (length < buffer.Length)
                {
                    int n = RandomAccess.Read(handle, buffer[length..], length);
                    if (n == 0)
                        return length;
                    length += n;
                }
                // The text did not fit: read it again into a buffer twice as big.
                if (rented is not null)
                    ArrayPool<byte>.Shared.Return(rented);
                rented = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                buffer = rented;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    private static Errno TryOpenAnchor(string anchorPath, out CgroupRef? cgroup)
    {
        cgroup = null;
        SafeFileHandle anchor;
        try
        {
            anchor = File.OpenHandle(anchorPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // Missing (a plain or cgroup v1 directory), ENOTDIR (a file or device), EACCES, a bad path: not a cgroup v2 directory.
            return Errno.EBADF;
        }

        var errno = Describe(anchor, out var mount, out string? directory, out ulong inode);
        if (errno != Errno.None)
        {
            anchor.Dispose();
            return errno;
        }
        string relative = directory![mount!.MountPoint.TrimEnd('/').Length..];
        string path = JoinCgroupPath(mount.Root, relative);
        cgroup = new CgroupRef(anchor, mount, path, directory, inode);
        return Errno.None;
    }

    /// <summary>Finds which cgroup v2 mount and directory an opened anchor file lives in.</summary>
    private static Errno Describe(SafeFileHandle anchor, out CgroupMount? mount, out string? directory, out ulong inode)
    {
        mount = null;
        directory = null;
        inode = 0;
        string fd = anchor.DangerousGetHandle().ToString(CultureInfo.InvariantCulture);
        int mountId = -1;
        string? target;
        try
        {
            foreach (var line in File.ReadLines($"/proc/self/fdinfo/{fd}"))
            {
                if (line.StartsWith("mnt_id:", StringComparison.Ordinal))
                    _ = int.TryParse(line.AsSpan(7).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out mountId);
                else if (line.StartsWith("ino:", StringComparison.Ordinal))
                    _ = ulong.TryParse(line.AsSpan(4).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out inode);
            }
            target = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Errno.EBADF;
        }

        // The file system of the opened file, by mount id: a file that merely has the anchor's name elsewhere, or
        // any path on a cgroup v1 or other mount, is rejected here.
        mount = FindMounts().FirstOrDefault(m => m.MountId == mountId);
        if (mount is null || target is null || !target.EndsWith("/" + AnchorFile, StringComparison.Ordinal))
            return Errno.EBADF;
        directory = target[..^(AnchorFile.Length + 1)];
        if (directory.Length == 0)
            directory = "/";
        string mountPoint = mount.MountPoint.TrimEnd('/');
        if (!IsSameOrDescendant(directory, mountPoint.Length == 0 ? "/" : mountPoint))
            return Errno.EBADF;
        return Errno.None;
    }

    private static string JoinCgroupPath(string root, string relative)
    {
        string joined = root.TrimEnd('/') + relative;
        return joined.Length == 0 ? "/" : joined;
    }
}
