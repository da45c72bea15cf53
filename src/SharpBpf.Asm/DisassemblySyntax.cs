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
    /// <c>llvm-objdump-14 -d</c>'s (default features): <c>r0 = *(u32 *)(r1 + 4)</c>, <c>w0 += w1</c>,
    /// <c>if r1 &gt; 5 goto +3</c>, <c>call 1</c>, <c>r1 = xchg_64(r10 - 8, r1)</c>, <c>r1 = 4886718345 ll</c>.
    /// Instructions LLVM 14 prints as <c>&lt;unknown&gt;</c> use the spellings of its alu32 mode (32-bit fetch, xchg and
    /// cmpxchg atomics: <c>w2 = atomic_fetch_add((u32 *)(r1 + 0), w2)</c>) or of newer LLVM (v4: <c>s/=</c>,
    /// <c>(s8)</c>, <c>*(s8 *)</c>, <c>bswap16</c>, <c>gotol</c>; <c>callx r2</c>; stores of immediates).
    /// Lossy like objdump: local, helper and kfunc calls all print as <c>call N</c>, pseudo <c>lddw</c> prints its raw
    /// value and <c>ld_ind</c> drops its immediate.
    /// </summary>
    Llvm,

    /// <summary>
    /// <c>llvm-objdump-14 -d --mattr=+alu32</c>'s, the natural listing of objects built with <c>-mcpu=v3</c> or
    /// <c>-mattr=+alu32</c>: as <see cref="Llvm"/>, but loads, stores and atomics narrower than 64 bits name their
    /// value register <c>wN</c> (<c>w1 = *(u32 *)(r10 - 12)</c>, <c>lock *(u32 *)(r1 + 0) += w2</c>).
    /// </summary>
    LlvmAlu32,
}
