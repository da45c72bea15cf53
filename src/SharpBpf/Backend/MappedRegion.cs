namespace SharpBpf.Backend;

/// <summary>
/// A shared mapping of a <c>BPF_F_MMAPABLE</c> map's values. While it is alive and writable the map cannot be
/// frozen (EBUSY), as in the kernel. Dispose it to unmap.
/// </summary>
public abstract class MappedRegion : IDisposable
{
    /// <summary>The address of the first mapped byte.</summary>
    public abstract nint Address { get; }

    /// <summary>The mapped length in bytes (a whole number of pages).</summary>
    public abstract long Length { get; }

    /// <summary>Whether the mapping is writable.</summary>
    public abstract bool Writable { get; }

    /// <summary>The mapped bytes. Valid until the region is disposed.</summary>
    public unsafe Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            return new Span<byte>((void*)Address, checked((int)Length));
        }
    }

    /// <summary>Whether <see cref="Dispose()"/> has run.</summary>
    protected bool IsDisposed { get; private set; }

    /// <summary>Unmaps the region.</summary>
    public void Dispose()
    {
        if (IsDisposed)
            return;
        IsDisposed = true;
        Unmap();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the mapping; called once.</summary>
    protected abstract void Unmap();
}
