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
    /// <c>prog_btf_fd</c>: a BTF object from <see cref="IBpfBackend.BtfLoad"/> that <see cref="FuncInfo"/> and
    /// <see cref="LineInfo"/> refer to. As in the kernel, it is only looked at when there are func_info or line_info
    /// records (then a descriptor that is not a BTF object is refused).
    /// </summary>
    public int ProgBtfFd { get; init; }

    /// <summary>
    /// <c>func_info</c>: the raw <c>struct bpf_func_info</c> records (<c>{u32 insn_off; u32 type_id;}</c>, one per
    /// function, <c>insn_off</c> in instruction slots), <see cref="FuncInfoRecordSize"/> bytes each;
    /// <c>func_info_cnt</c> is the length divided by the record size. The kernel needs them for what it checks by
    /// function: a tail call inside a bpf-to-bpf subprogram, global functions, callbacks such as <c>bpf_loop</c>'s.
    /// A length that is not a whole number of records is EINVAL on every backend (the kernel's attr cannot express it).
    /// </summary>
    public ReadOnlyMemory<byte> FuncInfo { get; init; }

    /// <summary><c>func_info_rec_size</c> (8 for the current layout).</summary>
    public uint FuncInfoRecordSize { get; init; }

    /// <summary>
    /// <c>line_info</c>: the raw <c>struct bpf_line_info</c> records (<c>{u32 insn_off, file_name_off, line_off,
    /// line_col;}</c>), <see cref="LineInfoRecordSize"/> bytes each; <c>line_info_cnt</c> is the length divided by it.
    /// </summary>
    public ReadOnlyMemory<byte> LineInfo { get; init; }

    /// <summary><c>line_info_rec_size</c> (16 for the current layout).</summary>
    public uint LineInfoRecordSize { get; init; }

    /// <summary>
    /// How the userspace runtime executes the program (the kernel backend always uses the kernel's choice).
    /// Part of program compatibility for prog arrays, as the kernel's JIT state is.
    /// </summary>
    public ExecutionMode ExecutionMode { get; init; }
}
