using System.Runtime.InteropServices;
using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Contexts;

/// <summary>
/// The native packet and context of one test run, shared by all its repeats (spec I: each run sees what the
/// previous one left). Entered on the CPU slot's run state before the runs and left after them, so no later run of
/// another program can reach this run's memory.
/// </summary>
internal abstract unsafe class ContextRun : IDisposable
{
    private readonly List<nint> _blocks = [];

    /// <summary>The bytes that are <c>data_out</c> after the runs.</summary>
    public abstract ReadOnlySpan<byte> DataOut { get; }

    /// <summary>The bytes that are <c>ctx_out</c> after the runs, or null when the run has no user context.</summary>
    public abstract byte[]? ContextOut { get; }

    /// <summary>Points <paramref name="state"/> at this run's regions and gives the registers every repeat starts with.</summary>
    public abstract void Enter(RunState state, out ulong r1, out ulong r2);

    /// <summary>Removes this run's regions from <paramref name="state"/>.</summary>
    public void Leave(RunState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.ClearContext();
        state.ClearPacket();
        if (state.ContextRun == this)
            state.ContextRun = null;
    }

    /// <summary>Frees the run's native memory.</summary>
    public void Dispose()
    {
        foreach (var block in _blocks)
            NativeMemory.AlignedFree((void*)block);
        _blocks.Clear();
        GC.SuppressFinalize(this);
    }

    /// <summary>Zeroed, cache-line-aligned native memory freed with the run.</summary>
    protected nint Allocate(int size)
    {
        var p = NativeMemory.AlignedAlloc((nuint)Math.Max(size, 1), 64);
        NativeMemory.Clear(p, (nuint)Math.Max(size, 1));
        _blocks.Add((nint)p);
        return (nint)p;
    }

    /// <summary>
    /// Makes [<paramref name="start"/>, <paramref name="end"/>) the packet region of <paramref name="state"/> and
    /// drops the hot region caches, which may still cover the packet as it was before a helper moved its bounds.
    /// </summary>
    protected static void SetPacket(RunState state, ulong start, ulong end)
    {
        if (end > start)
            state.SetPacket((nint)start, end - start);
        else
            state.ClearPacket();
        state.ReadStart = state.WriteStart = state.StackRegion.Start;
        state.ReadLength = state.WriteLength = state.StackRegion.Length;
    }

    /// <summary><c>bpf_ctx_init</c>'s checks of <c>ctx_in</c>: at most a page, and zero past <paramref name="size"/> (else E2BIG).</summary>
    public static bool ContextFits(ReadOnlySpan<byte> ctxIn, int size) =>
        ctxIn.Length <= 4096 && (ctxIn.Length <= size || !ctxIn[size..].ContainsAnyExcept((byte)0));
}
