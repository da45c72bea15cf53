namespace SharpBpf.Perf;

/// <summary><c>struct perf_event_header</c>: the 8 bytes that start every ring record.</summary>
/// <param name="Type">The record type (<see cref="PerfRecordType"/> for the ones a BPF-output ring holds).</param>
/// <param name="Misc">Flags such as <see cref="PerfRingLayout.MiscKernel"/>.</param>
/// <param name="Size">The whole record size, header included.</param>
public readonly record struct PerfRecordHeader(uint Type, ushort Misc, ushort Size);
