using SharpBpf.Runtime.Memory;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Runtime;

/// <summary>Settings of a <see cref="UserspaceBackend"/>.</summary>
public sealed record UserspaceBackendOptions
{
    /// <summary>The largest number of possible CPUs accepted (the kernel's NR_CPUS ceiling).</summary>
    public const int MaxPossibleCpus = 8192;

    /// <summary>
    /// The number of possible CPUs: per-CPU maps keep this many copies of each value and the syscall side reads
    /// and writes <c>round_up(value_size, 8)</c> times this many bytes. Defaults to
    /// <see cref="Environment.ProcessorCount"/>.
    /// </summary>
    public int PossibleCpus { get; init; } = Environment.ProcessorCount;

    /// <summary>The memory budget maps are charged to; defaults to <see cref="MemoryBudget.Shared"/>.</summary>
    public MemoryBudget? MemoryBudget { get; init; }

    /// <summary>The id tables and pins; defaults to <see cref="ObjectRegistry.Shared"/>.</summary>
    public ObjectRegistry? Registry { get; init; }

    /// <summary>The most descriptors the backend may have open at once (EMFILE beyond).</summary>
    public int MaxFiles { get; init; } = 1 << 20;
}
