using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Loading;

/// <summary>How <see cref="CollectionLoader"/> loads a <see cref="Object.CollectionSpec"/>.</summary>
public sealed record CollectionLoadOptions
{
    /// <summary>
    /// The directory (bpffs on the kernel, any path on the userspace runtime) under which maps declared with
    /// <c>pinning = LIBBPF_PIN_BY_NAME</c> live as <c>&lt;PinRoot&gt;/&lt;map name&gt;</c>: an existing compatible
    /// pin is reused, a missing one is created and pinned. Null: such maps are created unpinned, as if
    /// they had no pinning (libbpf's default pin root is <c>/sys/fs/bpf</c>; here the caller chooses).
    /// </summary>
    public string? PinRoot { get; init; }

    /// <summary>
    /// Program types for programs whose section name libbpf does not know (<see cref="ProgramType.Unspec"/> in
    /// the spec), keyed by program name or by section name. The program name wins when both match.
    /// </summary>
    public IReadOnlyDictionary<string, ProgramType>? ProgramTypes { get; init; }

    /// <summary>The type of every program whose section libbpf does not know and that <see cref="ProgramTypes"/> does not name.</summary>
    public ProgramType? UnknownSectionType { get; init; }

    /// <summary>
    /// Loads every program as this type, whatever its section says (<c>bpftool prog loadall OBJ PATH type T</c>);
    /// the expected attach type then comes from the type alone.
    /// </summary>
    public ProgramType? ForceType { get; init; }

    /// <summary>Only these programs (by name) are loaded; null loads all. Maps are always all created.</summary>
    public IReadOnlyCollection<string>? Programs { get; init; }

    /// <summary>How the userspace runtime executes the programs (ignored by the kernel backend).</summary>
    public ExecutionMode ExecutionMode { get; init; }

    /// <summary>The verifier log level passed to BPF_PROG_LOAD (1: the log of a failed load).</summary>
    public uint LogLevel { get; init; } = 1;
}
