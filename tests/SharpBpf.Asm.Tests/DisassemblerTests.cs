namespace SharpBpf.Asm.Tests;

public class DisassemblerTests
{
    // conformance-dialect source, kernel syntax (kernel/bpf/disasm.c, checked against bpftool on Linux 6.18 where the
    // kernel has the instruction), LLVM syntax (llvm-objdump-14, newer LLVM's spelling for v4 instructions).
    [Theory]
    [InlineData("mov %r0, 0", "r0 = 0", "r0 = 0")]
    [InlineData("mov %r1, -5", "r1 = -5", "r1 = -5")]
    [InlineData("mov32 %r1, 0xffffffff", "w1 = -1", "w1 = -1")]
    [InlineData("add32 %r1, %r2", "w1 += w2", "w1 += w2")]
    [InlineData("mov %r1, %r2", "r1 = r2", "r1 = r2")]
    [InlineData("arsh %r1, 3", "r1 s>>= 3", "r1 s>>= 3")]
    [InlineData("lsh32 %r1, %r2", "w1 <<= w2", "w1 <<= w2")]
    [InlineData("sdiv %r0, %r1", "r0 s/= r1", "r0 s/= r1")]
    [InlineData("smod32 %r0, 3", "w0 s%= 3", "w0 s%= 3")]
    [InlineData("mod %r0, 3", "r0 %= 3", "r0 %= 3")]
    [InlineData("neg %r0", "r0 = -r0", "r0 = -r0")]
    [InlineData("neg32 %r0", "w0 = -w0", "w0 = -w0")]
    [InlineData("be16 %r1", "r1 = be16 r1", "r1 = be16 r1")]
    [InlineData("le64 %r1", "r1 = le64 r1", "r1 = le64 r1")]
    [InlineData("bswap64 %r1", "r1 = bswap64 r1", "r1 = bswap64 r1")]
    [InlineData("movsx864 %r0, %r1", "r0 = (s8)r1", "r0 = (s8)r1")]
    [InlineData("movsx3264 %r0, %r1", "r0 = (s32)r1", "r0 = (s32)r1")]
    [InlineData("movsx1632 %r0, %r1", "w0 = (s16)w1", "w0 = (s16)w1")]
    [InlineData("ldxw %r0, [%r1+4]", "r0 = *(u32 *)(r1 +4)", "r0 = *(u32 *)(r1 + 4)")]
    [InlineData("ldxdw %r0, [%r10-8]", "r0 = *(u64 *)(r10 -8)", "r0 = *(u64 *)(r10 - 8)")]
    [InlineData("ldxsh %r0, [%r1+2]", "r0 = *(s16 *)(r1 +2)", "r0 = *(s16 *)(r1 + 2)")]
    [InlineData("stxdw [%r10-8], %r1", "*(u64 *)(r10 -8) = r1", "*(u64 *)(r10 - 8) = r1")]
    [InlineData("stxb [%r1], %r2", "*(u8 *)(r1 +0) = r2", "*(u8 *)(r1 + 0) = r2")]
    [InlineData("stw [%r10-8], 5", "*(u32 *)(r10 -8) = 5", "*(u32 *)(r10 - 8) = 5")]
    [InlineData("jgt %r1, 5, +3", "if r1 > 0x5 goto pc+3", "if r1 > 5 goto +3")]
    [InlineData("jeq %r1, 0, +0", "if r1 == 0x0 goto pc+0", "if r1 == 0 goto +0")]
    [InlineData("jslt32 %r1, %r2, -4", "if w1 s< w2 goto pc-4", "if w1 s< w2 goto -4")]
    [InlineData("jsge32 %r1, -3, +1", "if w1 s>= 0xfffffffd goto pc+1", "if w1 s>= -3 goto +1")]
    [InlineData("jset %r1, 0x80, +1", "if r1 & 0x80 goto pc+1", "if r1 & 128 goto +1")]
    [InlineData("ja +2", "goto pc+2", "goto +2")]
    [InlineData("ja32 +100000", "gotol pc+100000", "gotol +100000")]
    [InlineData("call 1", "call bpf_map_lookup_elem#1", "call 1")]
    [InlineData("call 100000", "call unknown#100000", "call 100000")]
    [InlineData("call local +3", "call pc+3", "call 3")]
    [InlineData("call %r2", "callx r2", "callx r2")]
    [InlineData("call runtime 7", "call kernel-function#7", "call 7")]
    [InlineData("lock add [%r1], %r2", "lock *(u64 *)(r1 +0) += r2", "lock *(u64 *)(r1 + 0) += r2")]
    [InlineData("lock and32 [%r1+4], %r2", "lock *(u32 *)(r1 +4) &= r2", "lock *(u32 *)(r1 + 4) &= r2")]
    [InlineData("lock fetch add [%r1], %r2", "r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)", "r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)")]
    [InlineData("lock fetch xor32 [%r10-12], %r1", "r1 = atomic_fetch_xor((u32 *)(r10 -12), r1)", "w1 = atomic_fetch_xor((u32 *)(r10 - 12), w1)")]
    [InlineData("lock xchg [%r10-8], %r1", "r1 = atomic64_xchg((u64 *)(r10 -8), r1)", "r1 = xchg_64(r10 - 8, r1)")]
    [InlineData("lock cmpxchg32 [%r2], %r5", "r0 = atomic_cmpxchg((u32 *)(r2 +0), r0, r5)", "w0 = cmpxchg32_32(r2 + 0, w0, w5)")]
    [InlineData("lddw %r1, 0x123456789", "r1 = 0x123456789 ll", "r1 = 4886718345 ll")]
    [InlineData("lddw %r1, -1", "r1 = 0xffffffffffffffff ll", "r1 = -1 ll")]
    [InlineData("lddw %r1, map_fd(5)", "r1 = map[fd:5]", "r1 = 5 ll")]
    [InlineData("lddw %r1, map_value(5, 16)", "r1 = map[fd:5][0]+16", "r1 = 68719476741 ll")]
    [InlineData("lddw %r1, btf_id(7)", "r1 = btf_var[id:7]", "r1 = 7 ll")]
    [InlineData("lddw %r1, btf_id(7, 3)", "r1 = btf_var[id:7][btf_fd:3]", "r1 = 12884901895 ll")]
    [InlineData("lddw %r1, func(4)", "r1 = subprog[+4]", "r1 = 4 ll")]
    [InlineData("lddw %r1, map_idx(0)", "r1 = map[idx:0]", "r1 = 0 ll")]
    [InlineData("lddw %r1, map_idx_value(1, 0)", "r1 = map[idx:1]+0", "r1 = 1 ll")]
    [InlineData("ldabsb 12", "r0 = *(u8 *)skb[12]", "r0 = *(u8 *)skb[12]")]
    [InlineData("ldindh %r3, 4", "r0 = *(u16 *)skb[r3 + 4]", "r0 = *(u16 *)skb[r3]")]
    [InlineData("exit", "exit", "exit")]
    public void Format_Instruction_PrintsToolSpelling(string conformance, string kernel, string llvm)
    {
        var insn = Decoder.Decode(ConformanceAssembler.Assemble(conformance))[0];

        Assert.Equal(kernel, Disassembler.Format(insn));
        Assert.Equal(llvm, Disassembler.Format(insn, DisassemblySyntax.Llvm));
    }

