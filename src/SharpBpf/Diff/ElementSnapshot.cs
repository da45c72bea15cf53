using SharpBpf.Abi;

namespace SharpBpf.Diff;

/// <summary>One element of a <see cref="MapSnapshot"/>: what a lookup of its key returned.</summary>
/// <param name="Key">The key bytes.</param>
/// <param name="LookupError">
/// The errno of <c>BPF_MAP_LOOKUP_ELEM</c> (<see cref="Errno.None"/> on success; perf-event and cgroup arrays are not
/// readable from userspace and give an error on both backends).
/// </param>
/// <param name="Value">
/// The value bytes on success: <c>value_size</c> bytes, or <c>round_up(value_size, 8)</c> per possible CPU for per-CPU
/// maps. Empty for prog arrays, whose slots are compared by <paramref name="Program"/>.
/// </param>
/// <param name="Program">
/// For a prog-array slot: the name of the program it holds (<c>id N</c> for a program outside the collection), null
/// for an empty slot.
/// </param>
public sealed record ElementSnapshot(byte[] Key, Errno LookupError, byte[] Value, string? Program);
