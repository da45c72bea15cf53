using System.Runtime.InteropServices;

namespace SharpBpf.Runtime.Maps;

/// <summary>
/// The native header block of every userspace map: 64 bytes, 64-byte aligned. Its address (<see cref="MapObject.Header"/>)
/// is what <c>lddw rX, map</c> (<c>src = BPF_PSEUDO_MAP_FD</c>) loads, so helpers receive it as their map argument
/// and compiled code can inline an array lookup from it without calling back into managed code.
/// </summary>
/// <remarks>
/// <para>The layout is fixed; the <c>Offset*</c> constants are the byte offsets for code generators.</para>
/// <para>
/// An inlined ARRAY / PERCPU_ARRAY lookup of index <c>i</c> on CPU <c>c</c> is:
/// <c>i &lt; MaxEntries ? Values + c * PerCpuStride + i * ElemSize : 0</c> (PerCpuStride is 0 for ARRAY, so
/// the CPU term vanishes), and <c>i * ElemSize</c> may be <c>i &lt;&lt; ElemShift</c> when ElemShift is not -1.
/// </para>
/// <para>The header never changes after creation, except that the map is freed when the header is.</para>
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct MapHeader
{
    /// <summary>The size of the header in bytes.</summary>
    public const int Size = 64;

    /// <summary>Byte offset of <see cref="Type"/>.</summary>
    public const int OffsetType = 0;

    /// <summary>Byte offset of <see cref="KeySize"/>.</summary>
    public const int OffsetKeySize = 4;

    /// <summary>Byte offset of <see cref="ValueSize"/>.</summary>
    public const int OffsetValueSize = 8;

    /// <summary>Byte offset of <see cref="ElemSize"/>.</summary>
    public const int OffsetElemSize = 12;

    /// <summary>Byte offset of <see cref="MaxEntries"/>.</summary>
    public const int OffsetMaxEntries = 16;

    /// <summary>Byte offset of <see cref="MapFlags"/>.</summary>
    public const int OffsetMapFlags = 20;

    /// <summary>Byte offset of <see cref="Values"/>.</summary>
    public const int OffsetValues = 24;

    /// <summary>Byte offset of <see cref="PerCpuStride"/>.</summary>
    public const int OffsetPerCpuStride = 32;

    /// <summary>Byte offset of <see cref="PossibleCpus"/>.</summary>
    public const int OffsetPossibleCpus = 40;

    /// <summary>Byte offset of <see cref="ElemShift"/>.</summary>
    public const int OffsetElemShift = 44;

    /// <summary>Byte offset of <see cref="ObjectHandle"/>.</summary>
    public const int OffsetObjectHandle = 48;

    /// <summary>Byte offset of <see cref="Id"/>.</summary>
    public const int OffsetId = 56;

    /// <summary>The <c>MapType</c> as its raw value.</summary>
    [FieldOffset(OffsetType)]
    public uint Type;

    /// <summary><c>key_size</c>.</summary>
    [FieldOffset(OffsetKeySize)]
    public uint KeySize;

    /// <summary><c>value_size</c>: the bytes a program may access in a value.</summary>
    [FieldOffset(OffsetValueSize)]
    public uint ValueSize;

    /// <summary><c>round_up(value_size, 8)</c>: the distance between consecutive elements (0 for fd arrays).</summary>
    [FieldOffset(OffsetElemSize)]
    public uint ElemSize;

    /// <summary><c>max_entries</c>.</summary>
    [FieldOffset(OffsetMaxEntries)]
    public uint MaxEntries;

    /// <summary><c>map_flags</c> as the map keeps them (BPF_F_RDONLY / BPF_F_WRONLY removed).</summary>
    [FieldOffset(OffsetMapFlags)]
    public uint MapFlags;

    /// <summary>The address of element 0 (of CPU 0's copy for per-CPU maps); 0 for fd arrays.</summary>
    [FieldOffset(OffsetValues)]
    public ulong Values;

    /// <summary>Bytes between one CPU's copy of the value area and the next; 0 unless per-CPU.</summary>
    [FieldOffset(OffsetPerCpuStride)]
    public ulong PerCpuStride;

    /// <summary>The number of per-CPU copies (the backend's possible CPUs; 1 for maps that are not per-CPU).</summary>
    [FieldOffset(OffsetPossibleCpus)]
    public uint PossibleCpus;

    /// <summary><c>log2(ElemSize)</c> when ElemSize is a power of two, else -1.</summary>
    [FieldOffset(OffsetElemShift)]
    public int ElemShift;

    /// <summary>A weak <see cref="GCHandle"/> to the <see cref="MapObject"/> (see <see cref="MapObject.FromHeader"/>).</summary>
    [FieldOffset(OffsetObjectHandle)]
    public nint ObjectHandle;

    /// <summary>The map's id.</summary>
    [FieldOffset(OffsetId)]
    public uint Id;
}
