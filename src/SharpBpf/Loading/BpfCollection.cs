using System.Diagnostics.CodeAnalysis;
using SharpBpf.Backend;
using SharpBpf.Maps;
using SharpBpf.Object;
using SharpBpf.Programs;

namespace SharpBpf.Loading;

/// <summary>
/// The live maps and programs of one loaded object (<see cref="CollectionLoader.Load"/>): by name, in the spec's
/// order, with typed map views. Disposing it closes every descriptor; maps and programs live on only where
/// something else holds them (a pin, a prog array of another collection).
/// </summary>
public sealed class BpfCollection : IDisposable
{
    private readonly Dictionary<string, BpfMap> _mapsByName;
    private readonly Dictionary<string, BpfProgram> _programsByName;
    private readonly Dictionary<string, ProgramSpec> _programSpecs;
    private int _disposed;

    internal BpfCollection(IBpfBackend backend, CollectionSpec spec, IReadOnlyList<BpfMap> maps,
        IReadOnlyList<(ProgramSpec Spec, BpfProgram Program)> programs, IReadOnlySet<string> reusedPins, string loadLog = "")
    {
        LoadLog = loadLog;
        Backend = backend;
        Spec = spec;
        Maps = maps;
        Programs = [.. programs.Select(p => p.Program)];
        _mapsByName = new Dictionary<string, BpfMap>(StringComparer.Ordinal);
        for (var i = 0; i < maps.Count; i++)
            _mapsByName[spec.Maps[i].Name] = maps[i];
        _programsByName = programs.ToDictionary(p => p.Spec.Name, p => p.Program, StringComparer.Ordinal);
        _programSpecs = programs.ToDictionary(p => p.Spec.Name, p => p.Spec, StringComparer.Ordinal);
        ReusedPins = reusedPins;
    }

    /// <summary>The backend everything was loaded into.</summary>
    public IBpfBackend Backend { get; }

    /// <summary>The spec the collection was loaded from.</summary>
    public CollectionSpec Spec { get; }

    /// <summary>The maps, in the spec's order (the same index as <see cref="CollectionSpec.Maps"/>).</summary>
    public IReadOnlyList<BpfMap> Maps { get; }

    /// <summary>The loaded programs, in the spec's order.</summary>
    public IReadOnlyList<BpfProgram> Programs { get; }

    /// <summary>
    /// What the loader did differently from the plain path, one line per event ("" when nothing): for one, that the
    /// backend refused the object's BTF (with its errno and first log line) and the programs were loaded without it.
    /// </summary>
    public string LoadLog { get; }

    /// <summary>The names of the maps that were not created but reused from an existing pin.</summary>
    public IReadOnlySet<string> ReusedPins { get; }

    /// <summary>The map named <paramref name="name"/> in the spec (its C variable, or libbpf's global data name).</summary>
    /// <exception cref="KeyNotFoundException">There is no such map; the message lists the maps there are.</exception>
    public BpfMap Map(string name) =>
        TryGetMap(name, out var map) ? map : throw new KeyNotFoundException(
            $"the object has no map '{name}' (maps: {Names(_mapsByName.Keys)})");

    /// <summary>The map named <paramref name="name"/>, if any.</summary>
    public bool TryGetMap(string name, [NotNullWhen(true)] out BpfMap? map)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _mapsByName.TryGetValue(name, out map);
    }

    /// <summary>The program named <paramref name="name"/> (its function symbol).</summary>
    /// <exception cref="KeyNotFoundException">There is no such loaded program; the message lists the programs there are.</exception>
    public BpfProgram Program(string name) =>
        TryGetProgram(name, out var program) ? program : throw new KeyNotFoundException(
            $"the object has no loaded program '{name}' (programs: {Names(_programsByName.Keys)})");

    /// <summary>The program named <paramref name="name"/>, if it was loaded.</summary>
    public bool TryGetProgram(string name, [NotNullWhen(true)] out BpfProgram? program)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _programsByName.TryGetValue(name, out program);
    }

    /// <summary>The spec of the loaded program <paramref name="name"/>.</summary>
    public ProgramSpec ProgramSpec(string name) =>
        _programSpecs.TryGetValue(name, out var spec) ? spec : throw new KeyNotFoundException(
            $"the object has no loaded program '{name}' (programs: {Names(_programsByName.Keys)})");

    /// <summary>A typed view of the ARRAY map <paramref name="name"/> (disposing the view leaves the map open).</summary>
    /// <exception cref="ArgumentException">The map is not an ARRAY of <typeparamref name="T"/>.</exception>
    public ArrayMap<T> ArrayMap<T>(string name)
        where T : unmanaged => new(Map(name), ownsMap: false);

    /// <summary>A typed view of the PERCPU_ARRAY map <paramref name="name"/> (disposing the view leaves the map open).</summary>
    /// <exception cref="ArgumentException">The map is not a PERCPU_ARRAY of <typeparamref name="T"/>.</exception>
    public PerCpuArrayMap<T> PerCpuArrayMap<T>(string name)
        where T : unmanaged => new(Map(name), ownsMap: false);

    /// <summary>Closes every program and map descriptor of the collection (programs first).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        foreach (var program in Programs)
            program.Dispose();
        foreach (var map in Maps)
            map.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"collection of {Maps.Count} maps and {Programs.Count} programs on {Backend.Name}";

    private static string Names(IEnumerable<string> names)
    {
        var list = string.Join(", ", names);
        return list.Length == 0 ? "none" : list;
    }
}
