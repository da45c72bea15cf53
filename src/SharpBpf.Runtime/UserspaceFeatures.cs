using SharpBpf.Abi;
using SharpBpf.Features;
using SharpBpf.Runtime.Contexts;

namespace SharpBpf.Runtime;

/// <summary>
/// The userspace runtime's features, answered by its own tables rather than by a second list: map types by asking
/// the map factory to create each type (<see cref="BackendProbe.SupportsMapType"/> on a fresh backend), program types
/// by the program loader, helpers from the backend's helper table (<see cref="UserspaceBackend.Helpers"/>, the same for
/// every program type: the runtime does not restrict helpers by type), and the test-runnable types from the program
/// contexts.
/// </summary>
public sealed class UserspaceFeatures : IFeatureProbe
{
    private static readonly Lazy<FeatureSet> s_features = new(Build);

    /// <inheritdoc/>
    public string Backend => "userspace";

    /// <inheritdoc/>
    public FeatureSet Probe() => s_features.Value;

    private static FeatureSet Build()
    {
        using var backend = new UserspaceBackend();
        var maps = Enum.GetValues<MapType>().Where(t => t != MapType.Unspec)
            .ToDictionary(t => t, t => BackendProbe.SupportsMapType(backend, t));
        var programs = Enum.GetValues<ProgramType>().Where(t => t != ProgramType.Unspec)
            .ToDictionary(t => t, t => BackendProbe.SupportsProgramType(backend, t));
        IReadOnlyList<int> helperIds = [.. backend.Helpers.Ids.Where(id => id != 0)];
        return new FeatureSet
        {
            Backend = backend.Name,
            MapTypes = maps,
            ProgramTypes = programs,
            Helpers = BackendProbe.HelperProgramTypes.ToDictionary(t => t, _ => helperIds),
            TestRunProgramTypes = programs.Keys.Where(t => ProgramContexts.For(t) is not UnsupportedContext).ToHashSet(),
        };
    }
}
