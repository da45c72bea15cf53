using System.Runtime.CompilerServices;
using SharpBpf.Asm;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Helpers;
using SharpBpf.Runtime.Interpreter;
using SharpBpf.Runtime.Maps;

namespace SharpBpf.Runtime.Programs;

/// <summary>
/// A program ready for the interpreter: decoded, checked and resolved once at creation (jump and call targets,
/// helper functions, <c>lddw</c> values), then run any number of times, concurrently on distinct
/// <see cref="RunState"/>s. Running allocates nothing.
/// </summary>
public sealed class InterpretedProgram
{
    private InterpretedProgram(string? name, DecodedInstruction[] decoded, Slot[] code, int slotCount,
        HelperTable helpers, MemoryRegion[] regions, ProgramOptions options)
    {
        Name = name;
        Decoded = decoded;
        Code = code;
        SlotCount = slotCount;
        Helpers = helpers;
        RegionArray = regions;
        MapArray = [.. options.Maps];
        Trusted = options.Trusted;
        InstructionBudget = options.InstructionBudget;
    }

    /// <summary>The name given in the options, if any.</summary>
    public string? Name { get; }

    /// <summary>The program's logical instructions (an <c>lddw</c> is one).</summary>
    public IReadOnlyList<DecodedInstruction> Instructions => Decoded;

    /// <summary>The program length in 8-byte slots.</summary>
    public int SlotCount { get; }

    /// <summary>The helper table calls were resolved against (and <c>callx</c> looks up at run time).</summary>
    public HelperTable Helpers { get; }

    /// <summary>The map regions the program may touch besides its stack, context and packet.</summary>
    public IReadOnlyList<MemoryRegion> Regions => RegionArray;

    /// <summary>The maps the program references (see <see cref="ProgramOptions.Maps"/>).</summary>
    public IReadOnlyList<MapObject> Maps => MapArray;

    /// <summary>True if memory accesses are not checked.</summary>
    public bool Trusted { get; }

    /// <summary>The most instructions one run may execute (0: unlimited).</summary>
    public long InstructionBudget { get; }

    internal DecodedInstruction[] Decoded { get; }

    internal Slot[] Code { get; }

    internal MemoryRegion[] RegionArray { get; }

    internal MapObject[] MapArray { get; }

    /// <summary>The compiled body when the JIT has attached one (see <c>JitProgram.Attach</c>); runs then use it.</summary>
    internal Jit.JitEntry? Compiled { get; set; }

    /// <summary>Decodes, checks and resolves <paramref name="instructions"/>.</summary>
    /// <exception cref="BpfProgramException">The program is malformed or uses something this runtime lacks.</exception>
    public static InterpretedProgram Create(ReadOnlySpan<Instruction> instructions, ProgramOptions? options = null)
    {
        options ??= new ProgramOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.InstructionBudget);
        if (instructions.Length == 0)
            throw new BpfProgramException("the program is empty");
        if (instructions.Length > options.MaxSlots)
            throw new BpfProgramException($"the program is too large: {instructions.Length} instructions (max {options.MaxSlots})");

        // Structural rules first (precise messages); the builder then refuses what this runtime cannot run and
        // keeps its own checks of everything the interpreter's memory safety depends on.
        if (!Validator.TryValidate(instructions, out var error, new ValidationOptions { MaxSlots = options.MaxSlots }))
            throw new BpfProgramException(error.Message, error.Pc);

        var helpers = options.Helpers ?? HelperTable.CreateDefault();
        var decoded = Decoder.Decode(instructions);
        var code = ProgramBuilder.Build(instructions, decoded, helpers, options.LddwResolver);
        var regions = options.Regions.ToArray();
        foreach (var region in regions)
        {
            if (region.Start + region.Length < region.Start)
                throw new ArgumentException($"memory region {region} wraps around the address space", nameof(options));
        }

