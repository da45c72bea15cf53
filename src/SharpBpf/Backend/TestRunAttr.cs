namespace SharpBpf.Backend;

/// <summary>The <c>BPF_PROG_TEST_RUN</c> part of <c>union bpf_attr</c>.</summary>
public readonly record struct TestRunAttr
{
    /// <summary><c>data_in</c>: the packet or input memory.</summary>
    public ReadOnlyMemory<byte> DataIn { get; init; }

    /// <summary><c>data_size_out</c>: the capacity of the <c>data_out</c> buffer (0: no data out).</summary>
    public uint DataSizeOut { get; init; }

    /// <summary><c>ctx_in</c>.</summary>
    public ReadOnlyMemory<byte> CtxIn { get; init; }

    /// <summary><c>ctx_size_out</c>: the capacity of the <c>ctx_out</c> buffer (0: no context out).</summary>
    public uint CtxSizeOut { get; init; }

    /// <summary><c>repeat</c> (0 is treated as 1, as the kernel does).</summary>
    public uint Repeat { get; init; }

    /// <summary><c>flags</c> (<c>BPF_F_TEST_RUN_ON_CPU</c> = 1, ...).</summary>
    public uint Flags { get; init; }

    /// <summary><c>cpu</c>, used with <c>BPF_F_TEST_RUN_ON_CPU</c>.</summary>
    public uint Cpu { get; init; }
}
