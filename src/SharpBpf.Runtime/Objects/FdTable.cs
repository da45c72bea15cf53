using System.Runtime.CompilerServices;
using SharpBpf.Abi;

namespace SharpBpf.Runtime.Objects;

/// <summary>
/// The descriptor table of one userspace backend: small integers naming open file descriptions, allocated from 3
/// upward, the lowest free number first, as the kernel does. Descriptors 0, 1 and 2 stand for the standard
/// streams: open, but not BPF objects.
/// </summary>
/// <remarks>
/// Lookups take no lock: the table is an array published with <see cref="Volatile"/> and replaced (never changed
/// in size in place) when it grows, so a reader sees either the old or the new array, both valid. Installing and
/// removing descriptors take a lock.
/// </remarks>
public sealed class FdTable
{
    /// <summary>The first descriptor handed out.</summary>
    public const int FirstFd = 3;

    private static readonly OpenFile s_foreign = new(ForeignObject.Instance, AccessMode.ReadWrite);

    private readonly Lock _lock = new();
    private readonly int _maxFiles;
    private OpenFile?[] _files;
    private int _lowestFree = FirstFd;
    private int _count;

    /// <summary>Creates a table allowing up to <paramref name="maxFiles"/> descriptors (RLIMIT_NOFILE).</summary>
    public FdTable(int maxFiles = 1 << 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFiles, FirstFd + 1);
        _maxFiles = maxFiles;
        _files = new OpenFile?[64];
        _files[0] = _files[1] = _files[2] = s_foreign;
    }

    /// <summary>The number of descriptors the backend itself opened (not counting 0, 1 and 2).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The open file description of <paramref name="fd"/>, or null if it is not open. Lock-free.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public OpenFile? Get(int fd)
    {
        var files = Volatile.Read(ref _files);
        return (uint)fd < (uint)files.Length ? Volatile.Read(ref files[fd]) : null;
    }

    /// <summary>Installs <paramref name="file"/> at the lowest free descriptor (the table takes the caller's reference).</summary>
    /// <returns>EMFILE when the table is full; the caller still owns its reference then.</returns>
    public Errno Install(OpenFile file, out int fd)
    {
        ArgumentNullException.ThrowIfNull(file);
        lock (_lock)
        {
            var files = _files;
            var i = _lowestFree;
            while (i < files.Length && files[i] is not null)
                i++;
            if (i >= _maxFiles)
            {
                fd = -1;
                return Errno.EMFILE;
            }

            if (i >= files.Length)
            {
                var grown = new OpenFile?[Math.Min(Math.Max(files.Length * 2, i + 1), _maxFiles)];
                Array.Copy(files, grown, files.Length);
                Volatile.Write(ref _files, grown);
                files = grown;
            }

            Volatile.Write(ref files[i], file);
            _lowestFree = i + 1;
            _count++;
            fd = i;
            return Errno.None;
        }
    }

    /// <summary>Removes <paramref name="fd"/>; returns its description (whose reference the caller now owns) or null.</summary>
    /// <remarks>Descriptors 0, 1 and 2 are not the backend's and cannot be removed.</remarks>
    public OpenFile? Remove(int fd)
    {
        lock (_lock)
        {
            var files = _files;
            if (fd < FirstFd || fd >= files.Length || files[fd] is not { } file)
                return null;
            Volatile.Write(ref files[fd], null);
            if (fd < _lowestFree)
                _lowestFree = fd;
            _count--;
            return file;
        }
    }

    /// <summary>Removes every descriptor the backend opened and returns their descriptions (for disposal).</summary>
    public List<OpenFile> RemoveAll()
    {
        lock (_lock)
        {
            var files = _files;
            var removed = new List<OpenFile>();
            for (var fd = FirstFd; fd < files.Length; fd++)
            {
                if (files[fd] is { } file)
                {
                    removed.Add(file);
                    Volatile.Write(ref files[fd], null);
                }
            }

            _lowestFree = FirstFd;
            _count = 0;
            return removed;
        }
    }
}
