// Dense normalised operations. Generated once by a script from the RFC 9669 opcode tables and then kept by hand.
namespace SharpBpf.Asm;

/// <summary>
/// The normalised eBPF operation: one member per distinct behaviour, so that instructions sharing an opcode but
/// differing by <c>offset</c> or <c>src</c> (<c>sdiv</c>, <c>movsx</c>, local and kfunc calls ...) are distinct.
/// Dense, so interpreters and compilers can <c>switch</c> on it.
/// </summary>
public enum Op : byte
{
    /// <summary>Not a valid instruction (unknown opcode or field combination).</summary>
    Invalid = 0,
    /// <summary>64-bit <c>add</c>, immediate source.</summary>
    Add64Imm,
    /// <summary>64-bit <c>add</c>, register source.</summary>
    Add64Reg,
    /// <summary>64-bit <c>sub</c>, immediate source.</summary>
    Sub64Imm,
    /// <summary>64-bit <c>sub</c>, register source.</summary>
    Sub64Reg,
    /// <summary>64-bit <c>mul</c>, immediate source.</summary>
    Mul64Imm,
    /// <summary>64-bit <c>mul</c>, register source.</summary>
    Mul64Reg,
    /// <summary>64-bit <c>div</c>, immediate source.</summary>
    Div64Imm,
    /// <summary>64-bit <c>div</c>, register source.</summary>
    Div64Reg,
    /// <summary>64-bit <c>sdiv</c>, immediate source.</summary>
    SDiv64Imm,
    /// <summary>64-bit <c>sdiv</c>, register source.</summary>
    SDiv64Reg,
    /// <summary>64-bit <c>or</c>, immediate source.</summary>
    Or64Imm,
    /// <summary>64-bit <c>or</c>, register source.</summary>
    Or64Reg,
    /// <summary>64-bit <c>and</c>, immediate source.</summary>
    And64Imm,
    /// <summary>64-bit <c>and</c>, register source.</summary>
    And64Reg,
    /// <summary>64-bit <c>lsh</c>, immediate source.</summary>
    Lsh64Imm,
    /// <summary>64-bit <c>lsh</c>, register source.</summary>
    Lsh64Reg,
    /// <summary>64-bit <c>rsh</c>, immediate source.</summary>
    Rsh64Imm,
    /// <summary>64-bit <c>rsh</c>, register source.</summary>
    Rsh64Reg,
    /// <summary>64-bit <c>mod</c>, immediate source.</summary>
    Mod64Imm,
    /// <summary>64-bit <c>mod</c>, register source.</summary>
    Mod64Reg,
    /// <summary>64-bit <c>smod</c>, immediate source.</summary>
    SMod64Imm,
    /// <summary>64-bit <c>smod</c>, register source.</summary>
    SMod64Reg,
    /// <summary>64-bit <c>xor</c>, immediate source.</summary>
    Xor64Imm,
    /// <summary>64-bit <c>xor</c>, register source.</summary>
    Xor64Reg,
    /// <summary>64-bit <c>mov</c>, immediate source.</summary>
    Mov64Imm,
    /// <summary>64-bit <c>mov</c>, register source.</summary>
    Mov64Reg,
    /// <summary>64-bit <c>arsh</c>, immediate source.</summary>
    Arsh64Imm,
    /// <summary>64-bit <c>arsh</c>, register source.</summary>
    Arsh64Reg,
    /// <summary>64-bit negation.</summary>
    Neg64,
    /// <summary>32-bit <c>add</c>, immediate source.</summary>
    Add32Imm,
    /// <summary>32-bit <c>add</c>, register source.</summary>
    Add32Reg,
    /// <summary>32-bit <c>sub</c>, immediate source.</summary>
    Sub32Imm,
    /// <summary>32-bit <c>sub</c>, register source.</summary>
    Sub32Reg,
    /// <summary>32-bit <c>mul</c>, immediate source.</summary>
    Mul32Imm,
    /// <summary>32-bit <c>mul</c>, register source.</summary>
    Mul32Reg,
    /// <summary>32-bit <c>div</c>, immediate source.</summary>
    Div32Imm,
    /// <summary>32-bit <c>div</c>, register source.</summary>
    Div32Reg,
    /// <summary>32-bit <c>sdiv</c>, immediate source.</summary>
    SDiv32Imm,
    /// <summary>32-bit <c>sdiv</c>, register source.</summary>
    SDiv32Reg,
    /// <summary>32-bit <c>or</c>, immediate source.</summary>
    Or32Imm,
    /// <summary>32-bit <c>or</c>, register source.</summary>
    Or32Reg,
    /// <summary>32-bit <c>and</c>, immediate source.</summary>
    And32Imm,
    /// <summary>32-bit <c>and</c>, register source.</summary>
    And32Reg,
    /// <summary>32-bit <c>lsh</c>, immediate source.</summary>
    Lsh32Imm,
    /// <summary>32-bit <c>lsh</c>, register source.</summary>
    Lsh32Reg,
    /// <summary>32-bit <c>rsh</c>, immediate source.</summary>
    Rsh32Imm,
    /// <summary>32-bit <c>rsh</c>, register source.</summary>
    Rsh32Reg,
    /// <summary>32-bit <c>mod</c>, immediate source.</summary>
    Mod32Imm,
    /// <summary>32-bit <c>mod</c>, register source.</summary>
    Mod32Reg,
    /// <summary>32-bit <c>smod</c>, immediate source.</summary>
    SMod32Imm,
    /// <summary>32-bit <c>smod</c>, register source.</summary>
    SMod32Reg,
    /// <summary>32-bit <c>xor</c>, immediate source.</summary>
    Xor32Imm,
    /// <summary>32-bit <c>xor</c>, register source.</summary>
    Xor32Reg,
    /// <summary>32-bit <c>mov</c>, immediate source.</summary>
    Mov32Imm,
    /// <summary>32-bit <c>mov</c>, register source.</summary>
    Mov32Reg,
    /// <summary>32-bit <c>arsh</c>, immediate source.</summary>
    Arsh32Imm,
    /// <summary>32-bit <c>arsh</c>, register source.</summary>
    Arsh32Reg,
    /// <summary>32-bit negation.</summary>
    Neg32,
    /// <summary><c>movsx</c>: sign-extend the low 8 bits of src into 64 bits.</summary>
    MovSx8To64,
    /// <summary><c>movsx</c>: sign-extend the low 16 bits of src into 64 bits.</summary>
    MovSx16To64,
    /// <summary><c>movsx</c>: sign-extend the low 32 bits of src into 64 bits.</summary>
    MovSx32To64,
    /// <summary><c>movsx32</c>: sign-extend the low 8 bits of src into 32 bits, then zero-extend.</summary>
    MovSx8To32,
    /// <summary><c>movsx32</c>: sign-extend the low 16 bits of src into 32 bits, then zero-extend.</summary>
    MovSx16To32,
    /// <summary><c>le16</c>: to little-endian (no swap on a little-endian host; truncates).</summary>
    Le16,
    /// <summary><c>le32</c>: to little-endian (no swap on a little-endian host; truncates).</summary>
    Le32,
    /// <summary><c>le64</c>: to little-endian (no swap on a little-endian host; truncates).</summary>
    Le64,
    /// <summary><c>be16</c>: to big-endian (swap on a little-endian host; truncates).</summary>
    Be16,
    /// <summary><c>be32</c>: to big-endian (swap on a little-endian host; truncates).</summary>
    Be32,
    /// <summary><c>be64</c>: to big-endian (swap on a little-endian host; truncates).</summary>
    Be64,
    /// <summary><c>bswap16</c>: unconditional byte swap.</summary>
    Bswap16,
    /// <summary><c>bswap32</c>: unconditional byte swap.</summary>
    Bswap32,
    /// <summary><c>bswap64</c>: unconditional byte swap.</summary>
    Bswap64,
    /// <summary><c>lddw</c>: 64-bit immediate load (two slots), see <see cref="PseudoKind"/>.</summary>
    Lddw,
    /// <summary>Legacy packet load <c>ld_abs</c>, 8 bits.</summary>
    LdAbsB,
    /// <summary>Legacy packet load <c>ld_abs</c>, 16 bits.</summary>
    LdAbsH,
    /// <summary>Legacy packet load <c>ld_abs</c>, 32 bits.</summary>
    LdAbsW,
    /// <summary>Legacy packet load <c>ld_abs</c>, 64 bits.</summary>
    LdAbsDW,
    /// <summary>Legacy packet load <c>ld_ind</c>, 8 bits.</summary>
    LdIndB,
    /// <summary>Legacy packet load <c>ld_ind</c>, 16 bits.</summary>
    LdIndH,
    /// <summary>Legacy packet load <c>ld_ind</c>, 32 bits.</summary>
    LdIndW,
    /// <summary>Legacy packet load <c>ld_ind</c>, 64 bits.</summary>
    LdIndDW,
    /// <summary>Zero-extending load, 8 bits.</summary>
    LdxB,
    /// <summary>Zero-extending load, 16 bits.</summary>
    LdxH,
    /// <summary>Zero-extending load, 32 bits.</summary>
    LdxW,
    /// <summary>Zero-extending load, 64 bits.</summary>
    LdxDW,
    /// <summary>Sign-extending load, 8 bits.</summary>
    LdxsB,
    /// <summary>Sign-extending load, 16 bits.</summary>
    LdxsH,
    /// <summary>Sign-extending load, 32 bits.</summary>
    LdxsW,
    /// <summary>Store immediate, 8 bits.</summary>
    StB,
    /// <summary>Store immediate, 16 bits.</summary>
    StH,
    /// <summary>Store immediate, 32 bits.</summary>
    StW,
    /// <summary>Store immediate, 64 bits.</summary>
    StDW,
    /// <summary>Store register, 8 bits.</summary>
    StxB,
    /// <summary>Store register, 16 bits.</summary>
    StxH,
    /// <summary>Store register, 32 bits.</summary>
    StxW,
    /// <summary>Store register, 64 bits.</summary>
    StxDW,
    /// <summary>Atomic add, 32 bits, no result.</summary>
    AtomicAdd32,
    /// <summary>Atomic add, 32 bits; src receives the old value.</summary>
    AtomicFetchAdd32,
    /// <summary>Atomic or, 32 bits, no result.</summary>
    AtomicOr32,
    /// <summary>Atomic or, 32 bits; src receives the old value.</summary>
    AtomicFetchOr32,
    /// <summary>Atomic and, 32 bits, no result.</summary>
    AtomicAnd32,
    /// <summary>Atomic and, 32 bits; src receives the old value.</summary>
    AtomicFetchAnd32,
    /// <summary>Atomic xor, 32 bits, no result.</summary>
    AtomicXor32,
    /// <summary>Atomic xor, 32 bits; src receives the old value.</summary>
    AtomicFetchXor32,
    /// <summary>Atomic exchange, 32 bits; src receives the old value.</summary>
    AtomicXchg32,
    /// <summary>Atomic compare-and-exchange, 32 bits: compares r0, always loads the old value into r0.</summary>
    AtomicCmpXchg32,
    /// <summary>Atomic add, 64 bits, no result.</summary>
    AtomicAdd64,
    /// <summary>Atomic add, 64 bits; src receives the old value.</summary>
    AtomicFetchAdd64,
    /// <summary>Atomic or, 64 bits, no result.</summary>
    AtomicOr64,
    /// <summary>Atomic or, 64 bits; src receives the old value.</summary>
    AtomicFetchOr64,
    /// <summary>Atomic and, 64 bits, no result.</summary>
    AtomicAnd64,
    /// <summary>Atomic and, 64 bits; src receives the old value.</summary>
    AtomicFetchAnd64,
    /// <summary>Atomic xor, 64 bits, no result.</summary>
    AtomicXor64,
    /// <summary>Atomic xor, 64 bits; src receives the old value.</summary>
    AtomicFetchXor64,
    /// <summary>Atomic exchange, 64 bits; src receives the old value.</summary>
    AtomicXchg64,
    /// <summary>Atomic compare-and-exchange, 64 bits: compares r0, always loads the old value into r0.</summary>
    AtomicCmpXchg64,
    /// <summary>Unconditional jump, 16-bit offset.</summary>
    Ja,
    /// <summary>Unconditional jump with a 32-bit offset in imm (<c>gotol</c>, JMP32 class).</summary>
    Ja32,
    /// <summary>64-bit conditional jump <c>jeq</c>, immediate operand.</summary>
    Jeq64Imm,
    /// <summary>64-bit conditional jump <c>jeq</c>, register operand.</summary>
    Jeq64Reg,
    /// <summary>64-bit conditional jump <c>jgt</c>, immediate operand.</summary>
    Jgt64Imm,
    /// <summary>64-bit conditional jump <c>jgt</c>, register operand.</summary>
    Jgt64Reg,
    /// <summary>64-bit conditional jump <c>jge</c>, immediate operand.</summary>
    Jge64Imm,
    /// <summary>64-bit conditional jump <c>jge</c>, register operand.</summary>
    Jge64Reg,
    /// <summary>64-bit conditional jump <c>jset</c>, immediate operand.</summary>
    Jset64Imm,
    /// <summary>64-bit conditional jump <c>jset</c>, register operand.</summary>
    Jset64Reg,
    /// <summary>64-bit conditional jump <c>jne</c>, immediate operand.</summary>
    Jne64Imm,
    /// <summary>64-bit conditional jump <c>jne</c>, register operand.</summary>
    Jne64Reg,
    /// <summary>64-bit conditional jump <c>jsgt</c>, immediate operand.</summary>
    Jsgt64Imm,
    /// <summary>64-bit conditional jump <c>jsgt</c>, register operand.</summary>
    Jsgt64Reg,
    /// <summary>64-bit conditional jump <c>jsge</c>, immediate operand.</summary>
    Jsge64Imm,
    /// <summary>64-bit conditional jump <c>jsge</c>, register operand.</summary>
    Jsge64Reg,
    /// <summary>64-bit conditional jump <c>jlt</c>, immediate operand.</summary>
    Jlt64Imm,
    /// <summary>64-bit conditional jump <c>jlt</c>, register operand.</summary>
    Jlt64Reg,
    /// <summary>64-bit conditional jump <c>jle</c>, immediate operand.</summary>
    Jle64Imm,
    /// <summary>64-bit conditional jump <c>jle</c>, register operand.</summary>
    Jle64Reg,
    /// <summary>64-bit conditional jump <c>jslt</c>, immediate operand.</summary>
    Jslt64Imm,
    /// <summary>64-bit conditional jump <c>jslt</c>, register operand.</summary>
    Jslt64Reg,
    /// <summary>64-bit conditional jump <c>jsle</c>, immediate operand.</summary>
    Jsle64Imm,
    /// <summary>64-bit conditional jump <c>jsle</c>, register operand.</summary>
    Jsle64Reg,
    /// <summary>32-bit conditional jump <c>jeq</c>, immediate operand.</summary>
    Jeq32Imm,
    /// <summary>32-bit conditional jump <c>jeq</c>, register operand.</summary>
    Jeq32Reg,
    /// <summary>32-bit conditional jump <c>jgt</c>, immediate operand.</summary>
    Jgt32Imm,
    /// <summary>32-bit conditional jump <c>jgt</c>, register operand.</summary>
    Jgt32Reg,
    /// <summary>32-bit conditional jump <c>jge</c>, immediate operand.</summary>
    Jge32Imm,
    /// <summary>32-bit conditional jump <c>jge</c>, register operand.</summary>
    Jge32Reg,
    /// <summary>32-bit conditional jump <c>jset</c>, immediate operand.</summary>
    Jset32Imm,
    /// <summary>32-bit conditional jump <c>jset</c>, register operand.</summary>
    Jset32Reg,
    /// <summary>32-bit conditional jump <c>jne</c>, immediate operand.</summary>
    Jne32Imm,
    /// <summary>32-bit conditional jump <c>jne</c>, register operand.</summary>
    Jne32Reg,
    /// <summary>32-bit conditional jump <c>jsgt</c>, immediate operand.</summary>
    Jsgt32Imm,
    /// <summary>32-bit conditional jump <c>jsgt</c>, register operand.</summary>
    Jsgt32Reg,
    /// <summary>32-bit conditional jump <c>jsge</c>, immediate operand.</summary>
    Jsge32Imm,
    /// <summary>32-bit conditional jump <c>jsge</c>, register operand.</summary>
    Jsge32Reg,
    /// <summary>32-bit conditional jump <c>jlt</c>, immediate operand.</summary>
    Jlt32Imm,
    /// <summary>32-bit conditional jump <c>jlt</c>, register operand.</summary>
    Jlt32Reg,
    /// <summary>32-bit conditional jump <c>jle</c>, immediate operand.</summary>
    Jle32Imm,
    /// <summary>32-bit conditional jump <c>jle</c>, register operand.</summary>
    Jle32Reg,
    /// <summary>32-bit conditional jump <c>jslt</c>, immediate operand.</summary>
    Jslt32Imm,
    /// <summary>32-bit conditional jump <c>jslt</c>, register operand.</summary>
    Jslt32Reg,
    /// <summary>32-bit conditional jump <c>jsle</c>, immediate operand.</summary>
    Jsle32Imm,
    /// <summary>32-bit conditional jump <c>jsle</c>, register operand.</summary>
    Jsle32Reg,
    /// <summary>Helper call by id (src = 0).</summary>
    Call,
    /// <summary>BPF-to-BPF call (src = 1), relative slot offset in imm.</summary>
    CallLocal,
    /// <summary>Kernel function call (src = 2), BTF id in imm.</summary>
    CallKfunc,
    /// <summary>Indirect call through a register (opcode 0x8d, register in dst); not part of RFC 9669.</summary>
    Callx,
    /// <summary>Return from the current frame.</summary>
    Exit,
}
