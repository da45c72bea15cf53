using BenchmarkDotNet.Attributes;
using SharpBpf.Asm;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Jit;
using SharpBpf.Runtime.Programs;

namespace SharpBpf.Benchmarks.Jit;

/// <summary>
/// Compile time of a 1000-instruction program (a mix of ALU, stack loads/stores and forward branches): compiling
/// (IL generation and RyuJIT's native code, which the runtime produces when the closed entry delegate is created),
/// and compiling plus the first run.
/// </summary>
[MemoryDiagnoser]
public class JitCompileBenchmarks
{
    private readonly RunState _state = new();
    private InterpretedProgram _program = null!;

    [GlobalSetup]
    public void Setup() => _program = InterpretedProgram.Create(Make1000());

    [Benchmark(Description = "compile 1000 insns")]
    public JitProgram GenerateIl() => JitProgram.Compile(_program);

    [Benchmark(Description = "compile + first run, 1000 insns")]
    public ulong GenerateAndRun() => JitProgram.Compile(_program).Run(_state);

    private static Instruction[] Make1000()
    {
        var insns = new List<DecodedInstruction>();
        var k = 0;
        while (insns.Count < 999)
        {
            var reg = (byte)(k % 9);
            switch (k % 5)
            {
                case 0: insns.Add(new(Op.Add64Imm, reg, 0, 0, k, 0)); break;
                case 1: insns.Add(new(Op.Xor64Reg, reg, (byte)((k + 3) % 9), 0, 0, 0)); break;
                case 2: insns.Add(new(Op.StxDW, 10, reg, (short)(-8 * (1 + (k % 32))), 0, 0)); break;
                case 3: insns.Add(new(Op.LdxDW, reg, 10, (short)(-8 * (1 + ((k + 5) % 32))), 0, 0)); break;
                default: insns.Add(new(Op.Jgt64Imm, reg, 0, 1, k, 0)); break;
            }

            k++;
        }

        insns.Add(new(Op.Exit, 0, 0, 0, 0, 0));
        return Encoder.Encode([.. insns]);
    }
}
