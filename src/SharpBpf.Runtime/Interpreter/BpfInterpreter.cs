using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SharpBpf.Asm;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Programs;

namespace SharpBpf.Runtime.Interpreter;

/// <summary>
/// The interpreter loop: a <c>switch</c> on the dense <see cref="Op"/> over pre-resolved <see cref="Slot"/>s,
/// registers in a stack-allocated file, real native addresses, and (in checked mode) every load, store and atomic
/// tested against the run's regions before it happens. Semantics are RFC 9669's.
/// </summary>
internal static unsafe partial class BpfInterpreter
{
    private const int FrameSize = RunState.FrameSize;

    /// <summary>Runs <paramref name="program"/> on <paramref name="state"/> with r1..r5 as given; returns r0.</summary>
    public static ulong Run(InterpretedProgram program, RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5) =>
        Run(program, state, 0, r1, r2, r3, r4, r5);

    /// <summary>Runs <paramref name="program"/> with its frame 0 at stack frame <paramref name="baseDepth"/>.</summary>
    internal static ulong Run(InterpretedProgram program, RunState state, int baseDepth, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        state.BeginRun(program, baseDepth);
        return Dispatch(program, state, 0, baseDepth, r1, r2, r3, r4, r5);
    }

    /// <summary>
    /// Runs the function starting at logical instruction <paramref name="startIndex"/> as a bpf-to-bpf call made
    /// from call depth <paramref name="callerDepth"/> (a <c>bpf_loop</c> callback): a new stack frame, the caller's
    /// frames left alone, and <c>exit</c> of the function returns to the caller instead of ending the run.
    /// </summary>
    internal static ulong RunFunction(InterpretedProgram program, RunState state, int startIndex, int callerDepth,
        ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        var depth = callerDepth + 1;
        if (depth >= RunState.MaxFrames)
            ThrowCallDepth(program, startIndex);
        state.ResetStack(depth);
        try
        {
            return Dispatch(program, state, startIndex, depth, r1, r2, r3, r4, r5);
        }
        finally
        {
            state.ResetStack(callerDepth);
        }
    }

    private static ulong Dispatch(InterpretedProgram program, RunState state, int startIndex, int baseDepth,
        ulong r1, ulong r2, ulong r3, ulong r4, ulong r5) =>
        (program.Trusted, program.InstructionBudget > 0) switch
        {
            (false, false) => Execute<CheckedMode>(program, state, startIndex, baseDepth, r1, r2, r3, r4, r5),
            (false, true) => Execute<CheckedBudgetedMode>(program, state, startIndex, baseDepth, r1, r2, r3, r4, r5),
            (true, false) => Execute<TrustedMode>(program, state, startIndex, baseDepth, r1, r2, r3, r4, r5),
            (true, true) => Execute<TrustedBudgetedMode>(program, state, startIndex, baseDepth, r1, r2, r3, r4, r5),
        };

