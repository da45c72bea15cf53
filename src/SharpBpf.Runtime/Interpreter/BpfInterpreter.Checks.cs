using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Programs;

namespace SharpBpf.Runtime.Interpreter;

/// <summary>Memory checks and the cold paths that stop a run.</summary>
internal static unsafe partial class BpfInterpreter
{
    // Fast path of a checked load: one subtraction and one unsigned compare against the region that satisfied the
    // last load (its length is at least 8, so "length - size" cannot wrap; an address below the region start makes
    // "address - start" huge). Anything else goes to the slow path, which searches every region.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Load<TMode>(RunState state, ulong address, uint size, int nextIndex)
        where TMode : struct, IExecutionMode
    {
        if (TMode.Checked && address - state.ReadStart > state.ReadLength - size)
            CheckSlow(state, address, size, MemoryAccess.Read, nextIndex);
        return address;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Store<TMode>(RunState state, ulong address, uint size, int nextIndex)
        where TMode : struct, IExecutionMode
    {
        if (TMode.Checked && address - state.WriteStart > state.WriteLength - size)
            CheckSlow(state, address, size, MemoryAccess.Write, nextIndex);
        return address;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Atomic<TMode>(RunState state, ulong address, uint size, int nextIndex)
        where TMode : struct, IExecutionMode
    {
        if (TMode.Checked)
        {
            // The write cache only ever holds regions that allow both reading and writing.
            if (address - state.WriteStart > state.WriteLength - size)
                CheckSlow(state, address, size, MemoryAccess.ReadWrite, nextIndex);
            // Atomic instructions need natural alignment (the kernel verifier demands it; split locks are slow
            // or fatal on x86 and undefined elsewhere).
            if ((address & (size - 1)) != 0)
                ThrowMisaligned(state, address, size, nextIndex - 1);
        }

        return address;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void CheckSlow(RunState state, ulong address, uint size, MemoryAccess access, int nextIndex)
    {
        if (!state.FindRegion(address, size, access, out _))
            ThrowAccess(state, address, size, access, nextIndex - 1);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowAccess(RunState state, ulong address, uint size, MemoryAccess access, int index)
    {
        var program = state.Program!;
        var (kind, what) = access switch
        {
            MemoryAccess.Read => (BpfRuntimeErrorKind.OutOfBoundsLoad, "load"),
            MemoryAccess.Write => (BpfRuntimeErrorKind.OutOfBoundsStore, "store"),
            _ => (BpfRuntimeErrorKind.OutOfBoundsAtomic, "atomic access"),
        };
        var pc = program.PcOf(index);
        throw new BpfRuntimeException(
            $"{program.Describe(index)}: out-of-bounds {what} of {size} byte{(size == 1 ? "" : "s")} at 0x{address:x}"
            + $" (stack 0x{state.StackRegion.Start:x}-0x{state.StackTop:x})",
            kind, pc, address, (int)size);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowMisaligned(RunState state, ulong address, uint size, int index)
    {
        var program = state.Program!;
        throw new BpfRuntimeException(
            $"{program.Describe(index)}: misaligned atomic access of {size} bytes at 0x{address:x}",
            BpfRuntimeErrorKind.MisalignedAtomic, program.PcOf(index), address, (int)size);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowBudget(InterpretedProgram program, int index) =>
        throw new BpfRuntimeException(
            $"{program.Describe(index)}: instruction budget of {program.InstructionBudget} exceeded",
            BpfRuntimeErrorKind.InstructionBudgetExceeded, program.PcOf(index));

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowCallDepth(InterpretedProgram program, int index) =>
        throw new BpfRuntimeException(
            $"{program.Describe(index)}: call depth exceeds {RunState.MaxFrames} frames",
            BpfRuntimeErrorKind.CallDepthExceeded, program.PcOf(index));

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowUnknownHelper(InterpretedProgram program, int index, ulong id) =>
        throw new BpfRuntimeException(
            $"{program.Describe(index)}: indirect call to unknown helper {(long)id} ({program.Helpers.NameOf((long)id)})",
            BpfRuntimeErrorKind.UnknownHelper, program.PcOf(index));

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowInvalid(InterpretedProgram program, int index) =>
        throw new BpfRuntimeException(
            $"{program.Describe(index)}: cannot execute this instruction",
            BpfRuntimeErrorKind.InvalidInstruction, program.PcOf(index));
}
