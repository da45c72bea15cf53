using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Runtime.Execution;

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
    public void Enter(RunState state, in TestRunBuffers buffers, out ulong r1, out ulong r2) =>
        throw new InvalidOperationException("this program type has no test run");

    /// <inheritdoc/>
    public uint DataOutLength(in TestRunBuffers buffers) => 0;
}
