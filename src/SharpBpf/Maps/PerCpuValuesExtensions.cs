using System.Numerics;

namespace SharpBpf.Maps;

/// <summary>Aggregation of <see cref="PerCpuValues{T}"/> for numeric value types.</summary>
public static class PerCpuValuesExtensions
{
    /// <summary>The sum of the CPUs' values (wrapping on overflow, like the counters it usually adds).</summary>
    public static T Sum<T>(this PerCpuValues<T> values)
        where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(values);
        var total = T.Zero;
        for (var cpu = 0; cpu < values.Count; cpu++)
            total += values[cpu];
        return total;
    }
}
