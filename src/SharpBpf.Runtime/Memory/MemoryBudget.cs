namespace SharpBpf.Runtime.Memory;

/// <summary>
/// The userspace counterpart of the kernel's memcg charge for BPF maps: every map is charged its full size (the
/// kernel's <c>map_mem_usage</c> formula) when it is created and released when it is freed. A request over the
/// budget, or larger than the machine's memory, fails with ENOMEM before any memory is touched.
/// </summary>
/// <remarks>Thread-safe. Charging is a compare-and-swap loop on one counter; it is only used on create and free.</remarks>
public sealed class MemoryBudget
{
    private long _limit;
    private long _used;

    /// <summary>Creates a budget.</summary>
    /// <param name="limitBytes">The most bytes all maps charged to this budget may use together.</param>
    /// <param name="physicalMemoryBytes">
    /// The machine's memory: a single map larger than this fails at once, whatever the limit, as the kernel's
    /// vmalloc refuses a size above total RAM. Defaults to <see cref="DetectPhysicalMemory"/>.
    /// </param>
    public MemoryBudget(long limitBytes, long? physicalMemoryBytes = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limitBytes);
        if (physicalMemoryBytes is { } p)
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(p);
        _limit = limitBytes;
        PhysicalMemory = physicalMemoryBytes ?? DetectPhysicalMemory();
    }

    /// <summary>
    /// The runtime-wide budget used by backends that are not given one: half of the memory available to the process
    /// (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>, which honours container limits).
    /// </summary>
    public static MemoryBudget Shared { get; } = new(DefaultLimit());

    /// <summary>The limit in bytes. May be changed at any time; it applies to later charges.</summary>
    public long Limit
    {
        get => Volatile.Read(ref _limit);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _limit, value);
        }
    }

    /// <summary>The bytes currently charged.</summary>
    public long Used => Volatile.Read(ref _used);

    /// <summary>The machine's memory in bytes, the hard ceiling for a single charge.</summary>
    public long PhysicalMemory { get; }

    /// <summary>The memory available to this process, as the GC sees it (at least 1).</summary>
    public static long DetectPhysicalMemory()
    {
        var total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return total > 0 ? total : long.MaxValue;
    }

    /// <summary>Charges <paramref name="bytes"/>; false (nothing charged) if that would exceed the limit or the machine.</summary>
    public bool TryCharge(ulong bytes)
    {
        if (bytes > (ulong)PhysicalMemory)
            return false;
        var amount = (long)bytes;
        while (true)
        {
            var used = Volatile.Read(ref _used);
            var limit = Limit;
            if (amount > limit || used > limit - amount)
                return false;
            if (Interlocked.CompareExchange(ref _used, used + amount, used) == used)
                return true;
        }
    }

    /// <summary>Returns <paramref name="bytes"/> charged earlier with <see cref="TryCharge"/>.</summary>
    public void Release(ulong bytes)
    {
        var after = Interlocked.Add(ref _used, -(long)bytes);
        System.Diagnostics.Debug.Assert(after >= 0, "released more than was charged");
    }

    private static long DefaultLimit()
    {
        var total = DetectPhysicalMemory();
        return total == long.MaxValue ? long.MaxValue : total / 2;
    }
}
