using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using SharpBpf.Abi;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Maps;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Runtime.Helpers;

/// <summary>
/// <c>long bpf_tail_call(ctx, prog_array_map, index)</c> (helper 12) and the run-loop side of tail calls (spec D.2).
/// </summary>
/// <remarks>
/// <para>
/// The helper does not run the target: it records it on the <see cref="RunState"/> and stops the running program
/// (<see cref="RunState.Stop"/>); <see cref="Programs.InterpretedProgram"/>'s run loop then starts the target on
/// the same state with <c>r1 = ctx</c> and a fresh stack frame. The caller never resumes, nothing nests, and
/// compiled code shares the mechanism because it already honours <see cref="RunState.Stop"/>.
/// </para>
/// <para>
/// As on the kernel's JIT: an index whose low 32 bits are out of range, or an empty slot, falls through to the next
/// instruction without counting; at most <see cref="MaxTailCallCount"/> tail calls reach a program per run.
/// </para>
/// <para>
/// The slot is read without taking a reference. The run enters its registry's <see cref="EpochDomain"/> first
/// (once per run), so a program removed from the slot concurrently stays valid until the run ends.
/// </para>
/// </remarks>
public static class TailCallHelpers
{
    /// <summary>The kernel's <c>MAX_TAIL_CALL_CNT</c>.</summary>
    public const int MaxTailCallCount = 33;

    private static long s_reclaimedTargetRuns;

    /// <summary>
    /// How many tail-call targets were found reclaimed when their run ended (process-wide). Always 0 unless the grace
    /// periods are broken; the stress tests assert it.
    /// </summary>
    public static long ReclaimedTargetRuns => Interlocked.Read(ref s_reclaimedTargetRuns);

    /// <summary>Registers <c>bpf_tail_call</c> into <paramref name="table"/>.</summary>
    public static unsafe void Register(HelperTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Register(HelperId.TailCall, &TailCall);
    }

    /// <summary>
    /// <c>bpf_tail_call(ctx, map, index)</c>: on success the running program ends and the slot's program runs in its
    /// place with <c>r1 = ctx</c>; otherwise returns 0 and the program continues.
    /// </summary>
    public static ulong TailCall(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        ArgumentNullException.ThrowIfNull(state);
        Begin(state, r1, r2, r3, callerJumps: false);
        return 0;
    }

    /// <summary>
    /// <c>bpf_tail_call</c> as compiled code calls it (the JIT emits this instead of the helper): when the target is
    /// compiled and the caller is at its base frame, prepares the run state for the target and returns its entry,
    /// which the caller jumps to (IL <c>tail.</c>; no host stack growth, no trip through the run loop). Otherwise
    /// returns null having done what the helper does: nothing (fall through, r0 = 0), a recorded target for the run
    /// loop, or a subprogram's replacement run.
    /// </summary>
    internal static Jit.JitEntry? TailCallFromCompiled(RunState state, ulong r1, ulong r2, ulong r3) =>
        Begin(state, r1, r2, r3, callerJumps: true);

    private static Jit.JitEntry? Begin(RunState state, ulong r1, ulong r2, ulong r3, bool callerJumps)
    {
        var map = ResolveProgArray(state, r2);
        var index = (uint)r3;
        if (index >= map.MaxEntries || state.TailCallCount >= MaxTailCallCount)
            return null;

        // Announce the run before reading the slot (the interlocked enter orders the two).
        if (state.EpochRecord < 0)
        {
            var domain = map.Registry?.Epochs ?? FallbackDomain;
            state.Epoch = domain;
            state.EpochRecord = domain.Enter();
        }

        if (map.GetEntry(index) is not ProgramObject target)
            return null;
        state.TailCallCount++;
        if (state.Depth > state.BaseDepth)
        {
            // From a subprogram: as the kernel's JIT does, the target replaces the subprogram's frame and its r0 goes
            // back to the subprogram's caller, which goes on. The target (and its own chain) runs here, in that
            // frame; each such nesting costs one of the 33 tail calls, so the host depth stays bounded.
            var r0 = RunInPlaceOfSubprogram(state, target, r1);
            state.FrameReturnRequested = true;
            state.Stop(r0);
            return null;
        }

        state.TailCallContext = r1;
        if (callerJumps && target.Executable.Compiled is { } entry)
        {
            CountIfReclaimed(target);
            state.BeginRun(target.Executable, state.BaseDepth);
            return entry;
        }

        state.TailCallTarget = target;
        state.Stop(0);
        return null;
    }

    private static ulong RunInPlaceOfSubprogram(RunState state, ProgramObject target, ulong context)
    {
        var caller = state.Program!;
        var callerBase = state.BaseDepth;
        var depth = state.Depth;
        var pc = state.CurrentPc;
        state.TailCallContext = context;
        var r0 = RunTarget(state, target, depth);
        while (state.TailCallTarget is { } next)
            r0 = RunTarget(state, next, depth);

        // Back to the subprogram's program, at the subprogram's depth, for its return to the caller.
        state.BeginRun(caller, callerBase);
        state.ResetStack(depth);
        state.CurrentPc = pc;
        return r0;
    }

    /// <summary>
    /// Runs the recorded target of a tail call with <c>r1</c> = the recorded context, its frame 0 at stack frame
    /// <paramref name="baseDepth"/> (called by the run loops).
    /// </summary>
    internal static ulong RunTarget(RunState state, ProgramObject target, int baseDepth)
    {
        state.TailCallTarget = null;
        var r0 = target.Executable.ExecuteOne(state, state.TailCallContext, 0, 0, 0, 0, baseDepth);
        CountIfReclaimed(target);
        return r0;
    }

    // A program running after it was reclaimed is the bug the epochs prevent: counted so tests can see it never is.
    private static void CountIfReclaimed(ProgramObject target)
    {
        if (target.IsReclaimed)
            Interlocked.Increment(ref s_reclaimedTargetRuns);
    }

    /// <summary>Ends the run's epoch (called by the run loop when a run that tail-called ends).</summary>
    internal static void LeaveEpoch(RunState state)
    {
        var record = state.EpochRecord;
        var domain = state.Epoch!;
        state.EpochRecord = -1;
        state.Epoch = null;
        state.TailCallTarget = null;
        domain.Leave(record);
    }

    // Maps that were never published (no registry) hold only programs of unpublished registries: one shared domain.
    private static EpochDomain FallbackDomain { get; } = new();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ProgArrayMapObject ResolveProgArray(RunState state, ulong r2)
    {
        if (state.Program is { } program)
        {
            foreach (var map in program.MapArray)
            {
                if ((ulong)map.Header == r2)
                {
                    // The sealed type: an exact type compare (FdArrayMapObject would take the cast helper).
                    if (map is ProgArrayMapObject array)
                        return array;
                    ThrowNotProgArray(state, map);
                }
            }
        }

        ThrowNotAMap(state, r2);
        return null;
    }

    [DoesNotReturn]
    private static void ThrowNotProgArray(RunState state, MapObject map)
    {
        var pc = state.CurrentPc;
        throw new BpfRuntimeException($"pc {pc}: expected prog array map for tail call (map '{map.Name}')",
            BpfRuntimeErrorKind.HelperFault, pc);
    }

    [DoesNotReturn]
    private static void ThrowNotAMap(RunState state, ulong r2)
    {
        var pc = state.CurrentPc;
        throw new BpfRuntimeException($"pc {pc}: bpf_tail_call: r2 = 0x{r2:x} is not a map this program references",
            BpfRuntimeErrorKind.HelperFault, pc, r2);
    }
}
