namespace SharpBpf.Linux;

/// <summary>
/// The BTF part of a <c>BPF_PROG_LOAD</c>: the loaded BTF object (<c>prog_btf_fd</c>) and the program's
/// <c>bpf_func_info</c> records (<c>{u32 insn_off; u32 type_id;}</c>, one per function, in slot order). The kernel
/// needs them for what it checks by function: a <c>bpf_tail_call</c> inside a bpf-to-bpf subprogram ("tail_call is
/// not allowed in subprogs without BTF"), global functions, and naming functions in its log.
/// </summary>
/// <param name="BtfFd">A descriptor from <see cref="LinuxBackend.BtfLoad"/>.</param>
/// <param name="FuncInfo">The raw func_info records, <paramref name="FuncInfoRecordSize"/> bytes each.</param>
/// <param name="FuncInfoRecordSize">The size of one record (8 for the current layout).</param>
public readonly record struct ProgramBtf(int BtfFd, ReadOnlyMemory<byte> FuncInfo, uint FuncInfoRecordSize = 8);
