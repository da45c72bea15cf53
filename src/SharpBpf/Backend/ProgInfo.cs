using SharpBpf.Abi;

namespace SharpBpf.Backend;

/// <summary>What <c>BPF_OBJ_GET_INFO_BY_FD</c> reports for a program (<c>struct bpf_prog_info</c>, the useful part).</summary>
public readonly record struct ProgInfo(
    ProgramType Type,
    uint Id,
    string Name,
    uint InstructionCount,
    IReadOnlyList<uint> MapIds);
