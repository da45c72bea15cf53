using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Runtime.Contexts;

/// <summary>
/// What BPF_PROG_TEST_RUN does for one family of program types: which attributes the type accepts (the kernel's
/// <c>bpf_prog_test_run_*</c> checks) and how one test run's packet and context are built, entered and copied out
/// (<see cref="ContextRun"/>). <see cref="ProgramContexts.For"/> picks one by <see cref="ProgramType"/>.
/// </summary>
internal interface IProgramContext
{
    /// <summary>False for types whose test run runs once and reports no duration (raw tracepoints).</summary>
    bool MeasuresDuration { get; }

    /// <summary>
    /// The type's attribute rules that need no buffers. <paramref name="cpu"/> is the CPU slot the caller asked
    /// for, or -1 to let the runtime take any free slot.
    /// </summary>
    Errno CheckTestRun(in TestRunAttr attr, int possibleCpus, out int cpu);

    /// <summary>
    /// Builds the native packet and context of one test run from <c>data_in</c> and <c>ctx_in</c>, with the
    /// kernel's checks of the context's fields. The caller disposes <paramref name="run"/>.
    /// </summary>
    Errno Prepare(ProgramType type, in TestRunAttr attr, out ContextRun? run);
}
