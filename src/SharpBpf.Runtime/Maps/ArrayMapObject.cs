using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Memory;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Runtime.Maps;

/// <summary>
/// <c>BPF_MAP_TYPE_ARRAY</c>: <c>max_entries</c> values of <c>value_size</c> bytes, element <c>i</c> at
/// <c>i * round_up(value_size, 8)</c> from <see cref="Values"/>, all existing and zero from the start.
/// With BPF_F_MMAPABLE the area is page-aligned and a whole number of pages long, so it can be mapped.
/// </summary>
public sealed unsafe class ArrayMapObject : MapObject
{
    private readonly NativeBuffer _storage;
    private readonly nint _values;
    private readonly uint _maxEntries;
    private readonly uint _valueSize;
    private readonly nuint _elemSize;
    private readonly ulong _areaLength;

    internal ArrayMapObject(in MapParameters p, NativeBuffer header, NativeBuffer storage, ulong areaLength)
        : base(p, header)
    {
        _storage = storage;
        _values = storage.Address;
        _maxEntries = p.MaxEntries;
        _valueSize = p.ValueSize;
        _elemSize = ElemSize;
        _areaLength = areaLength;
        HeaderRef.Values = (ulong)_values;
    }

    /// <summary>The address of element 0.</summary>
    public nint Values => _values;

    /// <summary>
    /// The length of the value area in bytes: <c>max_entries * elem_size</c>, rounded up to whole pages for
    /// BPF_F_MMAPABLE (the rest of the last page reads as zero, as through the kernel's mapping).
    /// </summary>
    public ulong ValuesLength => _areaLength;

    /// <summary>The bytes actually allocated for values.</summary>
    public ulong AllocatedBytes => _storage.Size;

    /// <summary>True if the map was created with BPF_F_MMAPABLE.</summary>
    public bool IsMmapable => (MapFlags & (uint)Abi.MapFlags.BPF_F_MMAPABLE) != 0;

    /// <inheritdoc/>
    public override MemoryRegion ValueRegion => new((ulong)_values, (ulong)_maxEntries * _elemSize, ProgramAccess);

    /// <inheritdoc/>
    public override bool SupportsBatch => true;

    /// <inheritdoc/>
    [SkipLocalsInit]
    public override Errno LookupElem(ReadOnlySpan<byte> key, Span<byte> value)
    {
        var index = ReadIndex(key);
        if (index >= _maxEntries)
            return Errno.ENOENT;
        var size = _valueSize;
        if ((uint)value.Length < size)
            return Errno.EFAULT;
        CopyValue(ref MemoryMarshal.GetReference(value), ref *(byte*)(_values + (nint)(index * _elemSize)), size);
        GC.KeepAlive(this);
        return Errno.None;
    }

    /// <inheritdoc/>
    public override Errno UpdateElem(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags) =>
        Update(ReadIndex(key), value, flags);

    /// <inheritdoc/>
    public override Errno DeleteElem(ReadOnlySpan<byte> key) => Errno.EINVAL;

    /// <inheritdoc/>
    public override Errno GetNextKey(ReadOnlySpan<byte> key, Span<byte> nextKey) => ArrayGetNextKey(key, nextKey);

    /// <inheritdoc/>
    public override nint LookupForProgram(uint index, int cpu) =>
        index < _maxEntries ? _values + (nint)(index * _elemSize) : 0;

    /// <inheritdoc/>
    public override Errno UpdateFromProgram(uint index, ReadOnlySpan<byte> value, ulong flags, int cpu) =>
        Update(index, value, flags);

    /// <inheritdoc/>
    public override Errno Mmap(OpenFile file, long offset, long length, bool writable, out MappedRegion? region)
    {
        region = null;
        // A read-only description loses VM_SHARED in do_mmap, and bpf_map_mmap refuses a private mapping.
        if (!file.CanWrite)
            return Errno.EINVAL;
        var err = BeginMapping(writable);
        if (err != Errno.None)
            return err;
        if (!IsMmapable || (ulong)offset + (ulong)length > _areaLength)
        {
            if (writable)
                EndWritableMapping();
            return Errno.EINVAL;
        }

        // The mapping keeps the description open, as a vma keeps its struct file (and so the map's uref).
        file.AddRef();
        region = new ArrayMappedRegion(this, file, _values + (nint)offset, length, writable);
        return Errno.None;
    }

    internal void Unmapped(OpenFile file, bool writable)
    {
        if (writable)
            EndWritableMapping();
        file.Release();
    }

    /// <summary><c>array_map_update_elem</c>: flags, then the index, then NOEXIST, then BPF_F_LOCK.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Errno Update(uint index, ReadOnlySpan<byte> value, ulong flags)
    {
        if ((flags & ~ElemFlags.BPF_F_LOCK) > ElemFlags.BPF_EXIST)
            return Errno.EINVAL;
        if (index >= _maxEntries)
            return Errno.E2BIG;
        if ((flags & ElemFlags.BPF_NOEXIST) != 0)
            return Errno.EEXIST;
        if ((flags & ElemFlags.BPF_F_LOCK) != 0)
            return Errno.EINVAL; // no bpf_spin_lock in values without BTF
        var size = _valueSize;
        if ((uint)value.Length < size)
            return Errno.EFAULT;
        CopyValue(ref *(byte*)(_values + (nint)(index * _elemSize)), ref MemoryMarshal.GetReference(value), size);
        GC.KeepAlive(this);
        return Errno.None;
    }

    private sealed class ArrayMappedRegion(ArrayMapObject map, OpenFile file, nint address, long length, bool writable)
        : MappedRegion
    {
        public override nint Address => address;

        public override long Length => length;

        public override bool Writable => writable;

        protected override void Unmap() => map.Unmapped(file, writable);
    }
}
