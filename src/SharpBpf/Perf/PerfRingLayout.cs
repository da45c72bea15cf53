namespace SharpBpf.Perf;

/// <summary>
/// The kernel's perf ring layout: a mapping of <c>1 + 2^n</c> pages whose first page is a
/// <c>struct perf_event_mmap_page</c> and whose data area follows it. Offsets checked against
/// <c>linux/perf_event.h</c> with <c>offsetof</c>.
/// </summary>
public static class PerfRingLayout
{
    /// <summary><c>offsetof(struct perf_event_mmap_page, capabilities)</c>.</summary>
    public const int CapabilitiesOffset = 40;

    /// <summary><c>offsetof(struct perf_event_mmap_page, size)</c>.</summary>
    public const int SizeOffset = 72;

    /// <summary><c>offsetof(struct perf_event_mmap_page, __reserved)</c>: what the kernel stores in <c>size</c>.</summary>
    public const int HeaderSizeValue = 96;

    /// <summary><c>cap_bit0_is_deprecated</c> within <c>capabilities</c>; the kernel always sets it.</summary>
    public const ulong CapBit0IsDeprecated = 1UL << 1;

    /// <summary><c>offsetof(struct perf_event_mmap_page, data_head)</c>: written by the producer (release).</summary>
    public const int DataHeadOffset = 1024;

    /// <summary><c>offsetof(struct perf_event_mmap_page, data_tail)</c>: written by the reader (release).</summary>
    public const int DataTailOffset = 1032;

    /// <summary><c>offsetof(struct perf_event_mmap_page, data_offset)</c>: where the data area starts in the mapping.</summary>
    public const int DataOffsetOffset = 1040;

    /// <summary><c>offsetof(struct perf_event_mmap_page, data_size)</c>: the data area's size, a power of two.</summary>
    public const int DataSizeOffset = 1048;

    /// <summary><c>sizeof(struct perf_event_header)</c>: <c>{u32 type; u16 misc; u16 size;}</c>.</summary>
    public const int RecordHeaderSize = 8;

    /// <summary>The size of a <c>PERF_RECORD_LOST</c> without <c>sample_id_all</c>: header, u64 id, u64 lost.</summary>
    public const int LostRecordSize = 24;

    /// <summary>Header plus the u32 <c>raw.size</c> of a raw <c>PERF_RECORD_SAMPLE</c>.</summary>
    public const int SampleFixedSize = 12;

    /// <summary><c>PERF_RECORD_MISC_KERNEL</c>: the <c>misc</c> of samples written by BPF programs.</summary>
    public const ushort MiscKernel = 1;

    /// <summary>
    /// The largest raw payload whose sample still fits the u16 <c>header.size</c>: 12 + 65516 = 65528, the largest
    /// multiple of 8 below 65536.
    /// </summary>
    public const int MaxRawPayload = 65516;

    /// <summary><c>raw.size</c> for an <paramref name="n"/>-byte output: <c>round_up(n + 4, 8) - 4</c>.</summary>
    public static uint RawSize(uint n) => (uint)((((ulong)n + 4 + 7) & ~7UL) - 4);

    /// <summary>The whole <c>PERF_RECORD_SAMPLE</c> size for an <paramref name="n"/>-byte output: <c>8 + 4 + raw.size</c>.</summary>
    public static uint SampleRecordSize(uint n) => SampleFixedSize + RawSize(n);
}
