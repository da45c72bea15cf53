using CsCheck;
using SharpBpf.Asm;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Helpers;
using SharpBpf.Runtime.Jit;
using SharpBpf.Runtime.Programs;
using SharpBpf.Runtime.Tests.Interpreter;

namespace SharpBpf.Runtime.Tests.Jit;

/// <summary>
/// Differential property: random well-formed programs (ALU, loads, stores, atomics, jumps in both directions bounded
/// by an instruction budget, helpers, local calls) run in the interpreter and in the JIT (checked mode) on the same
/// run state and the same data buffer (so pointers are equal too) give the same r0, the same data and stack bytes,
/// or the same fault (kind, pc, address and message).
/// </summary>
public unsafe class JitDifferentialTests
{
    private const long Budget = 5_000;
    private const int DataLength = 64;

    [Fact]
    public void RandomPrograms_JitAndInterpreter_SameOutcomeMemoryAndStack()
    {
        var outcomes = new int[3];
        var state = new RunState();
        var data = GC.AllocateArray<byte>(DataLength, pinned: true);
        PropertyTests.WellFormedPrograms.Sample(insns =>
        {
            var slots = Encoder.Encode(insns);
            InterpretedProgram program;
            try
            {
                program = InterpretedProgram.Create(slots, Options());
            }
            catch (BpfProgramException)
            {
                outcomes[0]++;
                return;
            }

            var jit = JitProgram.Compile(program);
            var expected = RunOnce(state, data, s => program.Run(s, data));
            var actual = RunOnce(state, data, s => jit.Run(s, data));
            outcomes[expected.Error is null ? 1 : 2]++;

            Assert.Equal(expected.Error, actual.Error);
            Assert.Equal(expected.R0, actual.R0);
            Assert.Equal(expected.Data, actual.Data);
            Assert.Equal(expected.Stack, actual.Stack);
        }, iter: 1500, threads: 1, print: p => string.Join("\n", p));

        // The generator must keep producing programs that return and programs that fault.
        Assert.True(outcomes[1] > 150, $"only {outcomes[1]} programs returned");
        Assert.True(outcomes[2] > 150, $"only {outcomes[2]} programs faulted");
    }

    [Fact]
    public void Compile_Trusted_IsCompiledAndTrusted()
    {
        var program = InterpretedProgram.Create([new Instruction(0xb7, 0, 0, 0, 7), new Instruction(0x95, 0, 0, 0, 0)],
            new ProgramOptions { Trusted = true });

        var jit = JitProgram.Compile(program);

        Assert.Equal(JitProgram.IsSupported, jit.IsCompiled);
        Assert.True(jit.Trusted);
        Assert.Equal(7ul, jit.Run(new RunState()));
    }

    [SkippableFact]
    public void Compile_WithListing_ListsEachInstructionAndItsIl()
    {
        Skip.IfNot(JitProgram.IsSupported, "this runtime cannot generate code (the interpreter runs instead)");
        var program = InterpretedProgram.Create(
            [new Instruction(0xb7, 0, 0, 0, 7), new Instruction(0x07, 0, 0, 0, 3), new Instruction(0x95, 0, 0, 0, 0)],
            new ProgramOptions());

        var jit = JitProgram.Compile(program, listing: true);

        var listing = jit.Listing!;
        Assert.Contains("// pc 0: r0 = 7", listing, StringComparison.Ordinal);
        Assert.Contains("// pc 1: r0 += 3", listing, StringComparison.Ordinal);
        Assert.Contains("// pc 2: exit", listing, StringComparison.Ordinal);
        Assert.Contains("stloc r0", listing, StringComparison.Ordinal);
        Assert.Contains("ret", listing, StringComparison.Ordinal);
        Assert.True(jit.IlSize > 0);
        Assert.Null(JitProgram.Compile(program).Listing);
        Assert.Equal(10ul, jit.Run(new RunState()));
    }

    private static ProgramOptions Options() => new() { Helpers = TestHelpers.CreateTable(), InstructionBudget = Budget };

    private static Result RunOnce(RunState state, byte[] data, Func<RunState, ulong> run)
    {
        // Same initial bytes at the same addresses for both engines.
        new Span<byte>((void*)state.StackBottom, RunState.StackSize).Clear();
        for (var k = 0; k < data.Length; k++)
            data[k] = (byte)(k * 37 + 11);
        ulong r0 = 0;
        string? error = null;
        try
        {
            r0 = run(state);
        }
        catch (BpfRuntimeException e)
        {
            error = $"{e.Kind} pc={e.Pc} addr={e.Address} size={e.Size}: {e.Message}";
        }

        return new Result(r0, error, [.. data], new Span<byte>((void*)state.StackBottom, RunState.StackSize).ToArray());
    }

    private sealed record Result(ulong R0, string? Error, byte[] Data, byte[] Stack);
}
