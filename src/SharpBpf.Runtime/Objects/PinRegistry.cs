using SharpBpf.Abi;

namespace SharpBpf.Runtime.Objects;

/// <summary>
/// bpffs for the userspace runtime: objects pinned at paths under <see cref="Root"/>. A pin holds a user reference,
/// so a pinned map outlives all its descriptors, and unpinning drops it.
/// </summary>
/// <remarks>
/// Errors follow what the kernel returns for the same paths on a mounted bpffs (probed on Linux 6.18): a path
/// outside bpffs cannot be pinned (EPERM), an existing name gives EEXIST, a path under a pinned object ENOTDIR,
/// opening a directory EACCES, a missing name ENOENT. One difference: directories exist implicitly (there is no
/// <c>mkdir</c> here), so <c>/sys/fs/bpf/a/b</c> can be pinned without creating <c>a</c> first; a directory
/// exists while something is pinned below it. Thread-safe.
/// </remarks>
public sealed class PinRegistry
{
    /// <summary>The mount point of the (virtual) bpffs.</summary>
    public const string Root = "/sys/fs/bpf";

    private static readonly string[] s_rootParts = ["sys", "fs", "bpf"];

    private readonly Lock _lock = new();
    private readonly Dictionary<string, BpfObject> _pins = new(StringComparer.Ordinal);

    /// <summary>The pinned paths, sorted (a snapshot).</summary>
    public IReadOnlyList<string> Paths
    {
        get
        {
            lock (_lock)
            {
                var paths = _pins.Keys.Select(k => Root + k).ToList();
                paths.Sort(StringComparer.Ordinal);
                return paths;
            }
        }
    }

    /// <summary>Pins <paramref name="obj"/> at <paramref name="path"/>, taking a user reference (BPF_OBJ_PIN).</summary>
    public Errno Pin(BpfObject obj, string path)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var err = Normalize(path, out var key, out var inside);
        if (err != Errno.None)
            return err;
        if (!inside)
            return key is null ? Errno.EPERM : Errno.EEXIST;
        lock (_lock)
        {
            err = CheckParents(key!);
            if (err != Errno.None)
                return err;
            if (key!.Length == 0 || _pins.ContainsKey(key) || IsDirectory(key))
                return Errno.EEXIST;
            obj.AcquireUserReference();
            _pins.Add(key, obj);
            return Errno.None;
        }
    }

    /// <summary>
    /// Opens the object pinned at <paramref name="path"/> (BPF_OBJ_GET): on success the caller owns a new user
    /// reference on <paramref name="obj"/>.
    /// </summary>
    public Errno Get(string path, out BpfObject? obj)
    {
        obj = null;
        var err = Normalize(path, out var key, out var inside);
        if (err != Errno.None)
            return err;
        if (!inside)
            return key is null ? Errno.ENOENT : Errno.EACCES;
        lock (_lock)
        {
            err = CheckParents(key!);
            if (err != Errno.None)
                return err;
            if (_pins.TryGetValue(key!, out var found))
            {
                found.AcquireUserReference();
                obj = found;
                return Errno.None;
            }

            return key!.Length == 0 || IsDirectory(key) ? Errno.EACCES : Errno.ENOENT;
        }
    }

    /// <summary>Removes the pin at <paramref name="path"/> and drops its user reference (<c>unlink</c>).</summary>
    public Errno Unpin(string path)
    {
        var err = Normalize(path, out var key, out var inside);
        if (err != Errno.None)
            return err;
        if (!inside)
            return key is null ? Errno.ENOENT : Errno.EISDIR;
        BpfObject? removed;
        lock (_lock)
        {
            err = CheckParents(key!);
            if (err != Errno.None)
                return err;
            if (!_pins.Remove(key!, out removed))
                return key!.Length == 0 || IsDirectory(key) ? Errno.EISDIR : Errno.ENOENT;
        }

        removed.ReleaseUserReference();
        return Errno.None;
    }

    /// <summary>
    /// Resolves <paramref name="path"/>: <paramref name="key"/> is the part below <see cref="Root"/> ("" for the root
    /// itself, "/a/b" below it) when <paramref name="inside"/>; outside bpffs, key is null for a name that does not
    /// exist and "" for one of the directories leading to the root.
    /// </summary>
    private static Errno Normalize(string path, out string? key, out bool inside)
    {
        key = null;
        inside = false;
        if (string.IsNullOrEmpty(path))
            return Errno.ENOENT;
        if (path[0] != '/')
            return Errno.None; // relative to a working directory that is not bpffs
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".")
                continue;
            if (part == "..")
            {
                if (parts.Count > 0)
                    parts.RemoveAt(parts.Count - 1);
                continue;
            }

            if (part.Length > 255)
                return Errno.ENAMETOOLONG;
            parts.Add(part);
        }

        for (var i = 0; i < s_rootParts.Length; i++)
        {
            if (i >= parts.Count)
            {
                key = ""; // "/", "/sys", "/sys/fs": existing directories outside bpffs
                return Errno.None;
            }

            if (parts[i] != s_rootParts[i])
                return Errno.None;
        }

        inside = true;
        key = parts.Count == s_rootParts.Length ? "" : "/" + string.Join('/', parts.Skip(s_rootParts.Length));
        return Errno.None;
    }

    private Errno CheckParents(string key)
    {
        if (key.Length == 0)
            return Errno.None;
        for (var slash = key.IndexOf('/', 1); slash > 0; slash = key.IndexOf('/', slash + 1))
        {
            if (_pins.ContainsKey(key[..slash]))
                return Errno.ENOTDIR;
        }

        return Errno.None;
    }

    private bool IsDirectory(string key)
    {
        var prefix = key + "/";
        foreach (var k in _pins.Keys)
        {
            if (k.StartsWith(prefix, StringComparison.Ordinal))
                return true;
        }

        return false;
    }
}
