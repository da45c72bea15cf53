using System.Text;
using Microsoft.Win32.SafeHandles;

namespace SharpBpf.Runtime.Cgroups;

/// <summary>
/// A reference to one cgroup v2 cgroup: what a <c>CGROUP_ARRAY</c> slot holds. Obtained from
/// <see cref="CgroupV2.TryOpen(string, out CgroupRef?)"/>.
/// </summary>
/// <remarks>
/// <para>Identity. The kernel's reference is to the cgroup object, not to its name. Without P/Invoke a directory
/// cannot be opened from .NET, so the reference holds an open handle on the cgroup's <c>cgroup.controllers</c> file
/// (present in every cgroup v2 directory, the root included) as its anchor: it is bound to that cgroup for as long
/// as the handle is open. cgroup v2 refuses renames (<c>EPERM</c>), so <see cref="Path"/> names the cgroup for its
/// whole life; once the cgroup is removed, reads of the anchor fail (<c>ENODEV</c>) and <see cref="IsRemoved"/> turns
/// true, so a new cgroup created later under the same name is never mistaken for this one.
/// <see cref="AnchorInode"/> is the anchor file's inode (from <c>/proc/self/fdinfo</c>), an identity within the
/// hierarchy; it is not the kernel's cgroup id (the directory's inode), which needs a directory fd.</para>
/// <para>Lifetime: reference counted like <see cref="Perf.PerfEvent"/>: the creator's reference goes with
/// <see cref="Dispose"/>, other holders use <see cref="TryAddRef"/> / <see cref="Release"/>; the anchor closes with
/// the last one.</para>
/// </remarks>
public sealed class CgroupRef : IDisposable
{
    private readonly SafeFileHandle _anchor;
    private readonly byte[] _pathUtf8;
    private int _refs = 1;
    private int _creatorReleased;
    private int _removed;

    internal CgroupRef(SafeFileHandle anchor, CgroupMount mount, string path, string directory, ulong anchorInode)
    {
        _anchor = anchor;
        Mount = mount;
        Path = path;
        DirectoryPath = directory;
        AnchorInode = anchorInode;
        _pathUtf8 = Encoding.UTF8.GetBytes(path);
    }

    /// <summary>The cgroup v2 mount the cgroup was opened through.</summary>
    public CgroupMount Mount { get; }

    /// <summary>The cgroup's path in the hierarchy as <c>/proc/*/cgroup</c> shows it: <c>/</c> for the root, <c>/a/b</c> below.</summary>
    public string Path { get; }

    /// <summary>The cgroup's directory in the file system, e.g. <c>/sys/fs/cgroup/unified/a/b</c>.</summary>
    public string DirectoryPath { get; }

    /// <summary>The inode of the anchor file (<c>cgroup.controllers</c>); 0 where <c>/proc/self/fdinfo</c> has no <c>ino</c> (before Linux 5.14).</summary>
    public ulong AnchorInode { get; }

    /// <summary>The current number of references.</summary>
    public int ReferenceCount => Volatile.Read(ref _refs);

    /// <summary>Whether the cgroup has been removed (<c>rmdir</c>). Once true it stays true.</summary>
    public bool IsRemoved
    {
        get
        {
            if (Volatile.Read(ref _removed) != 0)
                return true;
            if (IsAnchorAlive())
                return false;
            Volatile.Write(ref _removed, 1);
            return true;
        }
    }

    internal ReadOnlySpan<byte> PathUtf8 => _pathUtf8;

    /// <summary>Whether <paramref name="cgroupPath"/> (a path as <c>/proc/*/cgroup</c> shows it) is this cgroup or below it.</summary>
    public bool Contains(string cgroupPath)
    {
        ArgumentNullException.ThrowIfNull(cgroupPath);
        return CgroupV2.IsSameOrDescendant(cgroupPath, Path);
    }

    /// <summary>Takes a reference unless the last one is already gone.</summary>
    public bool TryAddRef()
    {
        int refs = Volatile.Read(ref _refs);
        while (refs > 0)
        {
            int seen = Interlocked.CompareExchange(ref _refs, refs + 1, refs);
            if (seen == refs)
                return true;
            refs = seen;
        }
        return false;
    }

    /// <summary>Gives back a reference; the last one closes the anchor.</summary>
    /// <exception cref="InvalidOperationException">More releases than references (a bug in the caller).</exception>
    public void Release()
    {
        int refs = Interlocked.Decrement(ref _refs);
        if (refs == 0)
            _anchor.Dispose();
        else if (refs < 0)
            throw new InvalidOperationException($"cgroup '{Path}' was released more often than referenced.");
    }

    /// <summary>Gives up the creator's reference (once; later calls do nothing).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _creatorReleased, 1) == 0)
            Release();
    }

    /// <inheritdoc />
    public override string ToString() => $"cgroup {Path} ({DirectoryPath})";

    private bool IsAnchorAlive()
    {
        bool added = false;
        try
        {
            _anchor.DangerousAddRef(ref added);
            Span<byte> probe = stackalloc byte[256];
            RandomAccess.Read(_anchor, probe, 0);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            // The last reference is gone: nothing can tell any more, and nothing should be asking.
            return false;
        }
        finally
        {
            if (added)
                _anchor.DangerousRelease();
        }
    }
}
