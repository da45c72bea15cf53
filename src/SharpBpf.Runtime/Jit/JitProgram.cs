using System.Diagnostics;
using System.Runtime.CompilerServices;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Programs;

namespace SharpBpf.Runtime.Jit;

/// <summary>
/// A program compiled to .NET IL (one collectible <see cref="System.Reflection.Emit.DynamicMethod"/>, turned into
/// native code by RyuJIT when its entry delegate is created, at load). It shares the interpreter's memory model exactly: the same
/// <see cref="RunState"/> stack, regions and hot caches, the same helper functions, the same
/// <see cref="BpfRuntimeException"/>s (message, kind, pc) for out-of-bounds accesses, misaligned atomics, call depth,
/// unknown helpers and the instruction budget.
/// </summary>
/// <remarks>
/// <para>
/// Checked mode (the default) bounds-checks every load, store and atomic except r10-relative accesses with a
/// constant offset inside the current frame; a program created with <see cref="ProgramOptions.Trusted"/> is compiled
/// without checks. An <see cref="ProgramOptions.InstructionBudget"/> is honoured instruction by instruction, exactly as
/// the interpreter counts (at a cost: budgeted code is slower).
/// </para>
/// <para>
/// <c>bpf_map_lookup_elem</c> on an ARRAY / PERCPU_ARRAY map whose header an <c>lddw</c> in the same basic block put in
/// r1 is inlined into a key read (checked like the helper's), a bounds check, a shift or multiply and an add.
/// </para>
/// <para>
/// Where dynamic code is not supported (<see cref="RuntimeFeature.IsDynamicCodeSupported"/> false, e.g. NativeAOT)
/// <see cref="Compile"/> returns a program that runs in the interpreter, transparently.
/// </para>
/// <para>
/// Tail calls: <c>bpf_tail_call</c> records its target (read from the prog array at call time) and stops the
/// compiled body, which returns; the entry stub (<see cref="InterpretedProgram"/>'s run loop, shared with the
/// interpreter) then runs the target and loops, at most 33 times, with no host recursion.
/// </para>
/// </remarks>
public sealed class JitProgram
{
    private readonly JitEntry? _entry;

    private JitProgram(InterpretedProgram program, JitOutput? output, TimeSpan compileTime)
    {
        Program = program;
        _entry = output?.Entry;
        IlSize = output?.IlSize ?? 0;
        Listing = output?.Listing;
        CompileTime = compileTime;
    }

    /// <summary>True if this runtime can generate code (otherwise programs run in the interpreter).</summary>
    public static bool IsSupported => RuntimeFeature.IsDynamicCodeSupported;

    /// <summary>The resolved program this was compiled from.</summary>
    public InterpretedProgram Program { get; }

    /// <summary>True if runs execute generated code, false if they fall back to the interpreter.</summary>
    public bool IsCompiled => _entry is not null;

    /// <summary>True if memory accesses are not checked.</summary>
    public bool Trusted => Program.Trusted;

    /// <summary>
    /// The time spent compiling: IL generation and RyuJIT's native code (the runtime compiles a dynamic method when a
    /// delegate closed over its first argument is created, so nothing is left for the first run).
    /// </summary>
    public TimeSpan CompileTime { get; }

    /// <summary>The bytes of IL generated (0 when the program runs in the interpreter).</summary>
    public int IlSize { get; }

    /// <summary>
    /// The generated IL as text, each BPF instruction's pc and text above its IL (what <c>sharpbpf prog dump
    /// --jited</c> prints); null unless compiled with a listing, and null where code cannot be generated.
    /// </summary>
    public string? Listing { get; }

    /// <summary>
    /// Compiles <paramref name="program"/> (or wraps it for the interpreter where code cannot be generated); with
    /// <paramref name="listing"/> the IL is also kept as text in <see cref="Listing"/>.
    /// </summary>
    public static JitProgram Compile(InterpretedProgram program, bool listing = false)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (!IsSupported)
            return new JitProgram(program, null, TimeSpan.Zero);
        var start = Stopwatch.GetTimestamp();
        var output = JitCompiler.Compile(program, listing);
        return new JitProgram(program, output, Stopwatch.GetElapsedTime(start));
    }

    /// <summary>
    /// Compiles <paramref name="program"/> and makes its own <see cref="InterpretedProgram.Run(RunState, ulong, ulong, ulong, ulong, ulong)"/>
    /// execute the compiled code (how the userspace backend loads programs in JIT mode).
    /// </summary>
    public static JitProgram Attach(InterpretedProgram program)
    {
        var jit = Compile(program);
        if (jit._entry is { } entry)
            program.Compiled = entry;
        return jit;
    }

    /// <summary>Runs the program with <c>r1</c>..<c>r5</c> as given and returns <c>r0</c>.</summary>
    /// <exception cref="BpfRuntimeException">The run broke a rule (memory outside its regions, call depth, budget).</exception>
    public ulong Run(RunState state, ulong r1 = 0, ulong r2 = 0, ulong r3 = 0, ulong r4 = 0, ulong r5 = 0)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Program.ExecuteChain(state, _entry, r1, r2, r3, r4, r5);
    }

    /// <summary>Runs the program over <paramref name="memory"/> as the conformance suite does (r1 = memory, r2 = length).</summary>
    public ulong Run(RunState state, Span<byte> memory)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Program.RunOverMemory(state, _entry, memory);
    }
}