    [Theory]
    [InlineData("ldxw %r0, [%r1+4]", "w0 = *(u32 *)(r1 + 4)")]
    [InlineData("ldxdw %r0, [%r1+4]", "r0 = *(u64 *)(r1 + 4)")]
    [InlineData("ldxsb %r0, [%r1+4]", "r0 = *(s8 *)(r1 + 4)")]
    [InlineData("stxh [%r1-2], %r3", "*(u16 *)(r1 - 2) = w3")]
    [InlineData("lock add32 [%r1], %r2", "lock *(u32 *)(r1 + 0) += w2")]
    [InlineData("lock add [%r1], %r2", "lock *(u64 *)(r1 + 0) += r2")]
    public void Format_LlvmAlu32_NamesNarrowValueRegistersW(string conformance, string expected)
    {
        var insn = Decoder.Decode(ConformanceAssembler.Assemble(conformance))[0];

        Assert.Equal(expected, Disassembler.Format(insn, DisassemblySyntax.LlvmAlu32));
    }

    [Fact]
    public void Format_KfuncWithBtfOffset_PrintsIt()
    {
        var insn = new DecodedInstruction(Op.CallKfunc, 0, 2, 3, 77, 0);

        Assert.Equal("call kernel-function#77 (btf 3)", Disassembler.Format(insn));
    }

    [Fact]
    public void Format_Program_UsesBpftoolLayout()
    {
        var program = ConformanceAssembler.Assemble("lddw %r1, 0x5\nmov %r0, 1\nexit");

        var text = Disassembler.Format(program);

        Assert.Equal("   0: (18) r1 = 0x5\n   2: (b7) r0 = 1\n   3: (95) exit\n", text);
    }

    [Fact]
    public void Format_ProgramLlvm_UsesObjdumpLayout()
    {
        var text = Disassembler.Format(ConformanceAssembler.Assemble("mov %r0, 1\nexit"), DisassemblySyntax.Llvm);

        Assert.Equal("       0:\tr0 = 1\n       1:\texit\n", text);
    }

    [Fact]
    public void Format_ProgramWithInvalidSlot_PrintsRawFields()
    {
        Instruction[] program = [new(0xff, 1, 2, 3, 4), new(0x95, 0, 0, 0, 0)];

        var text = Disassembler.Format(program);

        Assert.Equal("   0: (ff) .invalid {op=0xff dst=r1 src=r2 off=3 imm=4}\n   1: (95) exit\n", text);
    }

    [Fact]
    public void ConformanceFormat_Invalid_Throws()
    {
        Assert.Throws<ArgumentException>(() => ConformanceDisassembler.Format(new DecodedInstruction(Op.Invalid, 0, 0, 0, 0, 0)));
    }

    [Theory]
    [InlineData("ldxw %r0, [%r1+4]")]
    [InlineData("stxdw [%r10-8], %r1")]
    [InlineData("stb [%r1], -1")]
    [InlineData("jsge32 %r1, -3, +1")]
    [InlineData("lock fetch or32 [%r1-4], %r2")]
    [InlineData("lddw %r1, 0xffffffffffffffff")]
    [InlineData("lddw %r1, map_value(5, 16)")]
    [InlineData("call local -3")]
    [InlineData("ldindw %r2, -7")]
    public void ConformanceFormat_Instruction_AssemblesBack(string line)
    {
        var program = ConformanceAssembler.Assemble(line);

        var text = ConformanceDisassembler.Format(Decoder.Decode(program)[0]);

        Assert.Equal(program, ConformanceAssembler.Assemble(text));
    }
}
