using SharpBpf.Backend;

namespace SharpBpf.Diff;

/// <summary>The contents of one map of a collection after a run, as <see cref="RunSnapshot.Capture"/> read them.</summary>
/// <param name="Name">The map's name in the object (its C variable or libbpf's global-data name).</param>
/// <param name="Info">What BPF_OBJ_GET_INFO_BY_FD reported (ids are per backend and are not compared).</param>
/// <param name="PossibleCpus">The backend's number of possible CPUs: the per-CPU copies in a per-CPU value.</param>
/// <param name="Elements">Every element, in the backend's key order.</param>
public sealed record MapSnapshot(string Name, MapInfo Info, int PossibleCpus, IReadOnlyList<ElementSnapshot> Elements)
{
    /// <summary>The bytes of one CPU's copy in a per-CPU value: <c>round_up(value_size, 8)</c>.</summary>
    public int PerCpuStride => (int)((Info.ValueSize + 7) & ~7u);
}
