using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Programs;

namespace SharpBpf.Benchmarks.Interpreter;

/// <summary>
/// The interpreter on the bench programs: time per run, time per executed BPF instruction (the "ns/insn" column;
/// uBPF's interpreter anchor is about 4.5-5 ns/insn on this kind of machine), and allocations (must be none).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class InterpreterBenchmarks
{
    private readonly RunState _state = new();
    private InterpretedProgram _aluChecked = null!;
    private InterpretedProgram _aluTrusted = null!;
    private InterpretedProgram _nop = null!;

    [GlobalSetup]
    public void Setup()
    {
        _aluChecked = InterpretedProgram.Create(BenchPrograms.AluLoop());
        _aluTrusted = InterpretedProgram.Create(BenchPrograms.AluLoop(), new ProgramOptions { Trusted = true });
        _nop = InterpretedProgram.Create(BenchPrograms.Nop());
        foreach (var p in new[] { _aluChecked, _aluTrusted })
        {
            var r0 = (uint)p.Run(_state);
            if (r0 != BenchPrograms.AluLoopResult)
                throw new InvalidOperationException($"alu_loop returned {r0}, expected {BenchPrograms.AluLoopResult}");
        }
    }

    [Benchmark(Description = "alu_loop (checked)")]
    [BenchmarkCategory("21010")]
    public ulong AluLoopChecked() => _aluChecked.Run(_state);

    [Benchmark(Description = "alu_loop (trusted)")]
    [BenchmarkCategory("21010")]
    public ulong AluLoopTrusted() => _aluTrusted.Run(_state);

    [Benchmark(Description = "nop")]
    [BenchmarkCategory("2")]
    public ulong Nop() => _nop.Run(_state);

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new NsPerInstructionColumn());
    }

    /// <summary>Mean time divided by the executed instruction count (carried in the benchmark's category).</summary>
    private sealed class NsPerInstructionColumn : IColumn
    {
        public string Id => nameof(NsPerInstructionColumn);

        public string ColumnName => "ns/insn";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Mean time per executed BPF instruction (ns)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            var stats = summary[benchmarkCase]?.ResultStatistics;
            var category = benchmarkCase.Descriptor.Categories.FirstOrDefault();
            if (stats is null || !long.TryParse(category, out var insns) || insns <= 0)
                return "-";
            return (stats.Mean / insns).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
            GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
