using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Contexts;

/// <summary>
/// <c>bpf_prog_test_run_raw_tp</c>: the context is the tracepoint's argument array (<c>ctx_in</c>, at most 12 u64s,
/// read-only), there is no packet, the program runs exactly once, and the caller may choose the CPU with
/// <c>BPF_F_TEST_RUN_ON_CPU</c> (spec C: cpu 2 of 2 is ENXIO, cpu 1 without the flag EINVAL).
/// </summary>
internal sealed class RawTracepointContext : IProgramContext
{
    /// <summary><c>BPF_F_TEST_RUN_ON_CPU</c>.</summary>
    public const uint OnCpuFlag = 1;

    /// <summary><c>MAX_BPF_FUNC_ARGS * sizeof(u64)</c>: the largest argument array.</summary>
    private const int MaxContextSize = 12 * sizeof(ulong);

    /// <inheritdoc/>
    public bool MeasuresDuration => false;

    /// <inheritdoc/>
    /// <remarks>
    /// The kernel's order: data_in, data_out, ctx_out or repeat given: EINVAL; an argument array over 96 bytes:
    /// EINVAL; a CPU without the flag: EINVAL; with the flag, a CPU that is not possible: ENXIO. Other flag bits
    /// are ignored, as the kernel ignores them.
    /// </remarks>
    public Errno CheckTestRun(in TestRunAttr attr, int possibleCpus, out int cpu)
    {
        cpu = -1;
        if (!attr.DataIn.IsEmpty || attr.DataSizeOut != 0 || attr.CtxSizeOut != 0 || attr.Repeat != 0)
            return Errno.EINVAL;
        if (attr.CtxIn.Length > MaxContextSize)
            return Errno.EINVAL;
        var onCpu = (attr.Flags & OnCpuFlag) != 0;
        if (!onCpu)
            return attr.Cpu != 0 ? Errno.EINVAL : Errno.None;
        if (attr.Cpu >= (uint)possibleCpus)
            return Errno.ENXIO;
        cpu = (int)attr.Cpu;
        return Errno.None;
    }

    /// <inheritdoc/>
    public void Enter(RunState state, in TestRunBuffers buffers, out ulong r1, out ulong r2)
    {
        if (buffers.Context != 0)
            state.SetContext(buffers.Context, (ulong)buffers.ContextLength, MemoryAccess.Read);
        r1 = (ulong)buffers.Context;
        r2 = 0;
    }

    /// <inheritdoc/>
    public uint DataOutLength(in TestRunBuffers buffers) => 0;
}
