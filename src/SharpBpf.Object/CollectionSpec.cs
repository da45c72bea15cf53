namespace SharpBpf.Object;

/// <summary>
/// Everything an object file describes, ready for a loader: maps (in libbpf's order: legacy
/// <c>maps</c>, BTF <c>.maps</c>, then global data sections), programs (by section, then offset),
/// license, kernel version and BTF. Produced by <see cref="BpfObjectReader"/>; immutable.
/// </summary>
public sealed class CollectionSpec
{
    /// <summary>Creates a collection spec (the reader does this; loaders and tests may too).</summary>
    public CollectionSpec(IReadOnlyList<MapSpec> maps, IReadOnlyList<ProgramSpec> programs, string license = "", uint kernelVersion = 0, BtfSpec? btf = null)
    {
        ArgumentNullException.ThrowIfNull(maps);
        ArgumentNullException.ThrowIfNull(programs);
        ArgumentNullException.ThrowIfNull(license);
        Maps = maps;
        Programs = programs;
        License = license;
        KernelVersion = kernelVersion;
        Btf = btf;
    }

    public IReadOnlyList<MapSpec> Maps { get; }

    public IReadOnlyList<ProgramSpec> Programs { get; }

    /// <summary>The <c>license</c> section's string ("" when the object has none).</summary>
    public string License { get; }

    /// <summary>The <c>version</c> section's value (0 when absent).</summary>
    public uint KernelVersion { get; }

    /// <summary>The parsed <c>.BTF</c>, null when the object has none.</summary>
    public BtfSpec? Btf { get; }

    /// <summary>The map named <paramref name="name"/>, or null.</summary>
    public MapSpec? FindMap(string name) => Maps.FirstOrDefault(m => m.Name == name);

    /// <summary>The program named <paramref name="name"/> (its function symbol), or null.</summary>
    public ProgramSpec? FindProgram(string name) => Programs.FirstOrDefault(p => p.Name == name);
}
