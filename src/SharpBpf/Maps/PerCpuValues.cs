using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SharpBpf.Maps;

/// <summary>
/// One value of a per-CPU map: a <typeparamref name="T"/> per possible CPU, stored exactly as the kernel's
/// buffer (<c>round_up(sizeof(T), 8)</c> bytes per CPU, in CPU order, padding included and kept as read).
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class PerCpuValues<T> : IReadOnlyList<T>
    where T : unmanaged
{
    private readonly byte[] _buffer;

    /// <summary>Creates zeroed values for <paramref name="cpus"/> CPUs.</summary>
    public PerCpuValues(int cpus)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cpus);
        Count = cpus;
        Stride = (Unsafe.SizeOf<T>() + 7) & ~7;
        _buffer = new byte[checked(Stride * cpus)];
    }

    /// <summary>The number of CPUs.</summary>
    public int Count { get; }

    /// <summary>The bytes from one CPU's value to the next: <c>round_up(sizeof(T), 8)</c>.</summary>
    public int Stride { get; }

    /// <summary>The value of <paramref name="cpu"/>.</summary>
    public T this[int cpu]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)cpu, (uint)Count, nameof(cpu));
            return MemoryMarshal.Read<T>(_buffer.AsSpan(cpu * Stride));
        }
        set
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)cpu, (uint)Count, nameof(cpu));
            MemoryMarshal.Write(_buffer.AsSpan(cpu * Stride), in value);
        }
    }

    /// <summary>The raw buffer as lookup and update read and write it.</summary>
    public Span<byte> AsBytes() => _buffer;

    /// <summary>Sets every CPU's value to <paramref name="value"/>.</summary>
    public void Fill(T value)
    {
        for (var cpu = 0; cpu < Count; cpu++)
            this[cpu] = value;
    }

    /// <summary>Combines the CPUs' values with <paramref name="add"/>, starting from <c>default(T)</c>.</summary>
    public T Sum(Func<T, T, T> add)
    {
        ArgumentNullException.ThrowIfNull(add);
        T total = default;
        for (var cpu = 0; cpu < Count; cpu++)
            total = add(total, this[cpu]);
        return total;
    }

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator()
    {
        for (var cpu = 0; cpu < Count; cpu++)
            yield return this[cpu];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public override string ToString() => "[" + string.Join(", ", this) + "]";
}
