using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SharpBpf.Abi;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Memory;

namespace SharpBpf.Runtime.Maps;

/// <summary>
/// <c>BPF_MAP_TYPE_PERCPU_ARRAY</c>: one copy of every value per possible CPU. A program sees only the copy of
/// the CPU slot it runs on; the syscall side reads and writes all copies at once, <c>round_up(value_size, 8)</c>
/// bytes per CPU in CPU order, padding included.
/// </summary>
/// <remarks>
/// Layout: each CPU's copies of all elements are contiguous in their own block (element <c>i</c> of CPU <c>c</c> at
/// <c>PerCpuBase(c) + i * elem_size</c>), and blocks are <see cref="PerCpuStride"/> bytes apart, a multiple of
/// 64, so two CPUs never write the same cache line.
/// </remarks>
public sealed unsafe class PerCpuArrayMapObject : MapObject
{
    /// <summary>The alignment of each CPU's block: a cache line.</summary>
    public const int CacheLine = 64;

    private readonly NativeBuffer _storage;
    private readonly nint _values;
    private readonly uint _maxEntries;
    private readonly uint _valueSize;
    private readonly nuint _elemSize;
    private readonly nuint _stride;
    private readonly int _cpus;

    internal PerCpuArrayMapObject(in MapParameters p, NativeBuffer header, NativeBuffer storage, ulong stride)
        : base(p, header)
    {
        _storage = storage;
        _values = storage.Address;
        _maxEntries = p.MaxEntries;
        _valueSize = p.ValueSize;
        _elemSize = ElemSize;
        _stride = (nuint)stride;
        _cpus = p.PossibleCpus;
        ref var h = ref HeaderRef;
        h.Values = (ulong)_values;
        h.PerCpuStride = stride;
        h.PossibleCpus = (uint)_cpus;
    }

    /// <summary>The bytes from one CPU's block to the next.</summary>
    public ulong PerCpuStride => _stride;

    /// <summary>The bytes actually allocated for all CPUs' values.</summary>
    public ulong AllocatedBytes => _storage.Size;

    /// <inheritdoc/>
    public override int PossibleCpus => _cpus;

    /// <inheritdoc/>
    public override bool SupportsBatch => true;

    /// <inheritdoc/>
    public override MemoryRegion ValueRegion => new((ulong)_values, (ulong)_stride * (ulong)_cpus, ProgramAccess);

    /// <summary>The address of element 0 of <paramref name="cpu"/>'s copy; 0 if that CPU is not possible.</summary>
    public nint PerCpuBase(int cpu) => (uint)cpu < (uint)_cpus ? _values + (nint)((nuint)cpu * _stride) : 0;

    /// <summary>The region of <paramref name="cpu"/>'s copy only (what a program on that CPU needs).</summary>
    public MemoryRegion ValueRegionForCpu(int cpu) =>
        new((ulong)PerCpuBase(cpu), (uint)cpu < (uint)_cpus ? (ulong)_maxEntries * _elemSize : 0, ProgramAccess);

    /// <inheritdoc/>
    [SkipLocalsInit]
    public override Errno LookupElem(ReadOnlySpan<byte> key, Span<byte> value)
    {
        var index = ReadIndex(key);
        if (index >= _maxEntries)
            return Errno.ENOENT;
        var elem = (uint)_elemSize;
        if ((uint)value.Length < elem * (uint)_cpus)
            return Errno.EFAULT;
        ref var dst = ref MemoryMarshal.GetReference(value);
        var src = (byte*)_values + index * _elemSize;
        for (var cpu = 0; cpu < _cpus; cpu++)
        {
            Unsafe.CopyBlockUnaligned(ref Unsafe.Add(ref dst, (nint)(cpu * elem)), ref *src, elem);
            src += _stride;
        }

        GC.KeepAlive(this);
        return Errno.None;
    }

    /// <summary><c>bpf_percpu_array_update</c>: flags above BPF_EXIST, then the index, then NOEXIST; all copies.</summary>
    public override Errno UpdateElem(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags)
    {
        var index = ReadIndex(key);
        if (flags > ElemFlags.BPF_EXIST)
            return Errno.EINVAL;
        if (index >= _maxEntries)
            return Errno.E2BIG;
        if (flags == ElemFlags.BPF_NOEXIST)
            return Errno.EEXIST;
        var elem = (uint)_elemSize;
        if ((uint)value.Length < elem * (uint)_cpus)
            return Errno.EFAULT;
        ref var src = ref MemoryMarshal.GetReference(value);
        var dst = (byte*)_values + index * _elemSize;
        for (var cpu = 0; cpu < _cpus; cpu++)
        {
            Unsafe.CopyBlockUnaligned(ref *dst, ref Unsafe.Add(ref src, (nint)(cpu * elem)), elem);
            dst += _stride;
        }

        GC.KeepAlive(this);
        return Errno.None;
    }

    /// <inheritdoc/>
    public override Errno DeleteElem(ReadOnlySpan<byte> key) => Errno.EINVAL;

    /// <inheritdoc/>
    public override Errno GetNextKey(ReadOnlySpan<byte> key, Span<byte> nextKey) => ArrayGetNextKey(key, nextKey);

    /// <inheritdoc/>
    /// <remarks>A CPU at or above the possible count, or an index out of range, gives 0 (never an error).</remarks>
    public override nint LookupForProgram(uint index, int cpu) =>
        index < _maxEntries && (uint)cpu < (uint)_cpus
            ? _values + (nint)((nuint)cpu * _stride + index * _elemSize)
            : 0;

    /// <summary>
    /// <c>array_map_update_elem</c> on a per-CPU array: flags, index, NOEXIST, BPF_F_LOCK, then value_size bytes
    /// into <paramref name="cpu"/>'s copy only.
    /// </summary>
    public override Errno UpdateFromProgram(uint index, ReadOnlySpan<byte> value, ulong flags, int cpu)
    {
        if ((flags & ~ElemFlags.BPF_F_LOCK) > ElemFlags.BPF_EXIST)
            return Errno.EINVAL;
        if (index >= _maxEntries)
            return Errno.E2BIG;
        if ((flags & ElemFlags.BPF_NOEXIST) != 0)
            return Errno.EEXIST;
        if ((flags & ElemFlags.BPF_F_LOCK) != 0)
            return Errno.EINVAL;
        if ((uint)cpu >= (uint)_cpus)
            return Errno.EINVAL; // a runtime bug: runs are bound to a possible CPU slot
        var size = _valueSize;
        if ((uint)value.Length < size)
            return Errno.EFAULT;
        var dst = (byte*)_values + (nuint)cpu * _stride + index * _elemSize;
        Unsafe.CopyBlockUnaligned(ref *dst, ref MemoryMarshal.GetReference(value), size);
        GC.KeepAlive(this);
        return Errno.None;
    }
}
