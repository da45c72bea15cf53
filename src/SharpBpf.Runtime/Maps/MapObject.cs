using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Memory;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Runtime.Maps;

/// <summary>
/// A live map of the userspace runtime (the kernel's <c>struct bpf_map</c>): its attributes, its native header
/// block, its freeze state, and the operations of its type.
/// </summary>
/// <remarks>
/// <para>
/// Two sets of operations. The <em>syscall side</em> (<see cref="LookupElem"/>, <see cref="UpdateElem"/>, ...) is
/// what <c>bpf(2)</c> commands reach after the backend has resolved the descriptor and done the checks the kernel
/// does in <c>kernel/bpf/syscall.c</c> (access mode, frozen, flags, key and value buffers); these methods then
/// behave like the map type's <c>map_ops</c>. The <em>program side</em> (<see cref="LookupForProgram"/>,
/// <see cref="UpdateFromProgram"/>, <see cref="DeleteFromProgram"/>) is what the helpers call with the semantics a
/// running program sees.
/// </para>
/// <para>
/// Values live in native memory that programs address directly. The memory is freed only when the object is
/// unreachable (see <see cref="NativeBuffer"/>); the budget charge is returned when the last reference goes.
/// </para>
/// </remarks>
public abstract unsafe class MapObject : BpfObject
{
    private readonly NativeBuffer _header;
    private readonly MemoryBudget _budget;
    private readonly Lock _freezeLock = new();
    private GCHandle _self;
    private volatile bool _frozen;
    private int _writableMappings;

    /// <summary>Builds the common part; <paramref name="header"/> is a zeroed 64-byte block this object now owns.</summary>
    private protected MapObject(in MapParameters p, NativeBuffer header)
    {
        Type = p.Type;
        KeySize = p.KeySize;
        ValueSize = p.ValueSize;
        MaxEntries = p.MaxEntries;
        MapFlags = p.MapFlags;
        Name = p.Name;
        MapExtra = p.MapExtra;
        BtfId = p.BtfId;
        MemoryUsage = p.MemoryUsage;
        _budget = p.Budget;
        _header = header;
        ElemSize = (p.ValueSize + 7u) & ~7u;
        SyscallValueSize = p.Type == MapType.PerCpuArray ? (int)ElemSize * p.PossibleCpus : (int)p.ValueSize;
        TakesDescriptors = p.Type is MapType.ProgArray or MapType.PerfEventArray or MapType.CgroupArray;
        _self = GCHandle.Alloc(this, GCHandleType.Weak);

        ref var h = ref HeaderRef;
        h.Type = (uint)p.Type;
        h.KeySize = p.KeySize;
        h.ValueSize = p.ValueSize;
        h.ElemSize = ElemSize;
        h.MaxEntries = p.MaxEntries;
        h.MapFlags = p.MapFlags;
        h.PossibleCpus = 1;
        h.ElemShift = ElemSize != 0 && (ElemSize & (ElemSize - 1)) == 0 ? System.Numerics.BitOperations.Log2(ElemSize) : -1;
        h.ObjectHandle = GCHandle.ToIntPtr(_self);
    }

    /// <inheritdoc/>
    public override ObjectKind Kind => ObjectKind.Map;

    /// <summary>The map type.</summary>
    public MapType Type { get; }

    /// <summary><c>key_size</c>.</summary>
    public uint KeySize { get; }

    /// <summary><c>value_size</c>.</summary>
    public uint ValueSize { get; }

    /// <summary><c>round_up(value_size, 8)</c>, the distance between elements.</summary>
    public uint ElemSize { get; }

    /// <summary><c>max_entries</c>.</summary>
    public uint MaxEntries { get; }

    /// <summary><c>map_flags</c> as kept (BPF_F_RDONLY / BPF_F_WRONLY are properties of descriptors, not of the map).</summary>
    public uint MapFlags { get; }

    /// <summary>The map's name.</summary>
    public string Name { get; }

    /// <summary><c>map_extra</c>.</summary>
    public ulong MapExtra { get; }

    /// <summary>The BTF object id given at creation, or 0.</summary>
    public uint BtfId { get; }

    /// <summary>The bytes charged to the memory budget (the kernel's <c>map_mem_usage</c>, fdinfo's <c>memlock</c>).</summary>
    public ulong MemoryUsage { get; }

    /// <summary>The address of the map's <see cref="MapHeader"/>: what <c>lddw</c> of this map loads.</summary>
    public nint Header => _header.Address;

    /// <summary>True once BPF_MAP_FREEZE succeeded: syscall-side writes fail with EPERM; programs still write.</summary>
    public bool IsFrozen => _frozen;

    /// <summary>The number of per-CPU copies of a value (1 unless the map is per-CPU).</summary>
    public virtual int PossibleCpus => 1;

