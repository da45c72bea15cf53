using System.Runtime.CompilerServices;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Interpreter;

namespace SharpBpf.Runtime.Jit;

/// <summary>
/// The static methods compiled code calls. The checks are the interpreter's own (same hot caches, same slow path,
/// same exceptions), so a fault reads the same in both engines. The small ones are aggressively inlined by RyuJIT
/// into the dynamic method.
/// </summary>
internal static unsafe class JitRuntime
{
    // "nextIndex" is the logical index after the faulting instruction, as in the interpreter.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Load(RunState state, ulong address, uint size, int nextIndex)
    {
        if (address - state.ReadStart > state.ReadLength - size)
            BpfInterpreter.CheckSlow(state, address, size, MemoryAccess.Read, nextIndex);
        return address;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Store(RunState state, ulong address, uint size, int nextIndex)
    {
        if (address - state.WriteStart > state.WriteLength - size)
            BpfInterpreter.CheckSlow(state, address, size, MemoryAccess.Write, nextIndex);
        return address;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Atomic(RunState state, ulong address, uint size, int nextIndex)
    {
        if (address - state.WriteStart > state.WriteLength - size)
            BpfInterpreter.CheckSlow(state, address, size, MemoryAccess.ReadWrite, nextIndex);
        if ((address & (size - 1)) != 0)
            BpfInterpreter.ThrowMisaligned(state, address, size, nextIndex - 1);
        return address;
    }

    /// <summary>
    /// The key read of an inlined array lookup, checked as <c>bpf_map_lookup_elem</c> checks it (the helper's
    /// fault names the call through <see cref="RunState.CurrentPc"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ReadKeyChecked(RunState state, ulong key, int callPc)
    {
        if (key - state.ReadStart > state.ReadLength - 4)
            ReadKeySlow(state, key, callPc);
        return Unsafe.ReadUnaligned<uint>((void*)key);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ReadKeySlow(RunState state, ulong key, int callPc)
    {
        state.CurrentPc = callPc;
        state.CheckAccess(key, 4, write: false);
    }

    /// <summary>The per-CPU value base of an inlined PERCPU_ARRAY lookup, or 0 for a CPU without a copy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong PerCpuBase(RunState state, ulong values, ulong stride, uint cpus) =>
        (uint)state.Cpu < cpus ? values + (ulong)(uint)state.Cpu * stride : 0;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ulong Callx(RunState state, ulong id, int index, int callPc, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        var program = state.Program!;
        var fn = program.Helpers.Lookup((long)id);
        if (fn == 0)
            BpfInterpreter.ThrowUnknownHelper(program, index, id);
        state.CurrentPc = callPc;
        return ((delegate* managed<RunState, ulong, ulong, ulong, ulong, ulong, ulong>)fn)(state, r1, r2, r3, r4, r5);
    }

    /// <summary>Enters a bpf-to-bpf call: saves the callee-saved registers, returns the callee's r10.</summary>
    public static ulong Push(RunState state, int depth, int returnId, int index, ulong r6, ulong r7, ulong r8, ulong r9)
    {
        if (depth == RunState.MaxFrames - 1)
            BpfInterpreter.ThrowCallDepth(state.Program!, index);
        ref var frame = ref state.Frames[depth];
        frame.ReturnIndex = returnId;
        frame.R6 = r6;
        frame.R7 = r7;
        frame.R8 = r8;
        frame.R9 = r9;
        state.ResetStack(depth + 1);
        return state.StackTop - (ulong)((depth + 1) * RunState.FrameSize);
    }

    /// <summary>Leaves a call back to <paramref name="depth"/>; returns the caller's r10.</summary>
    public static ulong Pop(RunState state, int depth)
    {
        state.ResetStack(depth);
        return state.StackTop - (ulong)(depth * RunState.FrameSize);
    }

    /// <summary>The top of stack frame <paramref name="depth"/>: r10 of a function running there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong FrameTop(RunState state, int depth) => state.StackTop - (ulong)(depth * RunState.FrameSize);

    /// <summary>
    /// After a helper stopped the program: true (the stop consumed) if it ends only the current frame because a
    /// subprogram's tail call ran its target in the subprogram's place; false if it ends the run.
    /// </summary>
    public static bool TakeFrameReturn(RunState state)
    {
        if (!state.FrameReturnRequested)
            return false;
        state.FrameReturnRequested = false;
        state.StopRequested = false;
        return true;
    }

    public static ulong FrameR6(RunState state, int depth) => state.Frames[depth].R6;

    public static ulong FrameR7(RunState state, int depth) => state.Frames[depth].R7;

    public static ulong FrameR8(RunState state, int depth) => state.Frames[depth].R8;

    public static ulong FrameR9(RunState state, int depth) => state.Frames[depth].R9;

    public static int FrameReturn(RunState state, int depth) => state.Frames[depth].ReturnIndex;

    // ---- atomics: the address is checked; each returns what the instruction writes back (or nothing) ----
    public static void Add32(ulong p, ulong v) => Interlocked.Add(ref *(int*)p, (int)v);

    public static ulong FetchAdd32(ulong p, ulong v) => (uint)(Interlocked.Add(ref *(int*)p, (int)v) - (int)v);

    public static void Or32(ulong p, ulong v) => Interlocked.Or(ref *(int*)p, (int)v);

    public static ulong FetchOr32(ulong p, ulong v) => (uint)Interlocked.Or(ref *(int*)p, (int)v);

    public static void And32(ulong p, ulong v) => Interlocked.And(ref *(int*)p, (int)v);

    public static ulong FetchAnd32(ulong p, ulong v) => (uint)Interlocked.And(ref *(int*)p, (int)v);

    public static void Xor32(ulong p, ulong v) => BpfInterpreter.Xor32((int*)p, (int)v);

    public static ulong FetchXor32(ulong p, ulong v) => (uint)BpfInterpreter.Xor32((int*)p, (int)v);

    public static ulong Xchg32(ulong p, ulong v) => (uint)Interlocked.Exchange(ref *(int*)p, (int)v);

    public static ulong CmpXchg32(ulong p, ulong v, ulong r0) => (uint)Interlocked.CompareExchange(ref *(int*)p, (int)v, (int)r0);

    public static void Add64(ulong p, ulong v) => Interlocked.Add(ref *(long*)p, (long)v);

    public static ulong FetchAdd64(ulong p, ulong v) => (ulong)(Interlocked.Add(ref *(long*)p, (long)v) - (long)v);

    public static void Or64(ulong p, ulong v) => Interlocked.Or(ref *(long*)p, (long)v);

    public static ulong FetchOr64(ulong p, ulong v) => (ulong)Interlocked.Or(ref *(long*)p, (long)v);

    public static void And64(ulong p, ulong v) => Interlocked.And(ref *(long*)p, (long)v);

    public static ulong FetchAnd64(ulong p, ulong v) => (ulong)Interlocked.And(ref *(long*)p, (long)v);

    public static void Xor64(ulong p, ulong v) => BpfInterpreter.Xor64((long*)p, (long)v);

    public static ulong FetchXor64(ulong p, ulong v) => (ulong)BpfInterpreter.Xor64((long*)p, (long)v);

    public static ulong Xchg64(ulong p, ulong v) => (ulong)Interlocked.Exchange(ref *(long*)p, (long)v);

    public static ulong CmpXchg64(ulong p, ulong v, ulong r0) => (ulong)Interlocked.CompareExchange(ref *(long*)p, (long)v, (long)r0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bswap16(ulong v) => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((ushort)v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bswap32(ulong v) => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((uint)v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bswap64(ulong v) => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(v);
}
