using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Runtime.Jit;
using SharpBpf.Runtime.Tests.Programs;

namespace SharpBpf.Runtime.Tests.Jit;

/// <summary>
/// Checked mode leaves out the checks of accesses it proves in bounds by local reasoning (frame offsets, constant
/// map-value addresses, an inlined array lookup's result after its null check) and keeps every other check: the
/// listing shows which checks were emitted, and runs that fault do so exactly as in the interpreter.
/// </summary>
public class JitCheckEliminationTests
{
    private const string LoadCheck = "JitRuntime::Load";
    private const string StoreCheck = "JitRuntime::Store";

    [SkippableTheory]
    [InlineData("global_data.o", "global_data")]
    [InlineData("array_hist.o", "array_hist")]
    [InlineData("array_sum.o", "array_sum")]
    public void Compile_BenchObject_ProvenAccessesHaveNoCheck(string file, string name)
    {
        Skip.IfNot(JitProgram.IsSupported, "this runtime cannot generate code");
        using var kit = new ProgramTestKit();
        var fd = BenchObjects.Open(kit, file).Load(name, ExecutionMode.Jit);

        var listing = JitProgram.Compile(kit.Backend.GetProgram(fd)!.Executable, listing: true).Listing!;

        Assert.DoesNotContain(LoadCheck, listing, StringComparison.Ordinal);
        Assert.DoesNotContain(StoreCheck, listing, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Compile_PointerFromContext_KeepsItsCheck()
    {
        Skip.IfNot(JitProgram.IsSupported, "this runtime cannot generate code");
        using var kit = new ProgramTestKit();
        // r0 = *(u32 *)(r1 + 0): the context is not proven, so the load stays checked.
        var fd = kit.LoadXdp([new Instruction(0x61, 0, 1, 0, 0), new Instruction(0x95, 0, 0, 0, 0)]);

        var listing = JitProgram.Compile(kit.Backend.GetProgram(fd)!.Executable, listing: true).Listing!;

        Assert.Contains(LoadCheck, listing, StringComparison.Ordinal);
    }

    public static TheoryData<string> Faults => new("past a constant map value", "store into a read-only map's element");

    [Theory]
    [MemberData(nameof(Faults))]
    public void Run_UnprovenAccess_FaultsAsInterpreter(string scenario)
    {
        using var kit = new ProgramTestKit();
        // One map for both engines, so the faulting addresses in the messages are the same.
        var map = scenario == "past a constant map value"
            ? kit.CreateArray(valueSize: 8, maxEntries: 1)
            : kit.CreateArray(valueSize: 8, maxEntries: 1, flags: (uint)MapFlags.BPF_F_RDONLY_PROG);
        var interpreted = Load(kit, scenario, map, ExecutionMode.Interpreter);
        var compiled = Load(kit, scenario, map, ExecutionMode.Jit);

        Assert.Equal(Errno.EFAULT, kit.Backend.ProgTestRun(interpreted, new TestRunAttr { DataIn = ProgramTestKit.Packet }, out _));
        Assert.Equal(Errno.EFAULT, kit.Backend.ProgTestRun(compiled, new TestRunAttr { DataIn = ProgramTestKit.Packet }, out _));
        Assert.True(kit.Backend.TryGetLastRunError(interpreted, out var expected));
        Assert.True(kit.Backend.TryGetLastRunError(compiled, out var actual));
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(ExecutionMode.Interpreter)]
    [InlineData(ExecutionMode.Jit)]
    public void Run_ElementPointerPastValueButInsideMap_ReadsNextElement(ExecutionMode mode)
    {
        using var kit = new ProgramTestKit();
        var map = kit.CreateArray(valueSize: 8, maxEntries: 2);
        Assert.Equal(Errno.None, kit.Backend.MapUpdateElem(map, ProgramTestKit.Key(1), ProgramTestKit.U64(42), 0));
        // Not proven (offset 8 is past value_size), so checked at run time, where the map's region allows it.
        var fd = LoadXdp(kit, mode, LookupKey0Then(map, new Instruction(0x79, 0, 0, 8, 0)));

        Assert.Equal(42u, kit.Run(fd).Retval);
    }

    private static int Load(ProgramTestKit kit, string scenario, int data, ExecutionMode mode)
    {
        if (scenario == "past a constant map value")
        {
            // r1 = &data[0] + 0; r0 = *(u64 *)(r1 + 8): one byte past the map's whole region.
            return LoadXdp(kit, mode,
                [new Instruction(0x18, 1, 2, 0, data), new Instruction(0, 0, 0, 0, 0), new Instruction(0x79, 0, 1, 8, 0),
                 new Instruction(0x95, 0, 0, 0, 0)]);
        }

        // *(u64 *)(r0 + 0) = 1 after the null check: in bounds, but the map is read-only for programs.
        return LoadXdp(kit, mode, LookupKey0Then(data, new Instruction(0x7a, 0, 0, 0, 1)));
    }

    private static int LoadXdp(ProgramTestKit kit, ExecutionMode mode, Instruction[] insns)
    {
        var err = kit.Backend.ProgLoad(new ProgLoadAttr { Type = ProgramType.Xdp, Instructions = insns, License = "GPL", ExecutionMode = mode },
            out var fd, out var log);
        Assert.True(err == Errno.None, $"load failed: {err} {log}");
        return fd;
    }

    // clang's shape: *(u32 *)(r10 - 4) = 0; r2 = r10 - 4; r1 = map; r0 = lookup; if r0 == 0 goto out; BODY; out: exit.
    private static Instruction[] LookupKey0Then(int map, Instruction body) =>
    [
        new(0x62, 10, 0, -4, 0),
        new(0xbf, 2, 10, 0, 0),
        new(0x07, 2, 0, 0, -4),
        new(0x18, 1, 1, 0, map),
        new(0x00, 0, 0, 0, 0),
        new(0x85, 0, 0, 0, 1),
        new(0x15, 0, 0, 1, 0),
        body,
        new(0x95, 0, 0, 0, 0),
    ];
}
