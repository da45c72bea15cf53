using System.Runtime.InteropServices;

// The members of union bpf_attr (include/uapi/linux/bpf.h), one struct per command family, laid out at the kernel's
// offsets. Each is passed with its own size, the prefix of the union that the command reads; the kernel treats the
// rest of its union as zero. Offsets were checked with offsetof() against the UAPI header.
#pragma warning disable CA1051 // Interop structs: plain public fields are the point.

namespace SharpBpf.Linux.Interop;

/// <summary>The <c>BPF_MAP_CREATE</c> member.</summary>
[StructLayout(LayoutKind.Explicit, Size = 72)]
internal unsafe struct MapCreateAttrNative
{
    [FieldOffset(0)] public uint MapType;
    [FieldOffset(4)] public uint KeySize;
    [FieldOffset(8)] public uint ValueSize;
    [FieldOffset(12)] public uint MaxEntries;
    [FieldOffset(16)] public uint MapFlags;
    [FieldOffset(20)] public uint InnerMapFd;
    [FieldOffset(24)] public uint NumaNode;
    [FieldOffset(28)] public fixed byte MapName[BpfAttrConstants.ObjNameLength];
    [FieldOffset(44)] public uint MapIfIndex;
    [FieldOffset(48)] public uint BtfFd;
    [FieldOffset(52)] public uint BtfKeyTypeId;
    [FieldOffset(56)] public uint BtfValueTypeId;
    [FieldOffset(60)] public uint BtfVmlinuxValueTypeId;
    [FieldOffset(64)] public ulong MapExtra;
}

/// <summary>The <c>BPF_MAP_*_ELEM</c>, <c>BPF_MAP_GET_NEXT_KEY</c> member (<c>value</c> and <c>next_key</c> share offset 16).</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct MapElemAttr
{
    [FieldOffset(0)] public uint MapFd;
    [FieldOffset(8)] public ulong Key;
    [FieldOffset(16)] public ulong ValueOrNextKey;
    [FieldOffset(24)] public ulong Flags;
}

/// <summary>The prefix <c>BPF_MAP_FREEZE</c> reads: only <c>map_fd</c>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 4)]
internal struct MapFdAttr
{
    [FieldOffset(0)] public uint MapFd;
}

/// <summary>The <c>batch</c> member used by the <c>BPF_MAP_*_BATCH</c> commands.</summary>
[StructLayout(LayoutKind.Explicit, Size = 56)]
internal struct MapBatchAttr
{
    [FieldOffset(0)] public ulong InBatch;
    [FieldOffset(8)] public ulong OutBatch;
    [FieldOffset(16)] public ulong Keys;
    [FieldOffset(24)] public ulong Values;
    [FieldOffset(32)] public uint Count;
    [FieldOffset(36)] public uint MapFd;
    [FieldOffset(40)] public ulong ElemFlags;
    [FieldOffset(48)] public ulong Flags;
}

/// <summary>The <c>BPF_PROG_LOAD</c> member up to <c>log_true_size</c> (Linux 6.4; padding before, so harmless).</summary>
[StructLayout(LayoutKind.Explicit, Size = 144)]
internal unsafe struct ProgLoadAttrNative
{
    [FieldOffset(0)] public uint ProgType;
    [FieldOffset(4)] public uint InsnCount;
    [FieldOffset(8)] public ulong Insns;
    [FieldOffset(16)] public ulong License;
    [FieldOffset(24)] public uint LogLevel;
    [FieldOffset(28)] public uint LogSize;
    [FieldOffset(32)] public ulong LogBuf;
    [FieldOffset(40)] public uint KernVersion;
    [FieldOffset(44)] public uint ProgFlags;
    [FieldOffset(48)] public fixed byte ProgName[BpfAttrConstants.ObjNameLength];
    [FieldOffset(64)] public uint ProgIfIndex;
    [FieldOffset(68)] public uint ExpectedAttachType;
    [FieldOffset(72)] public uint ProgBtfFd;
    [FieldOffset(76)] public uint FuncInfoRecSize;
    [FieldOffset(80)] public ulong FuncInfo;
    [FieldOffset(88)] public uint FuncInfoCount;
    [FieldOffset(92)] public uint LineInfoRecSize;
    [FieldOffset(96)] public ulong LineInfo;
    [FieldOffset(104)] public uint LineInfoCount;
    [FieldOffset(108)] public uint AttachBtfId;
    [FieldOffset(112)] public uint AttachProgFd;
    [FieldOffset(116)] public uint CoreReloCount;
    [FieldOffset(120)] public ulong FdArray;
    [FieldOffset(128)] public ulong CoreRelos;
    [FieldOffset(136)] public uint CoreReloRecSize;
    [FieldOffset(140)] public uint LogTrueSize;
}

