using SharpBpf.Abi;

namespace SharpBpf.Runtime.Objects;

/// <summary>
/// The runtime-wide state that the kernel keeps globally: the id tables of maps, programs, BTF objects and links
/// (ids from 1, increasing, wrapping below INT_MAX like <c>idr_alloc_cyclic</c>) and the pin registry. Every
/// userspace backend uses <see cref="Shared"/> unless it is given its own (tests use private registries to stay
/// independent).
/// </summary>
/// <remarks>Thread-safe. These are control-plane operations and take a lock.</remarks>
public sealed class ObjectRegistry
{
    private const int KindCount = 7;
    private const uint MaxId = int.MaxValue - 1;

    private readonly Lock _lock = new();
    private readonly SortedDictionary<uint, BpfObject>?[] _tables = new SortedDictionary<uint, BpfObject>?[KindCount];
    private readonly uint[] _lastIds = new uint[KindCount];

    /// <summary>Creates an empty registry.</summary>
    public ObjectRegistry()
    {
        Pins = new PinRegistry();
    }

    /// <summary>The registry of the process.</summary>
    public static ObjectRegistry Shared { get; } = new();

    /// <summary>The bpffs-like pins.</summary>
    public PinRegistry Pins { get; }

    /// <summary>
    /// The grace periods of this registry's objects: programs reachable through prog-array slots are freed through it
    /// (see <see cref="Execution.EpochDomain"/>).
    /// </summary>
    public Execution.EpochDomain Epochs { get; } = new();

    /// <summary>
    /// Gives <paramref name="obj"/> the next id of its kind and makes it findable by id. Called once the object is
    /// fully built (the kernel publishes the id just before it installs the descriptor).
    /// </summary>
    public uint Publish(BpfObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        lock (_lock)
        {
            var kind = (int)obj.Kind;
            var table = _tables[kind] ??= [];
            var id = _lastIds[kind];
            do
            {
                id = id >= MaxId ? 1 : id + 1;
            }
            while (table.ContainsKey(id));
            _lastIds[kind] = id;
            table.Add(id, obj);
            obj.Publish(this, id);
            return id;
        }
    }

    /// <summary>
    /// Takes a user reference on the live object of <paramref name="kind"/> with <paramref name="id"/>
    /// (BPF_MAP_GET_FD_BY_ID, BPF_PROG_GET_FD_BY_ID).
    /// </summary>
    /// <returns>ENOENT if there is none (or it is being freed).</returns>
    public Errno TryOpen(ObjectKind kind, uint id, out BpfObject? obj)
    {
        lock (_lock)
        {
            if (_tables[(int)kind] is { } table && table.TryGetValue(id, out var found) && found.TryAcquireUserReference())
            {
                obj = found;
                return Errno.None;
            }
        }

        obj = null;
        return Errno.ENOENT;
    }

    /// <summary>The smallest id of <paramref name="kind"/> above <paramref name="startId"/> (BPF_*_GET_NEXT_ID).</summary>
    /// <returns>EINVAL for a start id of INT_MAX or more, ENOENT when there is none, as the kernel.</returns>
    public Errno GetNextId(ObjectKind kind, uint startId, out uint nextId)
    {
        nextId = 0;
        if (startId >= int.MaxValue)
            return Errno.EINVAL;
        lock (_lock)
        {
            if (_tables[(int)kind] is { } table)
            {
                foreach (var id in table.Keys)
                {
                    if (id > startId)
                    {
                        nextId = id;
                        return Errno.None;
                    }
                }
            }
        }

        return Errno.ENOENT;
    }

    /// <summary>The number of live objects of <paramref name="kind"/> (for diagnostics and tests).</summary>
    public int Count(ObjectKind kind)
    {
        lock (_lock)
            return _tables[(int)kind]?.Count ?? 0;
    }

    internal void Unpublish(BpfObject obj)
    {
        lock (_lock)
        {
            if (_tables[(int)obj.Kind] is { } table && table.TryGetValue(obj.Id, out var found) && ReferenceEquals(found, obj))
                table.Remove(obj.Id);
        }
    }
}
