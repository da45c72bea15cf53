using System.Diagnostics;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Runtime.Helpers;
using SharpBpf.Runtime.Objects;
using SharpBpf.Runtime.Tests.Programs;
using static SharpBpf.Runtime.Tests.Programs.ProgramAsm;

namespace SharpBpf.Runtime.Tests.FdArrays;

/// <summary>
/// Issue 4 stress: runner threads tail-call through a prog array while a mutator replaces and deletes the slot and
/// closes handles, for 6 seconds per execution mode. No crash, no program run after its replacement became visible, every program
/// reclaimed after its last run (frees counted).
/// </summary>
public class TailCallStressTests
{
    // Interpreted, the run loop runs each target; compiled, the caller jumps into the compiled target (tail. call).
    [Theory]
    [InlineData(ExecutionMode.Interpreter)]
    [InlineData(ExecutionMode.Jit)]
    [Trait("Category", "Stress")]
    public void TailCalls_WhileSlotsReplacedDeletedAndHandlesClosed_NoStaleRunsAndEveryProgramFreed(ExecutionMode mode)
    {
        using var kit = new ProgramTestKit();
        var pa = kit.CreateMap(MapType.ProgArray, 4, 2);
        var caller = kit.Load(ProgramType.SocketFilter, TailCallTests.Caller(pa, 0), mode: mode);
        var callerProgram = kit.Backend.GetProgram(caller)!;
        var reclaimedBefore = TailCallHelpers.ReclaimedTargetRuns;

        // Generation g's program returns g (1, 2, ...); 111 when the slot is empty. 'visible' is the generation
        // whose install completed last: a run that starts after that may see it, a newer one, or an empty slot
        // (a delete), never an older generation.
        long visible = 0;
        var loaded = new List<ProgramObject>();
        var failures = new List<string>();
        var stop = new ManualResetEventSlim();
        var runs = 0L;

        void Runner()
        {
            var state = new Execution.RunState();
            var program = callerProgram.Executable;
            while (!stop.IsSet)
            {
                var before = Interlocked.Read(ref visible);
                var r0 = program.Run(state, 0);
                Interlocked.Increment(ref runs);
                if (r0 != 111 && (long)r0 < before && Interlocked.Read(ref visible) >= before)
                {
                    lock (failures)
                        failures.Add($"ran generation {r0} after generation {before} was installed");
                }
            }
        }

        var threads = Enumerable.Range(0, 3).Select(_ => new Thread(Runner) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        var clock = Stopwatch.StartNew();
        var generation = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(6))
        {
            generation++;
            var fd = kit.Load(ProgramType.SocketFilter, ReturnConstant(generation), mode: mode);
            loaded.Add(kit.Backend.GetProgram(fd)!);
            TailCallTests.Put(kit, pa, 0, fd);
            Interlocked.Exchange(ref visible, generation);
            Assert.Equal(Errno.None, kit.Backend.Close(fd));
            if (generation % 5 == 0)
            {
                // A delete empties the slot; the next install is still a newer generation.
                Assert.Equal(Errno.None, kit.Backend.MapDeleteElem(pa, ProgramTestKit.Key(0), 0));
            }

            Thread.Sleep(generation % 3);
        }

        stop.Set();
        threads.ForEach(t => t.Join());
        Assert.Equal(Errno.None, kit.Backend.Close(pa));
        Assert.Equal(Errno.None, kit.Backend.Close(caller));

        Assert.Empty(failures);
        Assert.True(Interlocked.Read(ref runs) > 0);
        Assert.Equal(reclaimedBefore, TailCallHelpers.ReclaimedTargetRuns);
        Assert.All(loaded, p => Assert.True(p.IsReclaimed, $"program {p.Id} was never freed"));
        Assert.True(callerProgram.IsReclaimed);
        Assert.Equal(0, kit.Registry.Epochs.PendingCount);
    }
}
