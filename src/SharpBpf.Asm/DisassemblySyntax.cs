namespace SharpBpf.Asm;

/// <summary>Which tool's spelling <see cref="Disassembler"/> follows. Both are accepted by <see cref="KernelSyntaxAssembler"/>.</summary>
public enum DisassemblySyntax
{
    /// <summary>
    /// The kernel's (<c>kernel/bpf/disasm.c</c>, as printed by <c>bpftool prog dump xlated</c> and the verifier log):
    /// <c>r0 = *(u32 *)(r1 +4)</c>, <c>if r1 &gt; 0x5 goto pc+3</c>, <c>call bpf_map_lookup_elem#1</c>,
    /// <c>r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)</c>. Lossless: every valid instruction reads back to the same bytes.
    /// </summary>
    Kernel,

    /// <summary>
    /// <c>llvm-objdump-14 -d --mattr=+alu32</c>'s: <c>r0 = *(u64 *)(r1 + 4)</c>, <c>w0 = *(u32 *)(r1 + 4)</c>,
    /// <c>if r1 &gt; 5 goto +3</c>, <c>call 1</c>, <c>r1 = xchg_64(r10 - 8, r1)</c>, <c>r1 = 4886718345 ll</c>; v4
    /// instructions LLVM 14 cannot print use newer LLVM's spellings (<c>s/=</c>, <c>(s8)</c>, <c>bswap16</c>, <c>gotol</c>).
    /// Lossy like objdump: local, helper and kfunc calls all print as <c>call N</c>, pseudo <c>lddw</c> prints its raw
    /// value and <c>ld_ind</c> drops its immediate.
    /// </summary>
    Llvm,
}
