using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Runtime.Contexts;

/// <summary>Program types without a test run: ENOTSUPP, as the kernel answers for them.</summary>
internal sealed class UnsupportedContext : IProgramContext
{
    /// <inheritdoc/>
    public bool MeasuresDuration => false;

    /// <inheritdoc/>
    public Errno CheckTestRun(in TestRunAttr attr, int possibleCpus, out int cpu)
    {
        cpu = -1;
        return Errno.ENOTSUPP;
    }

    /// <inheritdoc/>
    public Errno Prepare(ProgramType type, in TestRunAttr attr, out ContextRun? run)
    {
        run = null;
        return Errno.ENOTSUPP;
    }
}