        return new InterpretedProgram(options.Name, decoded, code, instructions.Length, helpers, regions, options);
    }

    /// <summary>Runs the program with <c>r1</c>..<c>r5</c> as given and returns <c>r0</c>.</summary>
    /// <exception cref="BpfRuntimeException">The run broke a rule (memory outside its regions, call depth, budget).</exception>
    public ulong Run(RunState state, ulong r1 = 0, ulong r2 = 0, ulong r3 = 0, ulong r4 = 0, ulong r5 = 0)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Execute(state, r1, r2, r3, r4, r5);
    }

    /// <summary>
    /// Runs the program over <paramref name="memory"/> the way the conformance suite does: <c>r1</c> points to
    /// the memory (which is the run's context region, readable and writable), <c>r2</c> holds its length; with
    /// empty memory both are 0.
    /// </summary>
    public ulong Run(RunState state, Span<byte> memory)
    {
        ArgumentNullException.ThrowIfNull(state);
        return RunOverMemory(state, Compiled, memory);
    }

    /// <summary><see cref="Run(RunState, Span{byte})"/> through <paramref name="entry"/> (null: the interpreter).</summary>
    internal unsafe ulong RunOverMemory(RunState state, Jit.JitEntry? entry, Span<byte> memory)
    {
        if (memory.IsEmpty)
        {
            state.ClearContext();
            return ExecuteChain(state, entry, 0, 0, 0, 0, 0);
        }

        fixed (byte* p = memory)
        {
            state.SetContext((nint)p, (ulong)memory.Length);
            try
            {
                return ExecuteChain(state, entry, (ulong)p, (ulong)memory.Length, 0, 0, 0);
            }
            finally
            {
                state.ClearContext();
            }
        }
    }

    private ulong Execute(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5) =>
        ExecuteChain(state, Compiled, r1, r2, r3, r4, r5);

    /// <summary>
    /// One run: the entry program (through <paramref name="entry"/> when compiled, else the interpreter) plus its
    /// tail-call chain, driven here so no chain nests on the host stack.
    /// </summary>
    internal ulong ExecuteChain(RunState state, Jit.JitEntry? entry, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        state.TailCallTarget = null;
        try
        {
            return RunOnce(state, entry, r1, r2, r3, r4, r5);
        }
        finally
        {
            if (state.EpochRecord >= 0)
                TailCallHelpers.LeaveEpoch(state);
        }
    }

    /// <summary>
    /// Runs <paramref name="count"/> times with the same <c>r1</c>, <c>r2</c> (BPF_PROG_TEST_RUN's <c>repeat</c>) and
    /// returns the last run's <c>r0</c>. Like the kernel's test-run loop it stays inside one read-side section for
    /// many runs, leaving it every <see cref="EpochSpan"/> runs so a prog-array update waiting for a grace period is
    /// not held up for the whole loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal ulong RunRepeated(RunState state, ulong r1, ulong r2, uint count)
    {
        var entry = Compiled;
        ulong r0 = 0;
        state.TailCallTarget = null;
        try
        {
            for (var i = 0u; i < count; i++)
            {
                r0 = RunOnce(state, entry, r1, r2, 0, 0, 0);
                if (i % EpochSpan == EpochSpan - 1 && state.EpochRecord >= 0)
                    TailCallHelpers.LeaveEpoch(state);
            }

            return r0;
        }
        finally
        {
            if (state.EpochRecord >= 0)
                TailCallHelpers.LeaveEpoch(state);
        }
    }

    /// <summary>The runs <see cref="RunRepeated"/> makes inside one read-side section at most.</summary>
    internal const uint EpochSpan = 1024;

    // One run without the read-side bookkeeping: this program, then the targets its tail calls leave to the loop.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong RunOnce(RunState state, Jit.JitEntry? entry, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        state.TailCallCount = 0;
        var r0 = ExecuteOne(state, entry, r1, r2, r3, r4, r5, 0);
        while (state.TailCallTarget is { } next)
            r0 = TailCallHelpers.RunTarget(state, next, 0);
        return r0;
    }

    /// <summary>
    /// Runs this program alone (one link of a tail-call chain), its frame 0 at stack frame
    /// <paramref name="baseDepth"/> (0, or the depth of a subprogram whose tail call this program replaces).
    /// </summary>
    internal ulong ExecuteOne(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5, int baseDepth) =>
        ExecuteOne(state, Compiled, r1, r2, r3, r4, r5, baseDepth);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong ExecuteOne(RunState state, Jit.JitEntry? entry, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5, int baseDepth)
    {
        if (entry is not null)
        {
            state.BeginRun(this, baseDepth);
            return entry(state, r1, r2, r3, r4, r5);
        }

        return BpfInterpreter.Run(this, state, baseDepth, r1, r2, r3, r4, r5);
    }

    /// <summary>The slot index of logical instruction <paramref name="index"/> (the sentinel maps past the end).</summary>
    internal int PcOf(int index) => index < Decoded.Length ? Decoded[index].Pc : SlotCount;

    /// <summary>"pc N (instruction)" for messages.</summary>
    internal string Describe(int index)
    {
        var prefix = Name is null ? "" : $"program '{Name}': ";
        return index < Decoded.Length
            ? $"{prefix}pc {Decoded[index].Pc} ({Disassembler.Format(Decoded[index])})"
            : $"{prefix}pc {SlotCount} (past the last instruction)";
    }
}
