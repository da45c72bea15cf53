namespace SharpBpf.Asm.Tests;

public class KernelSyntaxAssemblerTests
{
    private static Instruction[] Conf(string text) => ConformanceAssembler.Assemble(text);

    [Fact]
    public void Assemble_BpftoolListingWithOpcodesAndSource_ReadsInstructions()
    {
        var text = """
            int prog(struct xdp_md * ctx):
            ; int x = 1;
               0: (b7) r0 = 1
                   b7 00 00 00 01 00 00 00
               1: (18) r1 = 0x5
                   18 01 00 00 05 00 00 00 00 00 00 00 00 00 00 00
               3: (85) call pc+1#bpf_prog_e0952f3ef8ab7df9_F
               4: (95) exit
               5: (95) exit
            """;

        Assert.Equal(Conf("mov %r0, 1\nlddw %r1, 5\ncall local +1\nexit\nexit"), KernelSyntaxAssembler.Assemble(text));
    }

    [Fact]
    public void Assemble_ObjdumpListingWithBytesAndSymbols_ReadsInstructions()
    {
        var text = """

            x.o:	file format elf64-bpf

            Disassembly of section xdp:

            0000000000000000 <prog>:
                   0:	18 01 00 00 89 67 45 23 00 00 00 00 01 00 00 00	r1 = 4886718345 ll
                   2:	15 02 01 00 00 00 00 00	if r2 == 0 goto +1 <LBB0_2>

            0000000000000018 <LBB0_2>:
                   3:	95 00 00 00 00 00 00 00	exit
            """;

        Assert.Equal(Conf("lddw %r1, 0x123456789\njeq %r2, 0, +1\nexit"), KernelSyntaxAssembler.Assemble(text));
    }

    [Fact]
    public void Assemble_Labels_ResolveRelativeToNextSlot()
    {
        var program = KernelSyntaxAssembler.Assemble("""
            top:
            if r1 == 0 goto out   // forward
            r1 = 0x1122334455667788 ll
            goto top
            gotol out
            out:
            exit
            """);

        Assert.Equal(Conf("jeq %r1, 0, +4\nlddw %r1, 0x1122334455667788\nja -4\nja32 +0\nexit"), program);
    }

    [Theory]
    [InlineData("r1 = 5", "mov %r1, 5")]
    [InlineData("r1 = 0x5", "mov %r1, 5")]
    [InlineData("(18) r1 = 0x5", "lddw %r1, 5")]
    [InlineData("r1 = 5 ll", "lddw %r1, 5")]
    [InlineData("r1 = 0xffffffff", "lddw %r1, 0xffffffff")]
    [InlineData("r1 = -2147483648", "mov %r1, -2147483648")]
    [InlineData("r1 = 4294967296", "lddw %r1, 0x100000000")]
    [InlineData("w1 = 0xffffffff", "mov32 %r1, -1")]
    [InlineData("r1 += 0xfffffffd", "add %r1, -3")]
    [InlineData("r1 = map[id:3]", "lddw %r1, map_fd(3)")]
    [InlineData("r1 = map[id:3][0]+8", "lddw %r1, map_value(3, 8)")]
    [InlineData("r1 = *(u32 *)(r2+4)", "ldxw %r1, [%r2+4]")]
    [InlineData("w1 = *(u16 *)(r2 - 4)", "ldxh %r1, [%r2-4]")]
    [InlineData("*(u8 *)(r10 - 1) = w3", "stxb [%r10-1], %r3")]
    [InlineData("*(u64 *)(r10 -0x10) = -1", "stdw [%r10-16], -1")]
    [InlineData("lock *(u32 *)(r1 + 0) += w2", "lock add32 [%r1], %r2")]
    [InlineData("r0 = cmpxchg_64(r1 + 8, r0, r2)", "lock cmpxchg [%r1+8], %r2")]
    [InlineData("w3 = xchg32_32(r1 - 8, w3)", "lock xchg32 [%r1-8], %r3")]
    [InlineData("r2 = atomic_fetch_and((u64 *)(r1 + 0), r2)", "lock fetch and [%r1], %r2")]
    [InlineData("call bpf_ktime_get_ns#5", "call 5")]
    [InlineData("call 0x5", "call 5")]
    [InlineData("call kernel-function#9", "call runtime 9")]
    [InlineData("if w1 s> -1 goto -2", "jsgt32 %r1, -1, -2")]
    [InlineData("if r1 != r2 goto pc-1", "jne %r1, %r2, -1")]
    [InlineData("r0 = *(u32 *)skb[r2]", "ldindw %r2, 0")]
    [InlineData("r1 = le16 r1", "le16 %r1")]
    public void Assemble_Spelling_EncodesLikeConformanceDialect(string line, string conformance)
    {
        var actual = KernelSyntaxAssembler.Assemble(line);

        Assert.Equal(Conf(conformance), actual);
    }

    [Theory]
    [InlineData("r1 += w2", "mix 64-bit")]
    [InlineData("r16 = 1", "invalid register")]
    [InlineData("goto pc+40000", "out of range")]
    [InlineData("goto nowhere", "unknown label 'nowhere'")]
    [InlineData("<unknown>", "unrecognised instruction")]
    [InlineData("(b7) r1 += 1", "opcode column (b7) does not match")]
    [InlineData("w1 = *(u64 *)(r1 +0)", "64-bit access needs rN")]
    [InlineData("r0 = atomic64_cmpxchg((u64 *)(r1 +0), r1, r2)", "compares with and loads into r0")]
    [InlineData("r1 = atomic64_fetch_add((u64 *)(r1 +0), r2)", "must be the same register")]
    [InlineData("r1 = -r2", "must be the same register")]
    [InlineData("r1 = be16 r2", "in place")]
    [InlineData("w1 = (s32)w2", "(s32) needs 64-bit registers")]
    [InlineData("w1 = 5 ll", "lddw loads a 64-bit register")]
    [InlineData("r1 += 4294967295", "out of range")]
    [InlineData("*(u32 *)(r1 +40000) = r2", "offset 40000 out of range")]
    [InlineData("lock *(u8 *)(r1 +0) += r2", "32 or 64 bits")]
    [InlineData("a:\na:\nexit", "defined twice")]
    [InlineData("frobnicate r1", "unrecognised instruction")]
    public void Assemble_BadLine_ThrowsNamingLineAndProblem(string text, string problem)
    {
        var ex = Assert.Throws<BpfAssemblyException>(() => KernelSyntaxAssembler.Assemble("exit\n" + text));

        Assert.Contains(problem, ex.Reason);
        Assert.True(ex.Line >= 2);
        Assert.StartsWith($"line {ex.Line}: ", ex.Message);
    }
}
