using System.Runtime.InteropServices;
using SharpBpf.Abi;
using SharpBpf.Runtime.Memory;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Runtime.Maps;

/// <summary>
/// The fd-array map types, <c>PROG_ARRAY</c>, <c>PERF_EVENT_ARRAY</c> and <c>CGROUP_ARRAY</c>: slots that hold
/// references to objects given by descriptor (value_size 4: the descriptor on update; for PROG_ARRAY the program
/// id on lookup). This class has the syscall-side semantics of spec sections D, E and F for lookup, update flags
/// and bounds, delete and GET_NEXT_KEY; the type-specific rules for what may be stored (program compatibility,
/// perf event ownership per open file, cgroups) plug in through <see cref="ResolveEntry"/> and
/// <see cref="BpfObject.OnFileReleased"/>.
/// </summary>
public class FdArrayMapObject : MapObject
{
    private readonly BpfObject?[] _slots;

    // The open file each entry was installed through (PERF_EVENT_ARRAY drops an owner's entries when it closes).
    private readonly OpenFile?[] _owners;

    // Host-side changes (update, delete, clear, owner release) are serialised so a slot and its owner change
    // together; program-side reads (tail calls, helpers) stay lock-free through Volatile.Read.
    private readonly Lock _gate = new();

    internal FdArrayMapObject(in MapParameters p, NativeBuffer header, BpfObject?[] slots)
        : base(p, header)
    {
        _slots = slots;
        _owners = new OpenFile?[slots.Length];
    }

    /// <summary>The object in slot <paramref name="index"/>, or null if it is empty or out of range (lock-free).</summary>
    public BpfObject? GetEntry(uint index) => index < (uint)_slots.Length ? Volatile.Read(ref _slots[index]) : null;

    /// <summary>The number of occupied slots (for diagnostics and tests).</summary>
    public int OccupiedCount
    {
        get
        {
            var n = 0;
            for (var i = 0; i < _slots.Length; i++)
            {
                if (Volatile.Read(ref _slots[i]) is not null)
                    n++;
            }

            return n;
        }
    }

    /// <summary>
    /// Syscall-side lookup: PROG_ARRAY gives the program's id (<c>prog_fd_array_sys_lookup_elem</c>), ENOENT for
    /// an empty slot or an index out of range; the other types have no syscall lookup (ENOTSUPP).
    /// </summary>
    public override Errno LookupElem(ReadOnlySpan<byte> key, Span<byte> value)
    {
        if (Type != MapType.ProgArray)
            return Errno.ENOTSUPP;
        if (GetEntry(ReadIndex(key)) is not { } entry)
            return Errno.ENOENT;
        if (value.Length < sizeof(uint))
            return Errno.EFAULT;
        MemoryMarshal.Write(value, entry.Id);
        return Errno.None;
    }

    /// <summary>Without a descriptor table the value cannot name an object: use the overload with <see cref="FdTable"/>.</summary>
    public override Errno UpdateElem(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags) => Errno.EBADF;

    /// <summary>
    /// <c>bpf_fd_array_map_update_elem</c>: only BPF_ANY, then the index (E2BIG), then the descriptor in
    /// <paramref name="value"/> resolved in <paramref name="fds"/> by <see cref="ResolveEntry"/>; the slot's previous
    /// object is released.
    /// </summary>
    /// <param name="mapFile">The description the update came through (owner of PERF_EVENT_ARRAY entries).</param>
    /// <param name="fds">The caller's descriptor table.</param>
    /// <param name="key">At least 4 bytes.</param>
    /// <param name="value">At least 4 bytes.</param>
    /// <param name="flags">Element flags.</param>
    public Errno UpdateElem(OpenFile mapFile, FdTable fds, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags)
    {
        ArgumentNullException.ThrowIfNull(fds);
        if (flags != ElemFlags.BPF_ANY)
            return Errno.EINVAL;
        var index = ReadIndex(key);
        if (index >= MaxEntries)
            return Errno.E2BIG;
        var ufd = MemoryMarshal.Read<int>(value);
        var err = ResolveEntry(fds, mapFile, ufd, out var entry);
        if (err != Errno.None)
            return err;
        return Install(index, entry!, mapFile);
    }

