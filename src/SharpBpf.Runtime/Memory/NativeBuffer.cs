using System.Runtime.InteropServices;

namespace SharpBpf.Runtime.Memory;

/// <summary>
/// Zero-initialised native memory with a chosen alignment, owned by a <see cref="SafeHandle"/> so that it is
/// freed only when nothing can reach it any more.
/// </summary>
/// <remarks>
/// Map values are read and written through raw addresses by host operations, programs and mappings. Freeing on
/// the last reference count would race with an operation that resolved its descriptor just before a concurrent
/// close, so the memory is released by the finaliser of this handle instead: any thread still using the memory
/// holds a reference to the map object that owns the handle. (The budget charge is returned at the last
/// reference, as the kernel uncharges at free time.) Large allocations come from <c>calloc</c>, which takes fresh
/// zero pages from the OS without touching them, so an untouched 4 GiB map costs no physical memory.
/// </remarks>
internal sealed unsafe class NativeBuffer : SafeHandle
{
    private readonly long _pressure;

    private NativeBuffer(nint raw, nint address, ulong size)
        : base(0, ownsHandle: true)
    {
        SetHandle(raw);
        Address = address;
        Size = size;
        // Tell the GC how much native memory this small object keeps alive so that dropped maps are finalised
        // promptly; capped because untouched calloc pages cost nothing until written.
        _pressure = (long)Math.Min(size, 1UL << 30);
        if (_pressure > 0)
            GC.AddMemoryPressure(_pressure);
    }

    /// <summary>The aligned address of the first byte.</summary>
    public nint Address { get; }

    /// <summary>The usable size in bytes from <see cref="Address"/>.</summary>
    public ulong Size { get; }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == 0;

    /// <summary>
    /// Allocates <paramref name="size"/> zeroed bytes aligned to <paramref name="alignment"/> (a power of two).
    /// Returns null if the OS refuses; never throws for a large size.
    /// </summary>
    public static NativeBuffer? TryAllocate(ulong size, uint alignment)
    {
        System.Diagnostics.Debug.Assert(alignment != 0 && (alignment & (alignment - 1)) == 0, "alignment must be a power of two");
        // calloc guarantees 16 bytes; ask for slack to align further by hand.
        ulong slack = alignment > 16 ? alignment : 0;
        if (size == 0)
            size = 1;
        if (size > (ulong)nint.MaxValue - slack)
            return null;
        void* raw;
        try
        {
            raw = NativeMemory.AllocZeroed((nuint)(size + slack), 1);
        }
        catch (OutOfMemoryException)
        {
            return null;
        }

        var address = (nint)(((ulong)raw + slack) & ~(ulong)(alignment - 1));
        if (slack == 0)
            address = (nint)raw;
        return new NativeBuffer((nint)raw, address, size);
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        NativeMemory.Free((void*)handle);
        if (_pressure > 0)
            GC.RemoveMemoryPressure(_pressure);
        return true;
    }
}
