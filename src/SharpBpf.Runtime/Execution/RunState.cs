using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using SharpBpf.Runtime.Programs;

namespace SharpBpf.Runtime.Execution;

/// <summary>
/// The reusable state of one program run: the BPF stack (real native memory, <see cref="MaxFrames"/> frames of
/// <see cref="FrameSize"/> bytes), the table of memory regions the run may touch, and the bookkeeping of
/// bpf-to-bpf calls. Allocated once and reused for every run, so executing allocates nothing.
/// </summary>
/// <remarks>
/// A run state serves one run at a time (one thread, or later one CPU slot). The stack is not cleared between
/// runs: a program must write a stack slot before reading it, as the kernel verifier demands.
/// </remarks>
public sealed unsafe class RunState
{
    /// <summary>Bytes of stack per frame (<c>MAX_BPF_STACK</c>).</summary>
    public const int FrameSize = 512;

    /// <summary>Maximum number of frames (the outermost one plus seven nested bpf-to-bpf calls).</summary>
    public const int MaxFrames = 8;

    /// <summary>Total stack bytes.</summary>
    public const int StackSize = FrameSize * MaxFrames;

    // The smallest region the hot caches may hold: the fast check subtracts an access size (at most 8) from
    // the cached length and must not wrap.
    private const ulong MinCachedLength = 8;

    // Pinned (pinned object heap), so its address never changes and no native free is needed.
    private readonly byte[] _stackMemory;

    internal readonly Frame[] Frames = new Frame[MaxFrames];

    // The fixed regions of a run.
    internal MemoryRegion StackRegion;
    internal MemoryRegion ContextRegion;
    internal MemoryRegion PacketRegion;

    // Hot caches: the last region that satisfied a load (Read*) and a store or atomic (Write*). The interpreter
    // checks these inline; their lengths are always >= MinCachedLength.
    internal ulong ReadStart;
    internal ulong ReadLength;
    internal ulong WriteStart;
    internal ulong WriteLength;

    // The program of the current run (its map regions count as regions too) and, while a helper runs, the slot
    // index of the call, so helper faults name it.
    internal InterpretedProgram? Program;
    internal int CurrentPc = -1;

    internal bool StopRequested;
    internal ulong StopValue;

    // Set with StopRequested when a subprogram's tail call ran its target in the subprogram's place: the stop then
    // ends only the subprogram's frame, which returns StopValue to its caller (the kernel's semantics), instead of
    // the whole run.
    internal bool FrameReturnRequested;

    // The frame the running program's own frame 0 occupies: 0, except for a tail-call target that replaced a
    // subprogram at that depth.
    internal int BaseDepth;

    // The test run whose packet and context this state is running on (set by ContextRun.Enter): helpers that
    // change the packet (bpf_xdp_adjust_head/tail) act on it, never on memory the program can write.
    internal Contexts.ContextRun? ContextRun;

    // Tail calls (see Helpers.TailCallHelpers): the helper records the target and stops the running program; the
    // run loop in InterpretedProgram switches to it, so the interpreter and compiled code share one mechanism and
    // a chain never nests on the host stack. The count is reset per run; the epoch record is held from the first
    // tail call of a run until the run ends.
    internal Objects.ProgramObject? TailCallTarget;
    internal ulong TailCallContext;
    internal int TailCallCount;
    internal EpochDomain? Epoch;
    internal int EpochRecord = -1;

