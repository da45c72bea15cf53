using System.Diagnostics;
using SharpBpf.Abi;
using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Helpers;

/// <summary>
/// The Linux helpers that need nothing but the run state. Map helpers are registered by the map implementation.
/// </summary>
public static unsafe class LinuxHelpers
{
    /// <summary>Registers every helper of this class into <paramref name="table"/> under its Linux id.</summary>
    public static void RegisterAll(HelperTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Register(HelperId.KtimeGetNs, &KtimeGetNs);
        table.Register(HelperId.GetPrandomU32, &GetPrandomU32);
        table.Register(HelperId.GetSmpProcessorId, &GetSmpProcessorId);
    }

    /// <summary><c>bpf_ktime_get_ns</c>: monotonic time in nanoseconds.</summary>
    public static ulong KtimeGetNs(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        var ticks = Stopwatch.GetTimestamp();
        // Stopwatch.Frequency is 1e9 on Linux (CLOCK_MONOTONIC); convert in general without overflow.
        return Stopwatch.Frequency == 1_000_000_000
            ? (ulong)ticks
            : (ulong)(ticks / Stopwatch.Frequency * 1_000_000_000
                      + ticks % Stopwatch.Frequency * 1_000_000_000 / Stopwatch.Frequency);
    }

    /// <summary><c>bpf_get_prandom_u32</c>: a pseudo-random 32-bit number.</summary>
    public static ulong GetPrandomU32(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5) =>
#pragma warning disable CA5394 // BPF's prandom is explicitly not cryptographic.
        (uint)Random.Shared.Next() ^ ((uint)Random.Shared.Next() << 1);
#pragma warning restore CA5394

    /// <summary><c>bpf_get_smp_processor_id</c>: the CPU of the run state.</summary>
    public static ulong GetSmpProcessorId(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        ArgumentNullException.ThrowIfNull(state);
        return (uint)state.Cpu;
    }
}
