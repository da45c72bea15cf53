using SharpBpf.Backend;
using SharpBpf.Linux.Interop;

namespace SharpBpf.Linux;

/// <summary>A <c>MAP_SHARED</c> mapping of a <c>BPF_F_MMAPABLE</c> map, released with <c>munmap</c>.</summary>
internal sealed class LinuxMappedRegion : MappedRegion
{
    private readonly Action<LinuxMappedRegion>? _onUnmapped;
    private nint _address;

    public LinuxMappedRegion(nint address, long length, bool writable, Action<LinuxMappedRegion>? onUnmapped)
    {
        _address = address;
        Length = length;
        Writable = writable;
        _onUnmapped = onUnmapped;
    }

    // A forgotten writable mapping would keep the map from being frozen (EBUSY) for the life of the process.
    ~LinuxMappedRegion() => Release();

    /// <inheritdoc/>
    public override nint Address => _address;

    /// <inheritdoc/>
    public override long Length { get; }

    /// <inheritdoc/>
    public override bool Writable { get; }

    /// <inheritdoc/>
    protected override void Unmap()
    {
        Release();
        _onUnmapped?.Invoke(this);
    }

    private void Release()
    {
        nint address = Interlocked.Exchange(ref _address, 0);
        if (address != 0)
            _ = Libc.Munmap(address, (nuint)Length);
    }
}
