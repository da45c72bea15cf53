using SharpBpf.Abi;

namespace SharpBpf.Runtime.Contexts;

/// <summary>The test-run behaviour of each program type (see <see cref="IProgramContext"/>).</summary>
internal static class ProgramContexts
{
    private static readonly XdpContext s_xdp = new();
    private static readonly SkbContext s_skb = new();
    private static readonly RawTracepointContext s_rawTracepoint = new();
    private static readonly MemoryContext s_memory = new();
    private static readonly UnsupportedContext s_unsupported = new();

    /// <summary>The context of <paramref name="type"/>.</summary>
    /// <remarks>
    /// The families follow the kernel's <c>test_run</c> operations: XDP (<c>bpf_prog_test_run_xdp</c>), the skb
    /// types (<c>bpf_prog_test_run_skb</c>), raw tracepoints (<c>bpf_prog_test_run_raw_tp</c>), plus the runtime's
    /// own plain memory type (<see cref="RuntimeProgramTypes.Memory"/>); every other type has no test run here and
    /// gives ENOTSUPP, as kprobe, tracepoint, perf_event and the cgroup socket types do on the kernel (spec F).
    /// </remarks>
    public static IProgramContext For(ProgramType type) => type switch
    {
        ProgramType.Xdp => s_xdp,
        ProgramType.SocketFilter or ProgramType.SchedCls or ProgramType.SchedAct or ProgramType.CgroupSkb
            or ProgramType.LwtIn or ProgramType.LwtOut or ProgramType.LwtXmit or ProgramType.LwtSeg6Local => s_skb,
        ProgramType.RawTracepoint => s_rawTracepoint,
        RuntimeProgramTypes.Memory => s_memory,
        _ => s_unsupported,
    };
}