    /// <summary>What programs may do with values: BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG, else both.</summary>
    public MemoryAccess ProgramAccess =>
        (MapFlags & (uint)Abi.MapFlags.BPF_F_RDONLY_PROG) != 0 ? MemoryAccess.Read
        : (MapFlags & (uint)Abi.MapFlags.BPF_F_WRONLY_PROG) != 0 ? MemoryAccess.Write
        : MemoryAccess.ReadWrite;

    /// <summary>
    /// The native value area programs may address (all CPUs' copies for a per-CPU map), with
    /// <see cref="ProgramAccess"/>; an empty region for maps whose values are not memory (fd arrays).
    /// </summary>
    public virtual MemoryRegion ValueRegion => default;

    /// <summary>
    /// The bytes a syscall-side lookup or update of one element reads or writes: value_size, or
    /// <c>round_up(value_size, 8) * possible CPUs</c> for per-CPU maps (the kernel's <c>bpf_map_value_size</c>).
    /// </summary>
    public int SyscallValueSize { get; }

    /// <summary>True for the fd-array types, whose syscall-side update resolves a descriptor.</summary>
    public bool TakesDescriptors { get; }

    /// <summary>True if the type has the generic BPF_MAP_LOOKUP_BATCH / BPF_MAP_UPDATE_BATCH (else ENOTSUPP).</summary>
    public virtual bool SupportsBatch => false;

    /// <summary>What BPF_OBJ_GET_INFO_BY_FD reports.</summary>
    public MapInfo Info => new(Type, Id, KeySize, ValueSize, MaxEntries, MapFlags, Name, BtfId, MapExtra);

    internal ref MapHeader HeaderRef => ref *(MapHeader*)_header.Address;

    /// <summary>
    /// The map whose header is at <paramref name="header"/>, for helpers that receive the header address as their
    /// map argument; null if there is none. Only valid while something holds a reference on the map.
    /// </summary>
    public static MapObject? FromHeader(nint header)
    {
        if (header == 0)
            return null;
        var handle = ((MapHeader*)header)->ObjectHandle;
        return handle == 0 ? null : GCHandle.FromIntPtr(handle).Target as MapObject;
    }

    /// <summary>Syscall side: copies the value of <paramref name="key"/> into <paramref name="value"/>.</summary>
    /// <param name="key">At least <see cref="KeySize"/> bytes (checked by the caller).</param>
    /// <param name="value">The user buffer; shorter than <see cref="SyscallValueSize"/> gives EFAULT after the lookup.</param>
    public abstract Errno LookupElem(ReadOnlySpan<byte> key, Span<byte> value);

    /// <summary>Syscall side: BPF_MAP_UPDATE_ELEM after the generic checks.</summary>
    /// <param name="key">At least <see cref="KeySize"/> bytes.</param>
    /// <param name="value">At least <see cref="SyscallValueSize"/> bytes.</param>
    /// <param name="flags">The element flags (BPF_F_LOCK already rejected).</param>
    public abstract Errno UpdateElem(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags);

    /// <summary>Syscall side: BPF_MAP_DELETE_ELEM after the generic checks.</summary>
    public abstract Errno DeleteElem(ReadOnlySpan<byte> key);

    /// <summary>Syscall side: writes the key after <paramref name="key"/> (empty: the first key) into <paramref name="nextKey"/>.</summary>
    /// <param name="key">Empty (NULL) or at least <see cref="KeySize"/> bytes.</param>
    /// <param name="nextKey">Exactly <see cref="KeySize"/> bytes of scratch.</param>
    public abstract Errno GetNextKey(ReadOnlySpan<byte> key, Span<byte> nextKey);

    /// <summary>Syscall side: BPF_MAP_LOOKUP_AND_DELETE_ELEM after the generic checks (ENOTSUPP for the array family).</summary>
    public virtual Errno LookupAndDeleteElem(ReadOnlySpan<byte> key, Span<byte> value, ulong flags) => Errno.ENOTSUPP;

    /// <summary>
    /// Syscall side: the <c>map_mmap</c> part of mmap, after the file-mode checks. The default is the kernel's
    /// answer for a type without <c>map_mmap</c>.
    /// </summary>
    /// <param name="file">The description mapped through (the mapping keeps it open).</param>
    /// <param name="offset">A page-aligned, non-negative offset.</param>
    /// <param name="length">The length rounded up to whole pages.</param>
    /// <param name="writable">PROT_WRITE.</param>
    /// <param name="region">The mapping on success.</param>
    public virtual Errno Mmap(OpenFile file, long offset, long length, bool writable, out MappedRegion? region)
    {
        region = null;
        return Errno.ENOTSUPP;
    }

    /// <summary>
    /// Program side: the address of the value of element <paramref name="index"/> as the program on
    /// <paramref name="cpu"/> sees it (that CPU's copy for per-CPU maps), or 0 for an index out of range or a CPU
    /// that is not possible. This is <c>bpf_map_lookup_elem</c> and <c>bpf_map_lookup_percpu_elem</c>.
    /// </summary>
    public virtual nint LookupForProgram(uint index, int cpu) => 0;

