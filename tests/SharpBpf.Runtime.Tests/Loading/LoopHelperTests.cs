using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;

namespace SharpBpf.Runtime.Tests.Loading;

/// <summary>
/// bpf_loop (181): the callback (<c>lddw src=4</c>) runs as a bpf-to-bpf call with its own stack frame, sees the
/// caller's stack through <c>callback_ctx</c>, and stops early on a non-zero return; in the interpreter and when
/// the program itself is compiled.
/// </summary>
public sealed class LoopHelperTests : IDisposable
{
    private readonly UserspaceBackend _backend = new();

    public void Dispose() => _backend.Dispose();

    /// <summary>
    /// sum = 0; calls = bpf_loop(N, add, &amp;sum, 0); return calls + 100 * sum. The callback adds the index to the
    /// caller's sum, writes 99 into its own frame's slot at r10-8 (which must not be the caller's), and returns
    /// index == stopAt.
    /// </summary>
    private static Instruction[] Program(int loops, int stopAt)
    {
        Instruction[] head = KernelSyntaxAssembler.Assemble($"*(u64 *)(r10 -8) = 0\nr1 = {loops}");
        Instruction[] callbackAddress = [new(0x18, 2, 4, 0, 0), new(0, 0, 0, 0, 0)];
        Instruction[] tail = KernelSyntaxAssembler.Assemble(
            "r3 = r10\nr3 += -8\nr4 = 0\ncall 181\nr1 = *(u64 *)(r10 -8)\nr1 *= 100\nr0 += r1\nexit");
        Instruction[] callback = KernelSyntaxAssembler.Assemble(
            $"r3 = *(u64 *)(r2 +0)\nr3 += r1\n*(u64 *)(r2 +0) = r3\n*(u64 *)(r10 -8) = 99\nr0 = 0\nif r1 != {stopAt} goto +1\nr0 = 1\nexit");
        Instruction[] all = [.. head, .. callbackAddress, .. tail, .. callback];
        var lddw = head.Length;
        all[lddw] = all[lddw] with { Imm = all.Length - callback.Length - (lddw + 1) };
        return all;
    }

    [Theory]
    [InlineData(ExecutionMode.Interpreter, 5, -1, 5 + (100 * 10))]
    [InlineData(ExecutionMode.Jit, 5, -1, 5 + (100 * 10))]
    [InlineData(ExecutionMode.Interpreter, 100, 3, 4 + (100 * 6))]
    [InlineData(ExecutionMode.Jit, 100, 3, 4 + (100 * 6))]
    [InlineData(ExecutionMode.Interpreter, 0, -1, 0)]
    public void BpfLoop_Callback_RunsAsALocalCallInItsOwnFrame(ExecutionMode mode, int loops, int stopAt, int expected)
    {
        var err = _backend.ProgLoad(new ProgLoadAttr
        {
            Type = ProgramType.Xdp, Instructions = Program(loops, stopAt), License = "GPL", ExecutionMode = mode, LogLevel = 1,
        }, out var fd, out var log);
        Assert.True(err == Errno.None, log);

        Assert.Equal(Errno.None, _backend.ProgTestRun(fd, new TestRunAttr { DataIn = TestData.SynPacket() }, out var result));

        Assert.Equal((uint)expected, result.Retval);
    }

    [Fact]
    public void BpfLoop_ForgedCallbackAddress_FaultsTheRun()
    {
        // r2 = 12345 is no callback: the run stops (EFAULT) instead of jumping anywhere.
        var err = _backend.ProgLoad(new ProgLoadAttr
        {
            Type = ProgramType.Xdp, License = "GPL",
            Instructions = KernelSyntaxAssembler.Assemble("r1 = 1\nr2 = 12345\nr3 = 0\nr4 = 0\ncall 181\nexit"),
        }, out var fd, out var log);
        Assert.True(err == Errno.None, log);

        Assert.Equal(Errno.EFAULT, _backend.ProgTestRun(fd, new TestRunAttr { DataIn = TestData.SynPacket() }, out _));
        Assert.True(_backend.TryGetLastRunError(fd, out var message));
        Assert.Contains("not a callback address", message, StringComparison.Ordinal);
    }
}
