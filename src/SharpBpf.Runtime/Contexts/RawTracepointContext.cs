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
        if (attr.CtxIn.Length > RawTracepointLayout.Size)
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
    public Errno Prepare(ProgramType type, in TestRunAttr attr, out ContextRun? run)
    {
        run = new Run(attr.CtxIn.Span);
        return Errno.None;
    }

    /// <summary>
    /// The argument array: <c>ctx_in</c> in a zeroed array of 12 u64s (every argument a program may read is
    /// readable), or no context at all (r1 = NULL) without <c>ctx_in</c>.
    /// </summary>
    private sealed unsafe class Run : ContextRun
    {
        private readonly nint _args;

        public Run(ReadOnlySpan<byte> ctxIn)
        {
            if (ctxIn.IsEmpty)
                return;
            _args = Allocate(RawTracepointLayout.Size);
            ctxIn.CopyTo(new Span<byte>((void*)_args, RawTracepointLayout.Size));
        }

        public override ReadOnlySpan<byte> DataOut => [];

        public override byte[]? ContextOut => null;

        public override void Enter(RunState state, out ulong r1, out ulong r2)
        {
            if (_args != 0)
                state.SetContext(_args, RawTracepointLayout.Size, MemoryAccess.Read);
            r1 = (ulong)_args;
            r2 = 0;
        }
    }
}
