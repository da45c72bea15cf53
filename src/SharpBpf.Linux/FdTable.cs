using System.Collections.Concurrent;

namespace SharpBpf.Linux;

/// <summary>
/// The descriptors a <see cref="LinuxBackend"/> opened, each owned by a <see cref="SafeBpfFd"/>, with what the backend
/// learned about the object (a map's shape) cached beside it. Thread-safe.
/// </summary>
internal sealed class FdTable : IDisposable
{
    private readonly ConcurrentDictionary<int, FdEntry> _entries = new();

    /// <summary>Takes ownership of <paramref name="fd"/>.</summary>
    public void Add(int fd, MapShape? shape = null)
    {
        var entry = new FdEntry(new SafeBpfFd(fd, ownsHandle: true)) { Shape = shape };
        _entries.AddOrUpdate(fd, entry, (_, stale) =>
        {
            // The number was closed behind the table's back and the kernel reused it: the stale handle must not
            // close the new descriptor.
            stale.Handle.SetHandleAsInvalid();
            return entry;
        });
    }

    /// <summary>The entry of <paramref name="fd"/>, if the backend owns it.</summary>
    public bool TryGet(int fd, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out FdEntry? entry) =>
        _entries.TryGetValue(fd, out entry);

    /// <summary>Closes <paramref name="fd"/> if the backend owns it.</summary>
    public bool Close(int fd)
    {
        // Removed before the close so a concurrent open that gets the same number adds a fresh entry after it.
        if (!_entries.TryRemove(fd, out FdEntry? entry))
            return false;
        entry.Handle.Dispose();
        return true;
    }

    /// <summary>How many descriptors the table owns.</summary>
    public int Count => _entries.Count;

    /// <summary>Closes every descriptor.</summary>
    public void Dispose()
    {
        foreach (int fd in _entries.Keys)
            Close(fd);
    }
}

/// <summary>One owned descriptor.</summary>
internal sealed class FdEntry(SafeBpfFd handle)
{
    public SafeBpfFd Handle { get; } = handle;

    /// <summary>The map's sizes, once known (maps never change them).</summary>
    public MapShape? Shape { get; set; }
}
