using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Programs;
using SharpBpf.Runtime.Contexts;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Helpers;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Runtime;

// The program commands: BPF_PROG_LOAD (through ProgramObjectLoader, after the checks of its BTF records),
// BPF_PROG_TEST_RUN on a CPU slot, program info, BPF_BTF_LOAD (a BtfObject).
public sealed partial class UserspaceBackend : IProgramRunDiagnostics
{
    private HelperTable? _helpers;
    private CpuSlots? _cpuSlots;

    /// <summary>
    /// The helpers programs loaded here may call: the Linux helpers of the runtime (<see cref="LinuxHelpers"/>,
    /// <see cref="MapHelpers"/>, <see cref="CpuHelpers"/>, <see cref="TimeHelpers"/>, <see cref="RandomHelpers"/>,
    /// <see cref="TaskHelpers"/>, <see cref="TraceHelpers"/>, <see cref="XdpHelpers"/>, <see cref="LoopHelpers"/>). Programs resolve their calls when they are loaded, so
    /// helpers registered here later serve only programs loaded later.
    /// </summary>
    public HelperTable Helpers
    {
        get
        {
            if (Volatile.Read(ref _helpers) is { } table)
                return table;
            var created = HelperTable.CreateDefault();
            MapHelpers.Register(created);
            CpuHelpers.Register(created);
            TimeHelpers.Register(created);
            RandomHelpers.Register(created);
            TaskHelpers.Register(created);
            TraceHelpers.Register(created);
            XdpHelpers.Register(created);
            LoopHelpers.Register(created);
            TailCallHelpers.Register(created);
            PerfHelpers.Register(created);
            CgroupHelpers.Register(created);
            return Interlocked.CompareExchange(ref _helpers, created, null) ?? created;
        }
    }

    /// <summary>
    /// One CPU slot per possible CPU (<see cref="PossibleCpus"/>): every program run of this backend holds one for
    /// its whole duration, and the slot decides which per-CPU copies it sees.
    /// </summary>
    public CpuSlots CpuSlots
    {
        get
        {
            if (Volatile.Read(ref _cpuSlots) is { } slots)
                return slots;
            var created = new CpuSlots(PossibleCpus);
            return Interlocked.CompareExchange(ref _cpuSlots, created, null) ?? created;
        }
    }

    /// <summary>
    /// The most instructions one run of a program loaded from now on may execute (0, the default: no limit). The
    /// kernel's verifier proves termination; without one, a budget keeps a looping program from hanging its caller
    /// (the run then stops with EFAULT and <see cref="TryGetLastRunError"/> says why).
    /// </summary>
    public long InstructionBudget { get; set; }

