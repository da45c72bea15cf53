namespace SharpBpf.Runtime.Execution;

/// <summary>
/// A range of real native memory a program may touch during a run: its stack, its context, the packet, or the
/// value area of a map it references. Registers hold raw addresses; in checked mode every load, store and atomic
/// must fall entirely inside one region that allows it.
/// </summary>
/// <param name="Start">The address of the first byte.</param>
/// <param name="Length">The length in bytes.</param>
/// <param name="Access">What the program may do there.</param>
public readonly record struct MemoryRegion(ulong Start, ulong Length, MemoryAccess Access)
{
    /// <summary>True if <paramref name="size"/> bytes at <paramref name="address"/> lie inside the region.</summary>
    /// <remarks>Written so that no sum can wrap: an address below <see cref="Start"/> makes the difference huge.</remarks>
    public bool Contains(ulong address, ulong size)
    {
        var rel = address - Start;
        return rel < Length && Length - rel >= size;
    }

    /// <summary>True if the region allows every kind of access in <paramref name="access"/>.</summary>
    public bool Allows(MemoryAccess access) => access != MemoryAccess.None && (Access & access) == access;

    /// <inheritdoc/>
    public override string ToString() => $"[0x{Start:x}, 0x{Start + Length:x}) {Access}";
}
