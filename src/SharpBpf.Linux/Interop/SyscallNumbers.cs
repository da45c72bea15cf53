using System.Runtime.InteropServices;

namespace SharpBpf.Linux.Interop;

/// <summary>System call numbers for the process architecture (0 where SharpBPF does not know them).</summary>
internal static class SyscallNumbers
{
    /// <summary><c>__NR_bpf</c>.</summary>
    internal static readonly nint Bpf = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 321,
        // The asm-generic table, shared by arm64, riscv64 and loongarch64.
        Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => 280,
        _ => 0,
    };

    /// <summary><c>__NR_perf_event_open</c>.</summary>
    internal static readonly nint PerfEventOpen = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 298,
        Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => 241,
        _ => 0,
    };
}
