using SharpBpf.Abi;

namespace SharpBpf.Runtime.Contexts;

/// <summary>Program types only the userspace runtime has (the kernel refuses them with EINVAL).</summary>
public static class RuntimeProgramTypes
{
    /// <summary>
    /// Plain memory, the convention of the conformance suite and uBPF: <c>r1</c> points to a writable copy of
    /// <c>data_in</c> and <c>r2</c> holds its length; <c>data_out</c> is that memory after the runs. No context
    /// rewriting, no <c>ctx_in</c>.
    /// </summary>
    public const ProgramType Memory = (ProgramType)0x10000;

    /// <summary>True for the types only the runtime knows.</summary>
    public static bool IsRuntimeOnly(ProgramType type) => type == Memory;
}
