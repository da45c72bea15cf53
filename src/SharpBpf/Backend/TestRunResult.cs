namespace SharpBpf.Backend;

/// <summary>What <c>BPF_PROG_TEST_RUN</c> returns.</summary>
/// <param name="Retval">The last run's return value (<c>retval</c>).</param>
/// <param name="DurationNs">The average nanoseconds per run (<c>duration</c>).</param>
/// <param name="DataOut">The bytes copied out, at most <see cref="TestRunAttr.DataSizeOut"/>.</param>
/// <param name="CtxOut">The context copied out, at most <see cref="TestRunAttr.CtxSizeOut"/>.</param>
public readonly record struct TestRunResult(
    uint Retval,
    uint DurationNs,
    byte[] DataOut,
    byte[] CtxOut)
{
    /// <summary>
    /// The full size of the output packet (the kernel writes it back into <c>data_size_out</c>): larger than
    /// <see cref="DataOut"/> when the test run returned ENOSPC, so a caller can retry with a buffer that fits.
    /// </summary>
    public uint DataSizeOut { get; init; }

    /// <summary>The full size of the output context (<c>ctx_size_out</c> as the kernel writes it back).</summary>
    public uint CtxSizeOut { get; init; }
}
