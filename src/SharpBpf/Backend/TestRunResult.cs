namespace SharpBpf.Backend;

/// <summary>What <c>BPF_PROG_TEST_RUN</c> returns.</summary>
public readonly record struct TestRunResult(
    uint Retval,
    uint DurationNs,
    byte[] DataOut,
    byte[] CtxOut);