    /// <inheritdoc/>
    /// <remarks>
    /// Follows <c>bpf_prog_load</c>: unknown prog_flags EINVAL; no instructions or more than 1,000,000 E2BIG;
    /// a NULL license EFAULT; an unknown type or a bad name EINVAL; then the structural checks (EINVAL with the
    /// reason in <paramref name="log"/>), <c>lddw</c> map references (EBADF / EINVAL
    /// <c>fd N is not pointing to valid bpf_map</c>; direct value access per spec G; by-index forms EPROTO), the
    /// map/helper rules the verifier applies (EINVAL <c>cannot pass map_type N into func NAME#ID</c>, EACCES
    /// <c>write into map forbidden</c>) and unknown helpers (EINVAL <c>unknown helper N (name)</c>).
    /// <see cref="ExecutionMode.Jit"/> and <see cref="ExecutionMode.JitTrusted"/> compile the program to IL (trusted: no
    /// memory checks), or run it in the interpreter where dynamic code is not supported.
    /// The log is written whatever the log level.
    /// </remarks>
    public Errno ProgLoad(in ProgLoadAttr attr, out int fd, out string log)
    {
        fd = -1;
        var err = CheckProgramBtf(attr, out log);
        if (err != Errno.None)
            return err;
        err = ProgramObjectLoader.Load(this, attr, out var program, out log);
        if (err == Errno.ENOTSUPP && log.Length == 0)
            log = $"execution mode {attr.ExecutionMode} is not available in this runtime\n";
        if (err != Errno.None)
            return err;
        Registry.Publish(program!);
        return InstallObject(program!, AccessMode.ReadWrite, out fd);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <para>
    /// The program type's rules decide which attributes are valid and which CPU slot is wanted (see
    /// <see cref="IProgramContext"/>): raw tracepoints accept <c>BPF_F_TEST_RUN_ON_CPU</c> (a CPU that is not
    /// possible: ENXIO; a CPU without the flag: EINVAL); XDP and skb programs run on any free slot. A chosen slot
    /// that is busy is waited for.
    /// </para>
    /// <para>
    /// <c>data_in</c> is copied once into a native packet buffer that every repeat shares, so each run sees what
    /// the previous one wrote (spec I). <c>repeat</c> 0 means 1; <c>retval</c> is the last run's; the duration is
    /// the average in whole nanoseconds. As <c>bpf_test_finish</c>: with a <c>data_size_out</c> smaller than the
    /// output, that many bytes are copied and ENOSPC is returned, with the full size in
    /// <see cref="TestRunResult.DataSizeOut"/> and the retval and duration filled in; <c>ctx_out</c> likewise
    /// (checked only when the data fitted).
    /// </para>
    /// <para>
    /// A run that breaks a rule (memory outside its regions, a bad map pointer, the instruction budget) returns
    /// EFAULT; its message is kept (<see cref="TryGetLastRunError"/>, <see cref="ProgramObject.LastRunError"/>).
    /// </para>
    /// </remarks>
    public Errno ProgTestRun(int fd, in TestRunAttr attr, out TestRunResult result)
    {
        result = new TestRunResult(0, 0, [], []);
        var file = Files.Get(fd);
        if (file is null)
            return Errno.EBADF;
        if (file.Object is not ProgramObject program)
            return Errno.EINVAL;
        var context = program.Context;
        var err = context.CheckTestRun(attr, PossibleCpus, out var cpu);
        if (err != Errno.None)
            return err;
        // A run holds the program (and so its maps) even if its descriptor is closed meanwhile.
        if (!program.TryAcquireReference())
            return Errno.EBADF;
        try
        {
            return TestRun(program, context, attr, cpu, out result);
        }
        finally
        {
            program.ReleaseReference();
        }
    }

    /// <inheritdoc/>
    public Errno ProgGetInfo(int fd, out ProgInfo info)
    {
        info = default;
        var file = Files.Get(fd);
        if (file is null)
            return Errno.EBADF;
        if (file.Object is not ProgramObject program)
            return Errno.EINVAL;
        info = program.Info;
        return Errno.None;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Checks the blob as the kernel does before it reads the types (<see cref="BtfObject.TryCreate"/>) and keeps it
    /// as a BTF object for <see cref="ProgLoadAttr.ProgBtfFd"/>; the types themselves are not verified, since nothing
    /// in the runtime uses them. The log is written whatever happens (one line on a refusal).
    /// </remarks>
    public Errno BtfLoad(ReadOnlySpan<byte> btf, out int fd, out string log)
    {
        fd = -1;
        var err = BtfObject.TryCreate(btf, out var created, out log);
        if (err != Errno.None)
            return err;
        return InstallObject(created!, AccessMode.ReadWrite, out fd);
    }

    /// <summary>
    /// The kernel's <c>check_btf_info_early</c> and the record checks after it: with func_info or line_info records,
    /// <see cref="ProgLoadAttr.ProgBtfFd"/> must be a BTF object (EBADF for a closed descriptor, EINVAL for another
    /// object, as <c>btf_get_by_fd</c>) and the records must fit the program (<see cref="BtfObject.CheckProgramInfo"/>).
    /// The records are otherwise ignored: the runtime needs no BTF to run a subprogram's tail call or a callback.
    /// The kernel makes these checks inside the verifier, after the attr checks that ProgramObjectLoader makes first,
    /// so a program wrong in both ways may get a different errno here.
    /// </summary>
    private Errno CheckProgramBtf(in ProgLoadAttr attr, out string log)
    {
        log = "";
        if (attr.FuncInfo.IsEmpty && attr.LineInfo.IsEmpty)
            return Errno.None;
        if ((attr.FuncInfo.Length != 0 && (attr.FuncInfoRecordSize == 0 || attr.FuncInfo.Length % attr.FuncInfoRecordSize != 0))
            || (attr.LineInfo.Length != 0 && (attr.LineInfoRecordSize == 0 || attr.LineInfo.Length % attr.LineInfoRecordSize != 0)))
        {
            log = "func_info / line_info length is not a whole number of records\n";
            return Errno.EINVAL;
        }

        var file = Files.Get(attr.ProgBtfFd);
        if (file is null)
            return Errno.EBADF;
        if (file.Object is not BtfObject btf)
            return Errno.EINVAL;
        return btf.CheckProgramInfo(attr.Instructions.Span, attr, out log);
    }

    /// <inheritdoc/>
    public bool TryGetLastRunError(int progFd, [NotNullWhen(true)] out string? message)
    {
        message = (Files.Get(progFd)?.Object as ProgramObject)?.LastRunError;
        return message is not null;
    }

    /// <summary>The program behind <paramref name="fd"/>, for tools and tests (null if it is not an open program).</summary>
    public ProgramObject? GetProgram(int fd) => Files.Get(fd)?.Object as ProgramObject;

    private Errno TestRun(ProgramObject program, IProgramContext context, in TestRunAttr attr, int cpu,
        out TestRunResult result)
    {
        result = new TestRunResult(0, 0, [], []);
        var repeat = context.MeasuresDuration && attr.Repeat > 1 ? attr.Repeat : 1u;
        // The type's context builds the packet and context (and checks ctx_in); every repeat shares them.
        var err = context.Prepare(program.Type, attr, out var prepared);
        if (err != Errno.None)
            return err;
        using (var run = prepared!)
        {
            ulong retval = 0;
            long elapsed;
            using (var slot = cpu < 0 ? CpuSlots.Acquire() : CpuSlots.Acquire(cpu))
            {
                var state = slot.State;
                run.Enter(state, out var r1, out var r2);
                try
                {
                    var executable = program.Executable;
                    var start = Stopwatch.GetTimestamp();
                    retval = executable.RunRepeated(state, r1, r2, repeat);
                    elapsed = Stopwatch.GetTimestamp() - start;
                }
                catch (BpfRuntimeException e)
                {
                    program.LastRunError = e.Message;
                    return Errno.EFAULT;
                }
                finally
                {
                    // The slot's state outlives this run: it must not keep pointing at memory freed below.
                    run.Leave(state);
                }
            }

            var duration = context.MeasuresDuration ? DurationPerRun(elapsed, repeat) : 0;
            var dataOut = run.DataOut;
            var outLength = (uint)dataOut.Length;
            byte[] dataCopy = [];
            if (attr.DataSizeOut != 0)
            {
                if (outLength > attr.DataSizeOut)
                    err = Errno.ENOSPC;
                dataCopy = dataOut[..(int)Math.Min(outLength, attr.DataSizeOut)].ToArray();
            }

            // bpf_ctx_finish: only when the data fitted, and only when there is a user context.
            byte[] ctxCopy = [];
            var ctxOut = run.ContextOut;
            var ctxLength = (uint)(ctxOut?.Length ?? 0);
            if (err == Errno.None && ctxOut is not null && attr.CtxSizeOut != 0)
            {
                if (ctxLength > attr.CtxSizeOut)
                    err = Errno.ENOSPC;
                ctxCopy = ctxOut[..(int)Math.Min(ctxLength, attr.CtxSizeOut)];
            }

            result = new TestRunResult((uint)retval, duration, dataCopy, ctxCopy)
            {
                DataSizeOut = outLength,
                CtxSizeOut = ctxLength,
            };
            return err;
        }
    }

    /// <summary>The average whole nanoseconds per run, saturated at u32 as the kernel's <c>duration</c>.</summary>
    private static uint DurationPerRun(long ticks, uint repeat)
    {
        var ns = (double)ticks * 1e9 / Stopwatch.Frequency / repeat;
        return ns >= uint.MaxValue ? uint.MaxValue : (uint)ns;
    }
}
