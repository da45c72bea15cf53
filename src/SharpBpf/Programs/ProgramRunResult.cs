namespace SharpBpf.Programs;

/// <summary>The outcome of <see cref="BpfProgram.TestRun(in Backend.TestRunAttr)"/>.</summary>
/// <param name="ReturnValue">The last run's return value (the kernel's <c>retval</c>, 32 bits).</param>
/// <param name="DurationNs">The average nanoseconds per run, truncated (0 for types that report none).</param>
/// <param name="Repeat">How many times the program ran (the kernel treats 0 as 1).</param>
/// <param name="DataOut">The packet after the last run (empty if no output was asked for).</param>
/// <param name="ContextOut">The context after the last run (empty if none was given or asked for).</param>
public sealed record ProgramRunResult(uint ReturnValue, uint DurationNs, uint Repeat, byte[] DataOut, byte[] ContextOut)
{
    /// <summary>The return value as the signed 32-bit number a program returns (e.g. a negative errno).</summary>
    public int SignedReturnValue => (int)ReturnValue;
}
