using SharpBpf.Abi;
using SharpBpf.Asm;

namespace SharpBpf.Backend;

/// <summary>The <c>BPF_PROG_LOAD</c> part of <c>union bpf_attr</c>.</summary>
public readonly record struct ProgLoadAttr
{
    /// <summary><c>prog_type</c>.</summary>
    public ProgramType Type { get; init; }

    /// <summary>
    /// <c>insns</c>: the program's instruction slots. Map references are <c>lddw</c> with
    /// <c>src = BPF_PSEUDO_MAP_FD</c> (1) or <c>BPF_PSEUDO_MAP_VALUE</c> (2) and the map's fd in the immediate.
    /// </summary>
    public ReadOnlyMemory<Instruction> Instructions { get; init; }

    /// <summary><c>license</c>.</summary>
    public string License { get; init; }

    /// <summary><c>prog_name</c> (at most 15 characters on the kernel).</summary>
    public string? Name { get; init; }

    /// <summary><c>expected_attach_type</c>.</summary>
    public uint ExpectedAttachType { get; init; }

    /// <summary><c>prog_flags</c>.</summary>
    public uint ProgFlags { get; init; }

    /// <summary><c>kern_version</c>.</summary>
    public uint KernVersion { get; init; }

    /// <summary><c>log_level</c>: 0 for no log, 1 or 2 for the verifier log.</summary>
    public uint LogLevel { get; init; }

    /// <summary>
    /// How the userspace runtime executes the program (the kernel backend always uses the kernel's choice).
    /// Part of program compatibility for prog arrays, as the kernel's JIT state is.
    /// </summary>
    public ExecutionMode ExecutionMode { get; init; }
}