    [SkipLocalsInit]
    private static ulong Execute<TMode>(InterpretedProgram program, RunState state, int startIndex, int baseDepth,
        ulong a1, ulong a2, ulong a3, ulong a4, ulong a5)
        where TMode : struct, IExecutionMode
    {
        // 16 registers although only r0-r10 exist: any 4-bit register field indexes inside the file, so even an
        // instruction the validator should have refused cannot touch host memory through the register file.
        var r = stackalloc ulong[16];
        new Span<ulong>(r, 16).Clear();
        r[1] = a1;
        r[2] = a2;
        r[3] = a3;
        r[4] = a4;
        r[5] = a5;
        r[10] = state.StackTop - (ulong)(baseDepth * FrameSize);

        ref var code = ref MemoryMarshal.GetArrayDataReference(program.Code);
        var pc = startIndex;
        var depth = baseDepth;
        var budget = program.InstructionBudget;

        while (true)
        {
            ref var i = ref Unsafe.Add(ref code, pc);
            pc++;
            if (TMode.Budgeted && --budget < 0)
                ThrowBudget(program, pc - 1);

            switch (i.Op)
            {
                // ---- 64-bit ALU ----
                case Op.Add64Imm: r[i.Dst] += (ulong)i.Imm; continue;
                case Op.Add64Reg: r[i.Dst] += r[i.Src]; continue;
                case Op.Sub64Imm: r[i.Dst] -= (ulong)i.Imm; continue;
                case Op.Sub64Reg: r[i.Dst] -= r[i.Src]; continue;
                case Op.Mul64Imm: r[i.Dst] *= (ulong)i.Imm; continue;
                case Op.Mul64Reg: r[i.Dst] *= r[i.Src]; continue;
                case Op.Div64Imm: r[i.Dst] = Div64(r[i.Dst], (ulong)i.Imm); continue;
                case Op.Div64Reg: r[i.Dst] = Div64(r[i.Dst], r[i.Src]); continue;
                case Op.SDiv64Imm: r[i.Dst] = SDiv64(r[i.Dst], (ulong)i.Imm); continue;
                case Op.SDiv64Reg: r[i.Dst] = SDiv64(r[i.Dst], r[i.Src]); continue;
                case Op.Mod64Imm: r[i.Dst] = Mod64(r[i.Dst], (ulong)i.Imm); continue;
                case Op.Mod64Reg: r[i.Dst] = Mod64(r[i.Dst], r[i.Src]); continue;
                case Op.SMod64Imm: r[i.Dst] = SMod64(r[i.Dst], (ulong)i.Imm); continue;
                case Op.SMod64Reg: r[i.Dst] = SMod64(r[i.Dst], r[i.Src]); continue;
                case Op.Or64Imm: r[i.Dst] |= (ulong)i.Imm; continue;
                case Op.Or64Reg: r[i.Dst] |= r[i.Src]; continue;
                case Op.And64Imm: r[i.Dst] &= (ulong)i.Imm; continue;
                case Op.And64Reg: r[i.Dst] &= r[i.Src]; continue;
                case Op.Xor64Imm: r[i.Dst] ^= (ulong)i.Imm; continue;
                case Op.Xor64Reg: r[i.Dst] ^= r[i.Src]; continue;
                case Op.Lsh64Imm: r[i.Dst] <<= (int)i.Imm; continue;
                case Op.Lsh64Reg: r[i.Dst] <<= (int)(r[i.Src] & 63); continue;
                case Op.Rsh64Imm: r[i.Dst] >>= (int)i.Imm; continue;
                case Op.Rsh64Reg: r[i.Dst] >>= (int)(r[i.Src] & 63); continue;
                case Op.Arsh64Imm: r[i.Dst] = (ulong)((long)r[i.Dst] >> (int)i.Imm); continue;
                case Op.Arsh64Reg: r[i.Dst] = (ulong)((long)r[i.Dst] >> (int)(r[i.Src] & 63)); continue;
                case Op.Neg64: r[i.Dst] = 0 - r[i.Dst]; continue;
                case Op.Mov64Imm: r[i.Dst] = (ulong)i.Imm; continue;
                case Op.Mov64Reg: r[i.Dst] = r[i.Src]; continue;
                case Op.MovSx8To64: r[i.Dst] = (ulong)(long)(sbyte)r[i.Src]; continue;
                case Op.MovSx16To64: r[i.Dst] = (ulong)(long)(short)r[i.Src]; continue;
                case Op.MovSx32To64: r[i.Dst] = (ulong)(long)(int)r[i.Src]; continue;

                // ---- 32-bit ALU: operate on the low halves, zero-extend the result ----
                case Op.Add32Imm: r[i.Dst] = (uint)r[i.Dst] + (uint)i.Imm; continue;
                case Op.Add32Reg: r[i.Dst] = (uint)r[i.Dst] + (uint)r[i.Src]; continue;
                case Op.Sub32Imm: r[i.Dst] = (uint)r[i.Dst] - (uint)i.Imm; continue;
                case Op.Sub32Reg: r[i.Dst] = (uint)r[i.Dst] - (uint)r[i.Src]; continue;
                case Op.Mul32Imm: r[i.Dst] = (uint)r[i.Dst] * (uint)i.Imm; continue;
                case Op.Mul32Reg: r[i.Dst] = (uint)r[i.Dst] * (uint)r[i.Src]; continue;
                case Op.Div32Imm: r[i.Dst] = Div32((uint)r[i.Dst], (uint)i.Imm); continue;
                case Op.Div32Reg: r[i.Dst] = Div32((uint)r[i.Dst], (uint)r[i.Src]); continue;
                case Op.SDiv32Imm: r[i.Dst] = SDiv32((uint)r[i.Dst], (uint)i.Imm); continue;
                case Op.SDiv32Reg: r[i.Dst] = SDiv32((uint)r[i.Dst], (uint)r[i.Src]); continue;
                case Op.Mod32Imm: r[i.Dst] = Mod32((uint)r[i.Dst], (uint)i.Imm); continue;
                case Op.Mod32Reg: r[i.Dst] = Mod32((uint)r[i.Dst], (uint)r[i.Src]); continue;
                case Op.SMod32Imm: r[i.Dst] = SMod32((uint)r[i.Dst], (uint)i.Imm); continue;
                case Op.SMod32Reg: r[i.Dst] = SMod32((uint)r[i.Dst], (uint)r[i.Src]); continue;
                case Op.Or32Imm: r[i.Dst] = (uint)r[i.Dst] | (uint)i.Imm; continue;
                case Op.Or32Reg: r[i.Dst] = (uint)r[i.Dst] | (uint)r[i.Src]; continue;
                case Op.And32Imm: r[i.Dst] = (uint)r[i.Dst] & (uint)i.Imm; continue;
                case Op.And32Reg: r[i.Dst] = (uint)r[i.Dst] & (uint)r[i.Src]; continue;
                case Op.Xor32Imm: r[i.Dst] = (uint)r[i.Dst] ^ (uint)i.Imm; continue;
                case Op.Xor32Reg: r[i.Dst] = (uint)r[i.Dst] ^ (uint)r[i.Src]; continue;
                case Op.Lsh32Imm: r[i.Dst] = (uint)r[i.Dst] << (int)i.Imm; continue;
                case Op.Lsh32Reg: r[i.Dst] = (uint)r[i.Dst] << (int)(r[i.Src] & 31); continue;
                case Op.Rsh32Imm: r[i.Dst] = (uint)r[i.Dst] >> (int)i.Imm; continue;
                case Op.Rsh32Reg: r[i.Dst] = (uint)r[i.Dst] >> (int)(r[i.Src] & 31); continue;
                case Op.Arsh32Imm: r[i.Dst] = (uint)((int)r[i.Dst] >> (int)i.Imm); continue;
                case Op.Arsh32Reg: r[i.Dst] = (uint)((int)r[i.Dst] >> (int)(r[i.Src] & 31)); continue;
                case Op.Neg32: r[i.Dst] = 0u - (uint)r[i.Dst]; continue;
                case Op.Mov32Imm: r[i.Dst] = (uint)i.Imm; continue;
                case Op.Mov32Reg: r[i.Dst] = (uint)r[i.Src]; continue;
                case Op.MovSx8To32: r[i.Dst] = (uint)(int)(sbyte)r[i.Src]; continue;
                case Op.MovSx16To32: r[i.Dst] = (uint)(int)(short)r[i.Src]; continue;

                // ---- byte order (little-endian host: "le" truncates, "be" and bswap swap) ----
                case Op.Le16: r[i.Dst] = (ushort)r[i.Dst]; continue;
                case Op.Le32: r[i.Dst] = (uint)r[i.Dst]; continue;
                case Op.Le64: continue;
                case Op.Be16 or Op.Bswap16: r[i.Dst] = BinaryPrimitives.ReverseEndianness((ushort)r[i.Dst]); continue;
                case Op.Be32 or Op.Bswap32: r[i.Dst] = BinaryPrimitives.ReverseEndianness((uint)r[i.Dst]); continue;
                case Op.Be64 or Op.Bswap64: r[i.Dst] = BinaryPrimitives.ReverseEndianness(r[i.Dst]); continue;

                case Op.Lddw: r[i.Dst] = (ulong)i.Imm; continue;

                // ---- loads ----
                case Op.LdxB: r[i.Dst] = *(byte*)Load<TMode>(state, r[i.Src] + (ulong)i.A, 1, pc); continue;
                case Op.LdxH: r[i.Dst] = Unsafe.ReadUnaligned<ushort>((void*)Load<TMode>(state, r[i.Src] + (ulong)i.A, 2, pc)); continue;
                case Op.LdxW: r[i.Dst] = Unsafe.ReadUnaligned<uint>((void*)Load<TMode>(state, r[i.Src] + (ulong)i.A, 4, pc)); continue;
                case Op.LdxDW: r[i.Dst] = Unsafe.ReadUnaligned<ulong>((void*)Load<TMode>(state, r[i.Src] + (ulong)i.A, 8, pc)); continue;
                case Op.LdxsB: r[i.Dst] = (ulong)(long)*(sbyte*)Load<TMode>(state, r[i.Src] + (ulong)i.A, 1, pc); continue;
                case Op.LdxsH: r[i.Dst] = (ulong)(long)Unsafe.ReadUnaligned<short>((void*)Load<TMode>(state, r[i.Src] + (ulong)i.A, 2, pc)); continue;
                case Op.LdxsW: r[i.Dst] = (ulong)(long)Unsafe.ReadUnaligned<int>((void*)Load<TMode>(state, r[i.Src] + (ulong)i.A, 4, pc)); continue;

                // ---- stores ----
                case Op.StB: *(byte*)Store<TMode>(state, r[i.Dst] + (ulong)i.A, 1, pc) = (byte)i.Imm; continue;
                case Op.StH: Unsafe.WriteUnaligned((void*)Store<TMode>(state, r[i.Dst] + (ulong)i.A, 2, pc), (ushort)i.Imm); continue;
                case Op.StW: Unsafe.WriteUnaligned((void*)Store<TMode>(state, r[i.Dst] + (ulong)i.A, 4, pc), (uint)i.Imm); continue;
                case Op.StDW: Unsafe.WriteUnaligned((void*)Store<TMode>(state, r[i.Dst] + (ulong)i.A, 8, pc), (ulong)i.Imm); continue;
                case Op.StxB: *(byte*)Store<TMode>(state, r[i.Dst] + (ulong)i.A, 1, pc) = (byte)r[i.Src]; continue;
                case Op.StxH: Unsafe.WriteUnaligned((void*)Store<TMode>(state, r[i.Dst] + (ulong)i.A, 2, pc), (ushort)r[i.Src]); continue;
                case Op.StxW: Unsafe.WriteUnaligned((void*)Store<TMode>(state, r[i.Dst] + (ulong)i.A, 4, pc), (uint)r[i.Src]); continue;
                case Op.StxDW: Unsafe.WriteUnaligned((void*)Store<TMode>(state, r[i.Dst] + (ulong)i.A, 8, pc), r[i.Src]); continue;

                // ---- atomics (real atomic instructions on the real address, after the check) ----
                case Op.AtomicAdd32 or Op.AtomicFetchAdd32 or Op.AtomicOr32 or Op.AtomicFetchOr32
                    or Op.AtomicAnd32 or Op.AtomicFetchAnd32 or Op.AtomicXor32 or Op.AtomicFetchXor32
                    or Op.AtomicXchg32 or Op.AtomicCmpXchg32:
                    Atomic32(ref i, r, (int*)Atomic<TMode>(state, r[i.Dst] + (ulong)i.A, 4, pc));
                    continue;
                case Op.AtomicAdd64 or Op.AtomicFetchAdd64 or Op.AtomicOr64 or Op.AtomicFetchOr64
                    or Op.AtomicAnd64 or Op.AtomicFetchAnd64 or Op.AtomicXor64 or Op.AtomicFetchXor64
                    or Op.AtomicXchg64 or Op.AtomicCmpXchg64:
                    Atomic64(ref i, r, (long*)Atomic<TMode>(state, r[i.Dst] + (ulong)i.A, 8, pc));
                    continue;

                // ---- jumps: 64-bit compares use the sign-extended imm, 32-bit compares the low halves ----
                case Op.Ja or Op.Ja32: pc = i.A; continue;
                case Op.Jeq64Imm: if (r[i.Dst] == (ulong)i.Imm) pc = i.A; continue;
                case Op.Jeq64Reg: if (r[i.Dst] == r[i.Src]) pc = i.A; continue;
                case Op.Jne64Imm: if (r[i.Dst] != (ulong)i.Imm) pc = i.A; continue;
                case Op.Jne64Reg: if (r[i.Dst] != r[i.Src]) pc = i.A; continue;
                case Op.Jgt64Imm: if (r[i.Dst] > (ulong)i.Imm) pc = i.A; continue;
                case Op.Jgt64Reg: if (r[i.Dst] > r[i.Src]) pc = i.A; continue;
                case Op.Jge64Imm: if (r[i.Dst] >= (ulong)i.Imm) pc = i.A; continue;
                case Op.Jge64Reg: if (r[i.Dst] >= r[i.Src]) pc = i.A; continue;
                case Op.Jlt64Imm: if (r[i.Dst] < (ulong)i.Imm) pc = i.A; continue;
                case Op.Jlt64Reg: if (r[i.Dst] < r[i.Src]) pc = i.A; continue;
                case Op.Jle64Imm: if (r[i.Dst] <= (ulong)i.Imm) pc = i.A; continue;
                case Op.Jle64Reg: if (r[i.Dst] <= r[i.Src]) pc = i.A; continue;
                case Op.Jset64Imm: if ((r[i.Dst] & (ulong)i.Imm) != 0) pc = i.A; continue;
                case Op.Jset64Reg: if ((r[i.Dst] & r[i.Src]) != 0) pc = i.A; continue;
                case Op.Jsgt64Imm: if ((long)r[i.Dst] > i.Imm) pc = i.A; continue;
                case Op.Jsgt64Reg: if ((long)r[i.Dst] > (long)r[i.Src]) pc = i.A; continue;
                case Op.Jsge64Imm: if ((long)r[i.Dst] >= i.Imm) pc = i.A; continue;
                case Op.Jsge64Reg: if ((long)r[i.Dst] >= (long)r[i.Src]) pc = i.A; continue;
                case Op.Jslt64Imm: if ((long)r[i.Dst] < i.Imm) pc = i.A; continue;
                case Op.Jslt64Reg: if ((long)r[i.Dst] < (long)r[i.Src]) pc = i.A; continue;
                case Op.Jsle64Imm: if ((long)r[i.Dst] <= i.Imm) pc = i.A; continue;
                case Op.Jsle64Reg: if ((long)r[i.Dst] <= (long)r[i.Src]) pc = i.A; continue;
                case Op.Jeq32Imm: if ((uint)r[i.Dst] == (uint)i.Imm) pc = i.A; continue;
                case Op.Jeq32Reg: if ((uint)r[i.Dst] == (uint)r[i.Src]) pc = i.A; continue;
                case Op.Jne32Imm: if ((uint)r[i.Dst] != (uint)i.Imm) pc = i.A; continue;
                case Op.Jne32Reg: if ((uint)r[i.Dst] != (uint)r[i.Src]) pc = i.A; continue;
                case Op.Jgt32Imm: if ((uint)r[i.Dst] > (uint)i.Imm) pc = i.A; continue;
                case Op.Jgt32Reg: if ((uint)r[i.Dst] > (uint)r[i.Src]) pc = i.A; continue;
                case Op.Jge32Imm: if ((uint)r[i.Dst] >= (uint)i.Imm) pc = i.A; continue;
                case Op.Jge32Reg: if ((uint)r[i.Dst] >= (uint)r[i.Src]) pc = i.A; continue;
                case Op.Jlt32Imm: if ((uint)r[i.Dst] < (uint)i.Imm) pc = i.A; continue;
                case Op.Jlt32Reg: if ((uint)r[i.Dst] < (uint)r[i.Src]) pc = i.A; continue;
                case Op.Jle32Imm: if ((uint)r[i.Dst] <= (uint)i.Imm) pc = i.A; continue;
                case Op.Jle32Reg: if ((uint)r[i.Dst] <= (uint)r[i.Src]) pc = i.A; continue;
                case Op.Jset32Imm: if (((uint)r[i.Dst] & (uint)i.Imm) != 0) pc = i.A; continue;
                case Op.Jset32Reg: if (((uint)r[i.Dst] & (uint)r[i.Src]) != 0) pc = i.A; continue;
                case Op.Jsgt32Imm: if ((int)r[i.Dst] > (int)i.Imm) pc = i.A; continue;
                case Op.Jsgt32Reg: if ((int)r[i.Dst] > (int)r[i.Src]) pc = i.A; continue;
                case Op.Jsge32Imm: if ((int)r[i.Dst] >= (int)i.Imm) pc = i.A; continue;
                case Op.Jsge32Reg: if ((int)r[i.Dst] >= (int)r[i.Src]) pc = i.A; continue;
                case Op.Jslt32Imm: if ((int)r[i.Dst] < (int)i.Imm) pc = i.A; continue;
                case Op.Jslt32Reg: if ((int)r[i.Dst] < (int)r[i.Src]) pc = i.A; continue;
                case Op.Jsle32Imm: if ((int)r[i.Dst] <= (int)i.Imm) pc = i.A; continue;
                case Op.Jsle32Reg: if ((int)r[i.Dst] <= (int)r[i.Src]) pc = i.A; continue;

                // ---- calls ----
                case Op.Call:
                    if (CallHelper(state, (nint)i.Imm, r, i.A))
                    {
                        if (!TakeFrameReturn(state, r))
                            return state.StopValue;
                        goto case Op.Exit;
                    }

                    continue;
                case Op.Callx:
                {
                    var fn = program.Helpers.Lookup((long)r[i.Dst]);
                    if (fn == 0)
                        ThrowUnknownHelper(program, pc - 1, r[i.Dst]);
                    if (CallHelper(state, fn, r, i.A))
                    {
                        if (!TakeFrameReturn(state, r))
                            return state.StopValue;
                        goto case Op.Exit;
                    }

                    continue;
                }

                case Op.CallLocal:
                {
                    if (depth == RunState.MaxFrames - 1)
                        ThrowCallDepth(program, pc - 1);
                    ref var frame = ref state.Frames[depth];
                    frame.ReturnIndex = pc;
                    frame.R6 = r[6];
                    frame.R7 = r[7];
                    frame.R8 = r[8];
                    frame.R9 = r[9];
                    depth++;
                    r[10] = state.StackTop - (ulong)(depth * FrameSize);
                    state.ResetStack(depth);
                    pc = i.A;
                    continue;
                }

                case Op.Exit:
                {
                    if (depth == baseDepth)
                        return r[0];
                    depth--;
                    ref var frame = ref state.Frames[depth];
                    pc = frame.ReturnIndex;
                    r[6] = frame.R6;
                    r[7] = frame.R7;
                    r[8] = frame.R8;
                    r[9] = frame.R9;
                    r[10] = state.StackTop - (ulong)(depth * FrameSize);
                    // The callee's frame is gone: shrink the stack region (and drop a hot cache that covered it).
                    state.ResetStack(depth);
                    continue;
                }

                default:
                    ThrowInvalid(program, pc - 1);
                    return 0;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Div64(ulong a, ulong b) => b == 0 ? 0 : a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Mod64(ulong a, ulong b) => b == 0 ? a : a % b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong SDiv64(ulong a, ulong b) => (long)b switch
    {
        0 => 0,
        -1 => 0 - a, // also INT_MIN / -1 = INT_MIN, which .NET division would trap on
        _ => (ulong)((long)a / (long)b),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong SMod64(ulong a, ulong b) => (long)b switch
    {
        0 => a,
        -1 => 0, // also INT_MIN % -1 = 0, which .NET would trap on
        _ => (ulong)((long)a % (long)b),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Div32(uint a, uint b) => b == 0 ? 0 : a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Mod32(uint a, uint b) => b == 0 ? a : a % b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong SDiv32(uint a, uint b) => (int)b switch
    {
        0 => 0,
        -1 => 0u - a,
        _ => (uint)((int)a / (int)b),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong SMod32(uint a, uint b) => (int)b switch
    {
        0 => a,
        -1 => 0,
        _ => (uint)((int)a % (int)b),
    };

    /// <summary>
    /// After a helper stopped the program: true (r0 set, the stop consumed) if the stop only ends the current frame,
    /// because a subprogram's tail call ran its target in the subprogram's place; false if it ends the run.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TakeFrameReturn(RunState state, ulong* r)
    {
        if (!state.FrameReturnRequested)
            return false;
        state.FrameReturnRequested = false;
        state.StopRequested = false;
        r[0] = state.StopValue;
        return true;
    }

    /// <summary>Calls a helper; r1-r5 are clobbered (zeroed) afterwards. True if the helper ended the program.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool CallHelper(RunState state, nint fn, ulong* r, int pc)
    {
        state.CurrentPc = pc; // the call's slot index (in the slot's A), for faults the helper reports
        var f = (delegate* managed<RunState, ulong, ulong, ulong, ulong, ulong, ulong>)fn;
        r[0] = f(state, r[1], r[2], r[3], r[4], r[5]);
        r[1] = r[2] = r[3] = r[4] = r[5] = 0;
        return state.StopRequested;
    }

    private static void Atomic32(ref Slot i, ulong* r, int* p)
    {
        var v = (int)r[i.Src];
        switch (i.Op)
        {
            case Op.AtomicAdd32: Interlocked.Add(ref *p, v); break;
            case Op.AtomicFetchAdd32: r[i.Src] = (uint)(Interlocked.Add(ref *p, v) - v); break;
            case Op.AtomicOr32: Interlocked.Or(ref *p, v); break;
            case Op.AtomicFetchOr32: r[i.Src] = (uint)Interlocked.Or(ref *p, v); break;
            case Op.AtomicAnd32: Interlocked.And(ref *p, v); break;
            case Op.AtomicFetchAnd32: r[i.Src] = (uint)Interlocked.And(ref *p, v); break;
            case Op.AtomicXor32: Xor32(p, v); break;
            case Op.AtomicFetchXor32: r[i.Src] = (uint)Xor32(p, v); break;
            case Op.AtomicXchg32: r[i.Src] = (uint)Interlocked.Exchange(ref *p, v); break;
            case Op.AtomicCmpXchg32: r[0] = (uint)Interlocked.CompareExchange(ref *p, v, (int)r[0]); break;
            default: throw new UnreachableException();
        }
    }

    private static void Atomic64(ref Slot i, ulong* r, long* p)
    {
        var v = (long)r[i.Src];
        switch (i.Op)
        {
            case Op.AtomicAdd64: Interlocked.Add(ref *p, v); break;
            case Op.AtomicFetchAdd64: r[i.Src] = (ulong)(Interlocked.Add(ref *p, v) - v); break;
            case Op.AtomicOr64: Interlocked.Or(ref *p, v); break;
            case Op.AtomicFetchOr64: r[i.Src] = (ulong)Interlocked.Or(ref *p, v); break;
            case Op.AtomicAnd64: Interlocked.And(ref *p, v); break;
            case Op.AtomicFetchAnd64: r[i.Src] = (ulong)Interlocked.And(ref *p, v); break;
            case Op.AtomicXor64: Xor64(p, v); break;
            case Op.AtomicFetchXor64: r[i.Src] = (ulong)Xor64(p, v); break;
            case Op.AtomicXchg64: r[i.Src] = (ulong)Interlocked.Exchange(ref *p, v); break;
            case Op.AtomicCmpXchg64: r[0] = (ulong)Interlocked.CompareExchange(ref *p, v, (long)r[0]); break;
            default: throw new UnreachableException();
        }
    }

    // No Interlocked.Xor: a compare-exchange loop; returns the old value.
    internal static int Xor32(int* p, int v)
    {
        int old;
        do
        {
            old = Volatile.Read(ref *p);
        }
        while (Interlocked.CompareExchange(ref *p, old ^ v, old) != old);
        return old;
    }

    internal static long Xor64(long* p, long v)
    {
        long old;
        do
        {
            old = Volatile.Read(ref *p);
        }
        while (Interlocked.CompareExchange(ref *p, old ^ v, old) != old);
        return old;
    }
}