/// <summary>The <c>BPF_OBJ_PIN</c> / <c>BPF_OBJ_GET</c> member.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct ObjAttr
{
    [FieldOffset(0)] public ulong PathName;
    [FieldOffset(8)] public uint BpfFd;
    [FieldOffset(12)] public uint FileFlags;
}

/// <summary>The <c>test</c> member used by <c>BPF_PROG_TEST_RUN</c>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 80)]
internal struct TestRunAttrNative
{
    [FieldOffset(0)] public uint ProgFd;
    [FieldOffset(4)] public uint Retval;
    [FieldOffset(8)] public uint DataSizeIn;
    [FieldOffset(12)] public uint DataSizeOut;
    [FieldOffset(16)] public ulong DataIn;
    [FieldOffset(24)] public ulong DataOut;
    [FieldOffset(32)] public uint Repeat;
    [FieldOffset(36)] public uint Duration;
    [FieldOffset(40)] public uint CtxSizeIn;
    [FieldOffset(44)] public uint CtxSizeOut;
    [FieldOffset(48)] public ulong CtxIn;
    [FieldOffset(56)] public ulong CtxOut;
    [FieldOffset(64)] public uint Flags;
    [FieldOffset(68)] public uint Cpu;
    [FieldOffset(72)] public uint BatchSize;
}

/// <summary>The member used by <c>BPF_*_GET_NEXT_ID</c> and <c>BPF_*_GET_FD_BY_ID</c>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 12)]
internal struct GetIdAttr
{
    [FieldOffset(0)] public uint StartOrObjectId;
    [FieldOffset(4)] public uint NextId;
    [FieldOffset(8)] public uint OpenFlags;
}

/// <summary>The <c>info</c> member used by <c>BPF_OBJ_GET_INFO_BY_FD</c>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct InfoAttr
{
    [FieldOffset(0)] public uint BpfFd;
    [FieldOffset(4)] public uint InfoLength;
    [FieldOffset(8)] public ulong Info;
}

/// <summary>The <c>BPF_BTF_LOAD</c> member up to <c>btf_log_true_size</c> (Linux 6.4).</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct BtfLoadAttrNative
{
    [FieldOffset(0)] public ulong Btf;
    [FieldOffset(8)] public ulong LogBuf;
    [FieldOffset(16)] public uint BtfSize;
    [FieldOffset(20)] public uint LogSize;
    [FieldOffset(24)] public uint LogLevel;
    [FieldOffset(28)] public uint LogTrueSize;
}

/// <summary><c>struct bpf_map_info</c> (the 88 bytes of the 6.1 UAPI; newer kernels fill only what we ask for).</summary>
[StructLayout(LayoutKind.Explicit, Size = 88)]
internal unsafe struct BpfMapInfoNative
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Id;
    [FieldOffset(8)] public uint KeySize;
    [FieldOffset(12)] public uint ValueSize;
    [FieldOffset(16)] public uint MaxEntries;
    [FieldOffset(20)] public uint MapFlags;
    [FieldOffset(24)] public fixed byte Name[BpfAttrConstants.ObjNameLength];
    [FieldOffset(40)] public uint IfIndex;
    [FieldOffset(44)] public uint BtfVmlinuxValueTypeId;
    [FieldOffset(48)] public ulong NetnsDev;
    [FieldOffset(56)] public ulong NetnsIno;
    [FieldOffset(64)] public uint BtfId;
    [FieldOffset(68)] public uint BtfKeyTypeId;
    [FieldOffset(72)] public uint BtfValueTypeId;
    [FieldOffset(80)] public ulong MapExtra;
}

/// <summary><c>struct bpf_prog_info</c> (the 232 bytes of the 6.1 UAPI).</summary>
[StructLayout(LayoutKind.Explicit, Size = 232)]
internal unsafe struct BpfProgInfoNative
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Id;
    [FieldOffset(8)] public fixed byte Tag[8];
    [FieldOffset(16)] public uint JitedProgLength;
    [FieldOffset(20)] public uint XlatedProgLength;
    [FieldOffset(24)] public ulong JitedProgInsns;
    [FieldOffset(32)] public ulong XlatedProgInsns;
    [FieldOffset(40)] public ulong LoadTime;
    [FieldOffset(48)] public uint CreatedByUid;
    [FieldOffset(52)] public uint MapIdCount;
    [FieldOffset(56)] public ulong MapIds;
    [FieldOffset(64)] public fixed byte Name[BpfAttrConstants.ObjNameLength];
    [FieldOffset(80)] public uint IfIndex;
    [FieldOffset(84)] public uint GplCompatibleBits;
    [FieldOffset(192)] public ulong RunTimeNs;
    [FieldOffset(200)] public ulong RunCount;
    [FieldOffset(216)] public uint VerifiedInsns;
}

/// <summary>Sizes shared by the attr structs.</summary>
internal static class BpfAttrConstants
{
    /// <summary><c>BPF_OBJ_NAME_LEN</c>.</summary>
    public const int ObjNameLength = 16;
}
