using System.Runtime.InteropServices;

#pragma warning disable CA1051 // Interop struct: plain public fields are the point.

namespace SharpBpf.Linux.Interop;

/// <summary><c>struct perf_event_attr</c> up to <c>PERF_ATTR_SIZE_VER7</c> (128 bytes); only the fields SharpBPF sets.</summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct PerfEventAttrNative
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Size;
    [FieldOffset(8)] public ulong Config;
    [FieldOffset(16)] public ulong SamplePeriodOrFreq;
    [FieldOffset(24)] public ulong SampleType;
    [FieldOffset(32)] public ulong ReadFormat;
    /// <summary>The bitfield word: disabled (bit 0), inherit (bit 1), ..., watermark (bit 14).</summary>
    [FieldOffset(40)] public ulong Flags;
    [FieldOffset(48)] public uint WakeupEventsOrWatermark;
}
