using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Contexts;

/// <summary>
/// What BPF_PROG_TEST_RUN does for one family of program types: which attributes the type accepts (the kernel's
/// <c>bpf_prog_test_run_*</c> checks), what the program receives in <c>r1</c> / <c>r2</c>, and how much of the
/// packet comes back as <c>data_out</c>. <see cref="ProgramContexts.For"/> picks one by <see cref="ProgramType"/>.
/// </summary>
/// <remarks>
/// This is the seam for the kernel's real context layouts (<c>struct xdp_md</c>, <c>struct __sk_buff</c>, ...) and
/// the loader's context-access rewriting, which come later: an implementation can build a context structure in
/// <see cref="Enter"/> that points at the packet, and report a moved packet end in <see cref="DataOutLength"/>.
/// </remarks>
internal interface IProgramContext
{
    /// <summary>False for types whose test run runs once and reports no duration (raw tracepoints).</summary>
    bool MeasuresDuration { get; }

    /// <summary>
    /// The type's attribute rules. <paramref name="cpu"/> is the CPU slot the caller asked for, or -1 to let the
    /// runtime take any free slot.
    /// </summary>
    Errno CheckTestRun(in TestRunAttr attr, int possibleCpus, out int cpu);

    /// <summary>
    /// Points <paramref name="state"/> at the test run's buffers (its regions) and gives the registers every run of
    /// this test run starts with. Called once per test run; all repeats share the buffers.
    /// </summary>
    void Enter(RunState state, in TestRunBuffers buffers, out ulong r1, out ulong r2);

    /// <summary>The bytes of the packet buffer that are <c>data_out</c> after the runs.</summary>
    uint DataOutLength(in TestRunBuffers buffers);
}