    /// <summary>
    /// Puts <paramref name="entry"/> (whose reference the caller hands over) into slot <paramref name="index"/>,
    /// owned by <paramref name="owner"/>, after <see cref="CheckInsert"/>; releases the previous entry. On failure the
    /// reference is released.
    /// </summary>
    protected Errno Install(uint index, BpfObject entry, OpenFile? owner)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (index >= MaxEntries)
        {
            ReleaseEntry(entry);
            return Errno.E2BIG;
        }

        BpfObject? old;
        lock (_gate)
        {
            var err = CheckInsert(entry);
            if (err != Errno.None)
            {
                ReleaseEntry(entry);
                return err;
            }

            old = Interlocked.Exchange(ref _slots[index], entry);
            _owners[index] = owner;
        }

        if (old is not null)
            ReleaseEntry(old);
        return Errno.None;
    }

    /// <summary><c>fd_array_map_delete_elem</c>: E2BIG out of range, ENOENT for an empty slot, else releases it.</summary>
    public override Errno DeleteElem(ReadOnlySpan<byte> key)
    {
        var index = ReadIndex(key);
        if (index >= MaxEntries)
            return Errno.E2BIG;
        BpfObject? old;
        lock (_gate)
        {
            old = Interlocked.Exchange(ref _slots[index], null);
            _owners[index] = null;
        }

        if (old is null)
            return Errno.ENOENT;
        ReleaseEntry(old);
        return Errno.None;
    }

    /// <inheritdoc/>
    public override Errno GetNextKey(ReadOnlySpan<byte> key, Span<byte> nextKey) => ArrayGetNextKey(key, nextKey);

    /// <summary>Empties every slot (PROG_ARRAY when its last user reference goes).</summary>
    public void Clear() => ClearWhere(null);

    /// <summary>
    /// Empties the slots installed through <paramref name="owner"/> (every slot if null), releasing their entries
    /// outside the lock (a release may free a program, whose grace period may run other frees).
    /// </summary>
    protected void ClearWhere(OpenFile? owner)
    {
        List<BpfObject>? released = null;
        lock (_gate)
        {
            for (var i = 0; i < _slots.Length; i++)
            {
                if (owner is not null && !ReferenceEquals(_owners[i], owner))
                    continue;
                _owners[i] = null;
                if (Interlocked.Exchange(ref _slots[i], null) is { } old)
                    (released ??= []).Add(old);
            }
        }

        if (released is null)
            return;
        foreach (var entry in released)
            ReleaseEntry(entry);
    }

    /// <summary>
    /// Per-type rule checked under the map's lock just before an entry goes in (PROG_ARRAY's owner program type).
    /// The default accepts.
    /// </summary>
    protected virtual Errno CheckInsert(BpfObject entry) => Errno.None;

    /// <summary>
    /// Turns the descriptor <paramref name="ufd"/> into the object to store, taking the reference the slot will hold
    /// (the kernel's <c>map_fd_get_ptr</c>). The defaults give the kernel's errors for every descriptor that is
    /// not of the right kind: PROG_ARRAY EBADF for a closed descriptor and EINVAL for any other file; PERF_EVENT_ARRAY
    /// and CGROUP_ARRAY EBADF for anything that is not a perf event or a cgroup.
    /// </summary>
    protected virtual Errno ResolveEntry(FdTable fds, OpenFile mapFile, int ufd, out BpfObject? entry)
    {
        ArgumentNullException.ThrowIfNull(fds);
        entry = null;
        var file = fds.Get(ufd);
        var wanted = Type switch
        {
            MapType.ProgArray => ObjectKind.Program,
            MapType.PerfEventArray => ObjectKind.PerfEvent,
            _ => ObjectKind.Cgroup,
        };
        if (file is null)
            return Errno.EBADF;
        if (file.Object.Kind != wanted)
            return Type == MapType.ProgArray ? Errno.EINVAL : Errno.EBADF;
        if (!file.Object.TryAcquireReference())
            return Errno.EBADF;
        entry = file.Object;
        return Errno.None;
    }

    /// <summary>Drops the reference a slot held (the kernel's <c>map_fd_put_ptr</c>).</summary>
    protected virtual void ReleaseEntry(BpfObject entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        entry.ReleaseReference();
    }

    /// <summary>PROG_ARRAY drops its programs when the last user reference goes (<c>prog_array_map_clear</c>).</summary>
    protected override void OnLastUserReferenceReleased()
    {
        if (Type == MapType.ProgArray)
            Clear();
    }

    private protected override void ReleaseEntries() => Clear();
}