    /// <summary>
    /// Program side: <c>bpf_map_update_elem</c> from a program running on <paramref name="cpu"/>: copies
    /// value_size bytes of <paramref name="value"/> (into that CPU's copy for per-CPU maps).
    /// </summary>
    public virtual Errno UpdateFromProgram(uint index, ReadOnlySpan<byte> value, ulong flags, int cpu) => Errno.EINVAL;

    /// <summary>Program side: <c>bpf_map_delete_elem</c> (always EINVAL for ARRAY and PERCPU_ARRAY).</summary>
    public virtual Errno DeleteFromProgram(uint index) => Errno.EINVAL;

    /// <summary>
    /// Called when a program that references this map is loaded, before the program is published: a PROG_ARRAY
    /// fixes or checks its owner program type here (the kernel's <c>bpf_prog_map_compatible</c>, spec D). The
    /// default accepts every program.
    /// </summary>
    /// <returns>An errno (EINVAL) to refuse the load; the kernel writes no verifier message for it.</returns>
    public virtual Errno BindProgram(ProgramObject program) => Errno.None;

    /// <summary>BPF_MAP_FREEZE after the access checks: EBUSY while a writable mapping exists or if already frozen.</summary>
    public Errno Freeze()
    {
        lock (_freezeLock)
        {
            if (_writableMappings > 0 || _frozen)
                return Errno.EBUSY;
            _frozen = true;
            return Errno.None;
        }
    }

    /// <summary>The bytes of element <paramref name="index"/> a program on CPU 0 would see (for tests and tools).</summary>
    public Span<byte> DebugView(uint index)
    {
        var p = LookupForProgram(index, 0);
        return p == 0 ? default : new Span<byte>((void*)p, (int)ValueSize);
    }

    /// <summary>
    /// Registers a new mapping with the checks the kernel does under <c>freeze_mutex</c>: EPERM if frozen,
    /// EACCES for BPF_F_RDONLY_PROG; a writable mapping counts against freezing until <see cref="EndWritableMapping"/>.
    /// </summary>
    private protected Errno BeginMapping(bool writable)
    {
        if (!writable)
            return Errno.None;
        lock (_freezeLock)
        {
            if (_frozen)
                return Errno.EPERM;
            if ((MapFlags & (uint)Abi.MapFlags.BPF_F_RDONLY_PROG) != 0)
                return Errno.EACCES;
            _writableMappings++;
            return Errno.None;
        }
    }

    /// <summary>Ends a writable mapping registered by <see cref="BeginMapping"/>.</summary>
    private protected void EndWritableMapping()
    {
        lock (_freezeLock)
            _writableMappings--;
    }

    /// <summary>Writes the published id into the header (called by the factory after publishing).</summary>
    internal void StampId() => HeaderRef.Id = Id;

    /// <summary>Type-specific release of entries (fd arrays drop their references); called once from <see cref="OnFree"/>.</summary>
    private protected virtual void ReleaseEntries()
    {
    }

    /// <inheritdoc/>
    protected override void OnFree()
    {
        ReleaseEntries();
        HeaderRef.ObjectHandle = 0;
        if (_self.IsAllocated)
            _self.Free();
        _budget.Release(MemoryUsage);
    }

    /// <summary>Copies <paramref name="size"/> bytes; 8- and 4-byte values (counters) without a call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private protected static void CopyValue(ref byte destination, ref byte source, uint size)
    {
        if (size == 8)
            Unsafe.WriteUnaligned(ref destination, Unsafe.ReadUnaligned<ulong>(ref source));
        else if (size == 4)
            Unsafe.WriteUnaligned(ref destination, Unsafe.ReadUnaligned<uint>(ref source));
        else
            Unsafe.CopyBlockUnaligned(ref destination, ref source, size);
    }

    /// <summary>Reads a 4-byte array index from a key buffer of at least 4 bytes, without a bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private protected static uint ReadIndex(ReadOnlySpan<byte> key) =>
        Unsafe.ReadUnaligned<uint>(ref MemoryMarshal.GetReference(key));

    /// <summary>
    /// <c>array_map_get_next_key</c>: NULL or an index out of range gives 0, the last index ENOENT, else index + 1.
    /// </summary>
    private protected Errno ArrayGetNextKey(ReadOnlySpan<byte> key, Span<byte> nextKey)
    {
        var index = key.IsEmpty ? uint.MaxValue : ReadIndex(key);
        uint next;
        if (index >= MaxEntries)
            next = 0;
        else if (index == MaxEntries - 1)
            return Errno.ENOENT;
        else
            next = index + 1;
        Unsafe.WriteUnaligned(ref MemoryMarshal.GetReference(nextKey), next);
        return Errno.None;
    }
}