    /// <summary>Creates a run state for CPU <paramref name="cpu"/>.</summary>
    public RunState(int cpu = 0)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("the SharpBPF interpreter supports little-endian hosts only");
        Cpu = cpu;
        _stackMemory = GC.AllocateArray<byte>(StackSize + 64, pinned: true);
        var bottom = ((ulong)Unsafe.AsPointer(ref _stackMemory[0]) + 63) & ~63UL;
        StackBottom = bottom;
        StackTop = bottom + StackSize;
        ResetStack(0);
    }

    /// <summary>The CPU this state runs on (what <c>bpf_get_smp_processor_id</c> returns; selects per-CPU values).</summary>
    public int Cpu { get; set; }

    /// <summary>The address just past the outermost frame: the initial value of <c>r10</c>.</summary>
    public ulong StackTop { get; }

    /// <summary>The lowest address of the stack area (the bottom of the innermost possible frame).</summary>
    public ulong StackBottom { get; }

    /// <summary>Makes <paramref name="length"/> bytes at <paramref name="address"/> the context region of the next runs.</summary>
    public void SetContext(nint address, ulong length, MemoryAccess access = MemoryAccess.ReadWrite) =>
        ContextRegion = MakeRegion(address, length, access);

    /// <summary>Removes the context region.</summary>
    public void ClearContext() => ContextRegion = default;

    /// <summary>Makes <paramref name="length"/> bytes at <paramref name="address"/> the packet region of the next runs.</summary>
    public void SetPacket(nint address, ulong length, MemoryAccess access = MemoryAccess.ReadWrite) =>
        PacketRegion = MakeRegion(address, length, access);

    /// <summary>Removes the packet region.</summary>
    public void ClearPacket() => PacketRegion = default;

    /// <summary>
    /// For helper authors: true if the current run may access <paramref name="size"/> bytes at
    /// <paramref name="address"/> (for writing if <paramref name="write"/>, else for reading).
    /// </summary>
    public bool TryCheckAccess(ulong address, ulong size, bool write) =>
        size == 0 || FindRegion(address, size, write ? MemoryAccess.Write : MemoryAccess.Read, out _);

    /// <summary>
    /// For helper authors: throws a <see cref="BpfRuntimeException"/> naming the calling instruction unless the
    /// current run may access <paramref name="size"/> bytes at <paramref name="address"/>.
    /// </summary>
    public void CheckAccess(ulong address, ulong size, bool write)
    {
        if (!TryCheckAccess(address, size, write))
            ThrowHelperAccess(address, size, write);
    }

    /// <summary>
    /// For helper authors: ends the whole program when the helper returns, as if the outermost frame executed
    /// <c>exit</c> with <c>r0 = <paramref name="r0"/></c>.
    /// </summary>
    public void Stop(ulong r0)
    {
        StopRequested = true;
        StopValue = r0;
    }

    /// <summary>The call depth of the innermost frame: what <see cref="ResetStack"/> last covered.</summary>
    internal int Depth => (int)(StackRegion.Length / FrameSize) - 1;

    /// <summary>
    /// Prepares for a run of <paramref name="program"/> whose frame 0 is frame <paramref name="baseDepth"/> of the
    /// stack (0 for a run; a subprogram's depth for the target of its tail call).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void BeginRun(InterpretedProgram program, int baseDepth = 0)
    {
        // Repeated runs of one program skip the reference store and its GC write barrier.
        if (!ReferenceEquals(Program, program))
            Program = program;
        StopRequested = false;
        FrameReturnRequested = false;
        CurrentPc = -1;
        BaseDepth = baseDepth;
        ResetStack(baseDepth);
    }

    /// <summary>Sets the stack region for call depth <paramref name="depth"/> and points the hot caches at it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ResetStack(int depth)
    {
        var length = (ulong)(depth + 1) * FrameSize;
        var start = StackTop - length;
        StackRegion = new MemoryRegion(start, length, MemoryAccess.ReadWrite);
        ReadStart = WriteStart = start;
        ReadLength = WriteLength = length;
    }

    /// <summary>
    /// The slow path of a checked access: finds a region allowing it and caches it, or returns false.
    /// </summary>
    internal bool FindRegion(ulong address, ulong size, MemoryAccess access, out MemoryRegion region)
    {
        if (Match(StackRegion, address, size, access, out region)
            || Match(ContextRegion, address, size, access, out region)
            || Match(PacketRegion, address, size, access, out region))
        {
            return true;
        }

        if (Program is { } program)
        {
            foreach (var r in program.RegionArray)
            {
                if (Match(r, address, size, access, out region))
                    return true;
            }
        }

        return false;
    }

    private bool Match(in MemoryRegion candidate, ulong address, ulong size, MemoryAccess access, out MemoryRegion region)
    {
        region = candidate;
        if (!candidate.Allows(access) || !candidate.Contains(address, size))
            return false;
        if (candidate.Length >= MinCachedLength)
        {
            // Loads may use any readable region; stores and atomics only regions that allow both.
            if ((candidate.Access & MemoryAccess.Read) != 0)
            {
                ReadStart = candidate.Start;
                ReadLength = candidate.Length;
            }

            if (candidate.Access == MemoryAccess.ReadWrite)
            {
                WriteStart = candidate.Start;
                WriteLength = candidate.Length;
            }
        }

        return true;
    }

    private static MemoryRegion MakeRegion(nint address, ulong length, MemoryAccess access)
    {
        if (length == 0 || address == 0)
            return default;
        if ((ulong)address + length < (ulong)address)
            throw new ArgumentOutOfRangeException(nameof(length), "the region wraps around the address space");
        return new MemoryRegion((ulong)address, length, access);
    }

    [DoesNotReturn]
    private void ThrowHelperAccess(ulong address, ulong size, bool write)
    {
        var pc = CurrentPc;
        var what = write ? "write" : "read";
        throw new BpfRuntimeException(
            $"pc {pc}: helper {what} of {size} bytes at 0x{address:x} is outside the program's memory",
            write ? BpfRuntimeErrorKind.OutOfBoundsStore : BpfRuntimeErrorKind.OutOfBoundsLoad,
            pc, address, (int)Math.Min(size, int.MaxValue));
    }

    /// <summary>The saved state of a caller during a bpf-to-bpf call.</summary>
    internal struct Frame
    {
        public int ReturnIndex;
        public ulong R6;
        public ulong R7;
        public ulong R8;
        public ulong R9;
    }
}
