using System.Diagnostics.CodeAnalysis;
using SharpBpf.Abi;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Interpreter;
using SharpBpf.Runtime.Programs;

namespace SharpBpf.Runtime.Helpers;

/// <summary>
/// <c>long bpf_loop(u32 nr_loops, void *callback_fn, void *callback_ctx, u64 flags)</c> (181): calls the callback
/// (a function of the same program whose address an <c>lddw src=4</c> loaded) with the index and
/// <c>callback_ctx</c>, as a bpf-to-bpf call in the interpreter, until it returns non-zero or
/// <c>nr_loops</c> calls were made. Returns the number of calls; -EINVAL for flags, -E2BIG for more than 2^23
/// loops.
/// </summary>
public static unsafe class LoopHelpers
{
    /// <summary><c>BPF_MAX_LOOPS</c>.</summary>
    public const uint MaxLoops = 1u << 23;

    /// <summary>Registers the helper under its Linux id.</summary>
    public static void Register(HelperTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Register(HelperId.Loop, &Loop);
    }

    /// <summary>The helper.</summary>
    public static ulong Loop(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (r4 != 0)
            return unchecked((ulong)-(long)Errno.EINVAL);
        var count = (uint)r1;
        if (count > MaxLoops)
            return unchecked((ulong)-(long)Errno.E2BIG);
        var program = state.Program;
        var pc = state.CurrentPc;
        if (program is null || !CallbackAddress.TryDecode(r2, program, out var start))
            return ThrowNotCallback(pc, r2);
        // The helper runs inside the caller's frame: the callback gets the next one.
        var depth = (int)((state.StackTop - state.StackRegion.Start) / RunState.FrameSize) - 1;
        for (var i = 0u; i < count; i++)
        {
            var result = BpfInterpreter.RunFunction(program, state, start, depth, i, r3, 0, 0, 0);
            state.CurrentPc = pc;
            if (state.StopRequested)
                return result;
            if (result != 0)
                return i + 1;
        }

        return count;
    }

    [DoesNotReturn]
    private static ulong ThrowNotCallback(int pc, ulong value) =>
        throw new BpfRuntimeException($"pc {pc}: bpf_loop: r2 (0x{value:x}) is not a callback address of this program",
            BpfRuntimeErrorKind.HelperFault, pc);
}

/// <summary>
/// What <c>lddw rX, callback</c> (<c>src=4</c>, <c>BPF_PSEUDO_FUNC</c>) loads in the runtime: a token naming the
/// callback's first logical instruction, which only the runtime's callback helpers interpret (the kernel loads a
/// code address that programs may likewise only pass to helpers).
/// </summary>
internal static class CallbackAddress
{
    private const ulong Tag = 0xBFC0_0000_0000_0000;
    private const ulong TagMask = 0xFFFF_FFFF_0000_0000;

    public static ulong Encode(int index) => Tag | (uint)index;

    public static bool TryDecode(ulong value, InterpretedProgram program, out int index)
    {
        index = (int)(uint)value;
        return (value & TagMask) == Tag && (uint)index < (uint)program.Decoded.Length;
    }
}
