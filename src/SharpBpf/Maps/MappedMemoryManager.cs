using System.Buffers;
using SharpBpf.Backend;

namespace SharpBpf.Maps;

/// <summary>A <see cref="Memory{T}"/> over a <see cref="MappedRegion"/> (the region must outlive the memory's use).</summary>
internal sealed unsafe class MappedMemoryManager(MappedRegion region, int length) : MemoryManager<byte>
{
    public override Span<byte> GetSpan() => region.Span[..length];

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, length);
        return new MemoryHandle((byte*)region.Address + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
