using BenchmarkDotNet.Attributes;
using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Perf;
using SharpBpf.Runtime;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Perf;
using SharpBpf.Runtime.Programs;

namespace SharpBpf.Benchmarks.FdArrays;

/// <summary>
/// Interpreter mode: the cost of one <c>bpf_tail_call</c> (entry program tail-calls a target that returns, against
/// the same entry whose call falls through on an empty slot, and a plain return), and of one 16-byte
/// <c>bpf_perf_event_output</c> from a program while a reader thread drains the ring.
/// </summary>
[MemoryDiagnoser]
public class FdArrayBenchmarks : IDisposable
{
    private UserspaceBackend _backend = null!;
    private RunState _state = null!;
    private InterpretedProgram _tailCall = null!;
    private InterpretedProgram _fallThrough = null!;
    private InterpretedProgram _output = null!;
    private PerfEvent _event = null!;
    private UserspacePerfReader _reader = null!;
    private CancellationTokenSource _stop = null!;
    private Task _drainer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _backend = new UserspaceBackend(new UserspaceBackendOptions { PossibleCpus = 1 });
        _state = new RunState();
        Check(_backend.MapCreate(new MapCreateAttr { Type = MapType.ProgArray, KeySize = 4, ValueSize = 4, MaxEntries = 2 }, out var pa));
        var target = Load([Mov(0, 2), Exit()]);
        Check(_backend.MapUpdateElem(pa, BitConverter.GetBytes(0), BitConverter.GetBytes(target), 0));
        _tailCall = Program(Load(TailCall(pa, 0)));
        _fallThrough = Program(Load(TailCall(pa, 1)));

        _event = PerfEvent.CreateBpfOutput(0, dataPages: 8);
        _reader = new UserspacePerfReader([_event]);
        Check(_backend.PerfEventInstall(_event, out var evFd));
        Check(_backend.MapCreate(new MapCreateAttr { Type = MapType.PerfEventArray, KeySize = 4, ValueSize = 4, MaxEntries = 1 }, out var perf));
        Check(_backend.MapUpdateElem(perf, BitConverter.GetBytes(0), BitConverter.GetBytes(evFd), 0));
        _output = Program(Load(
        [
            new Instruction(0x7a, 10, 0, -16, 1), new Instruction(0x7a, 10, 0, -8, 2), // 16 bytes on the stack
            .. LdMap(2, perf), .. Lddw(3, 0xffff_ffffUL), new Instruction(0xbf, 4, 10, 0, 0),
            new Instruction(0x07, 4, 0, 0, -16), Mov(5, 16), new Instruction(0x85, 0, 0, 0, 25), Exit(),
        ]));
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        _drainer = Task.Factory.StartNew(() =>
        {
            var sink = new Sink();
            while (!token.IsCancellationRequested)
            {
                if (_reader.ReadAvailable(ref sink) == 0)
                    Thread.Yield();
            }
        }, TaskCreationOptions.LongRunning);
    }

    /// <summary>Entry program whose tail call reaches a target that returns 2.</summary>
    [Benchmark]
    public ulong OneTailCall() => _tailCall.Run(_state);

    /// <summary>The same entry program whose tail call falls through (empty slot): the baseline.</summary>
    [Benchmark(Baseline = true)]
    public ulong FallThrough() => _fallThrough.Run(_state);

    /// <summary>One 16-byte output from a program, a polling reader draining on another thread.</summary>
    [Benchmark]
    public ulong PerfEventOutput16() => _output.Run(_state);

    [GlobalCleanup]
    public void Dispose()
    {
        _stop?.Cancel();
        _drainer?.Wait();
        _stop?.Dispose();
        _reader?.Dispose();
        _event?.Dispose();
        _backend?.Dispose();
        GC.SuppressFinalize(this);
    }

    private static void Check(Errno err)
    {
        if (err != Errno.None)
            throw new InvalidOperationException(err.ToString());
    }

    private static Instruction Mov(byte dst, int imm) => new(0xb7, dst, 0, 0, imm);

    private static Instruction Exit() => new(0x95, 0, 0, 0, 0);

    private static Instruction[] Lddw(byte dst, ulong imm) =>
        [new(0x18, dst, 0, 0, (int)(uint)imm), new(0x00, 0, 0, 0, (int)(uint)(imm >> 32))];

    private static Instruction[] LdMap(byte dst, int fd) => [new(0x18, dst, 1, 0, fd), new(0x00, 0, 0, 0, 0)];

    private static Instruction[] TailCall(int pa, int index) =>
        [.. LdMap(2, pa), Mov(3, index), new Instruction(0x85, 0, 0, 0, 12), Mov(0, 1), Exit()];

    private int Load(Instruction[] insns)
    {
        Check(_backend.ProgLoad(new ProgLoadAttr { Type = ProgramType.SocketFilter, Instructions = insns, License = "GPL" },
            out var fd, out _));
        return fd;
    }

    private InterpretedProgram Program(int fd) => _backend.GetProgram(fd)!.Executable;

    private struct Sink : IPerfRecordSink
    {
        public void OnSample(int cpu, ReadOnlySpan<byte> rawData)
        {
        }

        public readonly void OnLost(int cpu, ulong id, ulong lost)
        {
        }
    }
}
