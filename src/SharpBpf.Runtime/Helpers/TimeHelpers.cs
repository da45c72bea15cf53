using System.Diagnostics;
using System.Globalization;
using SharpBpf.Abi;
using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Helpers;

/// <summary>
/// The clock helpers: <c>bpf_ktime_get_ns</c> (5, <c>CLOCK_MONOTONIC</c>) and <c>bpf_ktime_get_boot_ns</c> (125,
/// <c>CLOCK_BOOTTIME</c>: monotonic time plus the time the machine spent suspended).
/// </summary>
public static unsafe class TimeHelpers
{
    private static readonly Lazy<ulong> s_suspendedNs = new(ReadSuspendedNs);

    /// <summary>Registers the helpers of this class into <paramref name="table"/> under their Linux ids.</summary>
    public static void Register(HelperTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Register(HelperId.KtimeGetNs, &KtimeGetNs);
        table.Register(HelperId.KtimeGetBootNs, &KtimeGetBootNs);
    }

    /// <summary><c>u64 bpf_ktime_get_ns(void)</c>: monotonic time in nanoseconds (Stopwatch is CLOCK_MONOTONIC on Linux).</summary>
    public static ulong KtimeGetNs(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5) => MonotonicNs();

    /// <summary><c>u64 bpf_ktime_get_boot_ns(void)</c>: like <see cref="KtimeGetNs"/>, including time suspended.</summary>
    public static ulong KtimeGetBootNs(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5) =>
        MonotonicNs() + s_suspendedNs.Value;

    private static ulong MonotonicNs()
    {
        var ticks = Stopwatch.GetTimestamp();
        var frequency = Stopwatch.Frequency;
        return frequency == 1_000_000_000
            ? (ulong)ticks
            : (ulong)((ticks / frequency * 1_000_000_000) + (ticks % frequency * 1_000_000_000 / frequency));
    }

    /// <summary>
    /// CLOCK_BOOTTIME - CLOCK_MONOTONIC, read once from <c>/proc/uptime</c> (boot time, 10 ms resolution): a
    /// difference below 50 ms is rounding, not suspension, and counts as none. 0 where there is no such file.
    /// </summary>
    private static ulong ReadSuspendedNs()
    {
        try
        {
            var text = File.ReadAllText("/proc/uptime").Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            var uptimeNs = (ulong)(decimal.Parse(text, CultureInfo.InvariantCulture) * 1_000_000_000m);
            var monotonic = MonotonicNs();
            return uptimeNs > monotonic + 50_000_000 ? uptimeNs - monotonic : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or OverflowException)
        {
            return 0;
        }
    }
}
