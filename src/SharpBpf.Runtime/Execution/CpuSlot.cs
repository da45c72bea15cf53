namespace SharpBpf.Runtime.Execution;

/// <summary>
/// A held CPU slot of <see cref="CpuSlots"/>: the CPU number and the run state that belongs to it. Dispose it
/// exactly once to give the slot back (a copy of the struct is the same lease, not a second one).
/// </summary>
public readonly struct CpuSlot : IDisposable, IEquatable<CpuSlot>
{
    private readonly CpuSlots? _owner;

    internal CpuSlot(CpuSlots owner, int cpu)
    {
        _owner = owner;
        Cpu = cpu;
    }

    /// <summary>The CPU number: what <c>bpf_get_smp_processor_id</c> returns and which per-CPU copy runs see.</summary>
    public int Cpu { get; }

    /// <summary>The slot's run state (its <see cref="RunState.Cpu"/> is <see cref="Cpu"/>).</summary>
    /// <exception cref="InvalidOperationException">The lease is the default value.</exception>
    public RunState State => (_owner ?? throw new InvalidOperationException("no CPU slot is held")).StateOf(Cpu);

    /// <summary>True unless this is the default value.</summary>
    public bool IsHeld => _owner is not null;

    /// <summary>Equality of two leases: same pool and CPU.</summary>
    public static bool operator ==(CpuSlot left, CpuSlot right) => left.Equals(right);

    /// <summary>Inequality of two leases.</summary>
    public static bool operator !=(CpuSlot left, CpuSlot right) => !left.Equals(right);

    /// <summary>Gives the slot back.</summary>
    public void Dispose() => _owner?.Release(Cpu);

    /// <inheritdoc/>
    public bool Equals(CpuSlot other) => ReferenceEquals(_owner, other._owner) && Cpu == other.Cpu;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is CpuSlot other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_owner, Cpu);
}
