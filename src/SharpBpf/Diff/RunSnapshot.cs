using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Loading;
using SharpBpf.Programs;

namespace SharpBpf.Diff;

/// <summary>
/// What one backend produced for one program run, in a backend-neutral form a <see cref="ProgramRunComparison"/>
/// can compare: the return value, <c>data_out</c>, <c>ctx_out</c> and every map of the collection, or why the
/// load or the run failed.
/// </summary>
public sealed record RunSnapshot
{
    /// <summary>The backend's name (<c>userspace</c>, <c>kernel</c>).</summary>
    public required string Backend { get; init; }

    /// <summary>The last run's return value.</summary>
    public uint Retval { get; init; }

    /// <summary>The packet after the last run.</summary>
    public byte[] DataOut { get; init; } = [];

    /// <summary>The context after the last run.</summary>
    public byte[] ContextOut { get; init; } = [];

    /// <summary>Every map of the collection, in the object's order.</summary>
    public IReadOnlyList<MapSnapshot> Maps { get; init; } = [];

    /// <summary>Null after a successful run; else what failed (<c>load</c>, <c>run</c>, ...) and the error message.</summary>
    public string? Failure { get; init; }

    /// <summary>The errno of the failure (<see cref="Errno.None"/> after a successful run).</summary>
    public Errno FailureErrno { get; init; }

    /// <summary>A load or run that failed with <paramref name="error"/> at <paramref name="stage"/>.</summary>
    public static RunSnapshot Failed(string backend, string stage, BpfException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new RunSnapshot { Backend = backend, Failure = $"{stage}: {error.Message}", FailureErrno = error.Errno };
    }

    /// <summary>
    /// Reads every map of <paramref name="collection"/> after <paramref name="result"/>: each element the backend
    /// iterates (BPF_MAP_GET_NEXT_KEY), looked up with its errno; prog-array slots as the name of the program they
    /// hold, so descriptors and ids, which are per backend, never reach the comparison.
    /// </summary>
    public static RunSnapshot Capture(BpfCollection collection, ProgramRunResult result)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(result);
        var programsById = new Dictionary<uint, string>();
        foreach (var program in collection.Programs)
            programsById[program.Id] = program.Name;
        var maps = new List<MapSnapshot>(collection.Maps.Count);
        for (var i = 0; i < collection.Maps.Count; i++)
        {
            var map = collection.Maps[i];
            var isProgArray = map.Type == MapType.ProgArray;
            var elements = new List<ElementSnapshot>();
            foreach (var key in map.Keys)
            {
                var value = new byte[isProgArray ? sizeof(uint) : map.ValueBufferSize];
                var err = map.Backend.MapLookupElem(map.Fd, key, value, 0);
                if (err != Errno.None)
                {
                    elements.Add(new ElementSnapshot(key, err, [], null));
                    continue;
                }

                if (isProgArray)
                {
                    var id = BinaryPrimitives.ReadUInt32LittleEndian(value);
                    var name = programsById.TryGetValue(id, out var known) ? known : $"id {id} (not in this object)";
                    elements.Add(new ElementSnapshot(key, err, [], name));
                }
                else
                {
                    elements.Add(new ElementSnapshot(key, err, value, null));
                }
            }

            maps.Add(new MapSnapshot(collection.Spec.Maps[i].Name, map.Info, map.Backend.PossibleCpus, elements));
        }

        return new RunSnapshot
        {
            Backend = collection.Backend.Name,
            Retval = result.ReturnValue,
            DataOut = result.DataOut,
            ContextOut = result.ContextOut,
            Maps = maps,
        };
    }
}
