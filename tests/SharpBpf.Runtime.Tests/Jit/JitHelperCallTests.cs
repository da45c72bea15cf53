using SharpBpf.Asm;
using SharpBpf.Runtime.Jit;
using SharpBpf.Runtime.Programs;
using SharpBpf.Runtime.Tests.Programs;

namespace SharpBpf.Runtime.Tests.Jit;

/// <summary>
/// Compiled code calls helpers directly (<c>call Class::Method</c>, which RyuJIT can inline), not through their
/// function pointers: every helper the backend registers is found as its static method.
/// </summary>
public class JitHelperCallTests
{
    [SkippableFact]
    public void Compile_EveryBackendHelper_IsADirectCall()
    {
        Skip.IfNot(JitProgram.IsSupported, "this runtime cannot generate code");
        using var kit = new ProgramTestKit();
        var table = kit.Backend.Helpers;
        var indirect = new List<string>();

        foreach (var id in table.Ids)
        {
            var program = InterpretedProgram.Create([new Instruction(0x85, 0, 0, 0, id), new Instruction(0x95, 0, 0, 0, 0)],
                new ProgramOptions { Helpers = table });
            var listing = JitProgram.Compile(program, listing: true).Listing!;
            if (listing.Contains("calli", StringComparison.Ordinal) || !listing.Contains("call ", StringComparison.Ordinal))
                indirect.Add(table.NameOf(id));
        }

        Assert.NotEmpty(table.Ids);
        Assert.Empty(indirect);
    }
}
