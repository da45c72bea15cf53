using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Helpers;
using SharpBpf.Runtime.Maps;

namespace SharpBpf.Runtime.Programs;

/// <summary>How an <see cref="InterpretedProgram"/> is created and run.</summary>
public sealed record ProgramOptions
{
    /// <summary>
    /// The largest program accepted, in instruction slots (the kernel's limit for privileged loaders,
    /// <c>BPF_COMPLEXITY_LIMIT_INSNS</c>).
    /// </summary>
    public const int DefaultMaxSlots = 1_000_000;

    /// <summary>A name used in messages (optional).</summary>
    public string? Name { get; init; }

    /// <summary>The helpers the program may call; null means <see cref="HelperTable.CreateDefault"/>.</summary>
    public HelperTable? Helpers { get; init; }

    /// <summary>
    /// Memory the program may touch besides its stack, context and packet: the value areas of the maps it
    /// references (their addresses are what <see cref="LddwResolver"/> hands out).
    /// </summary>
    public IReadOnlyList<MemoryRegion> Regions { get; init; } = [];

    /// <summary>
    /// The maps the program references (what its <c>lddw</c> map references resolve to). Map helpers accept only
    /// these as their map argument: they compare the register with each map's <see cref="MapObject.Header"/>.
    /// </summary>
    public IReadOnlyList<MapObject> Maps { get; init; } = [];

    /// <summary>Resolves map references in <c>lddw</c>; without one, such instructions are refused.</summary>
    public LddwResolver? LddwResolver { get; init; }

    /// <summary>
    /// Skip the memory checks (for programs a verifier has proved safe). Off by default: a wild access in a
    /// trusted program can crash the host.
    /// </summary>
    public bool Trusted { get; init; }

    /// <summary>The most instructions one run may execute (0: unlimited). Exceeding it stops the run.</summary>
    public long InstructionBudget { get; init; }

    /// <summary>The largest program accepted, in slots.</summary>
    public int MaxSlots { get; init; } = DefaultMaxSlots;
}
