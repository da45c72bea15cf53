using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;

namespace SharpBpf.Programs;

/// <summary>
/// A loaded program of any backend, named by a descriptor: load, test-run, info and pin with exceptions
/// (<see cref="BpfException"/>, <see cref="BpfVerifierException"/> for load failures). Disposing it closes the
/// descriptor; the program lives on while it is pinned or held by a prog array.
/// </summary>
/// <remarks>Thread-safe as far as the backend is: concurrent test runs of one program are allowed.</remarks>
public sealed class BpfProgram : IDisposable
{
    /// <summary>
    /// Output room beyond the input packet for <see cref="TestRun(ReadOnlyMemory{byte}, uint, ReadOnlyMemory{byte})"/>:
    /// a page, more than the kernel lets a program grow a test packet.
    /// </summary>
    private const uint OutputSlack = 4096;

    private readonly bool _ownsFd;
    private int _fd;

    /// <summary>Wraps an open program descriptor and reads its info.</summary>
    /// <param name="backend">The backend the descriptor belongs to.</param>
    /// <param name="fd">The descriptor.</param>
    /// <param name="ownsFd">Whether <see cref="Dispose"/> closes the descriptor.</param>
    /// <exception cref="BpfException">The descriptor is not an open program.</exception>
    public BpfProgram(IBpfBackend backend, int fd, bool ownsFd = true)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var err = backend.ProgGetInfo(fd, out var info);
        if (err != Errno.None)
            throw new BpfException(err, $"{BpfCommand.BPF_OBJ_GET_INFO_BY_FD} on descriptor {fd}: {BpfException.ErrnoName(err)} (not an open program)");
        Backend = backend;
        _fd = fd;
        _ownsFd = ownsFd;
        Type = info.Type;
        Id = info.Id;
        Name = info.Name;
    }

    /// <summary>The backend.</summary>
    public IBpfBackend Backend { get; }

    /// <summary>The descriptor (-1 after <see cref="Dispose"/>).</summary>
    public int Fd => Volatile.Read(ref _fd);

    /// <summary>The program type.</summary>
    public ProgramType Type { get; }

    /// <summary>The program's id.</summary>
    public uint Id { get; }

    /// <summary>The program's name.</summary>
    public string Name { get; }

    /// <summary>What BPF_OBJ_GET_INFO_BY_FD reports now (type, id, name, instruction count, map ids).</summary>
    public ProgInfo Info
    {
        get
        {
            var err = Backend.ProgGetInfo(Fd, out var info);
            if (err != Errno.None)
                throw new BpfException(err, $"{BpfCommand.BPF_OBJ_GET_INFO_BY_FD} on program '{Name}': {BpfException.ErrnoName(err)}");
            return info;
        }
    }

    /// <summary>Loads a program (BPF_PROG_LOAD).</summary>
    /// <param name="backend">Where to load it.</param>
    /// <param name="type">The program type.</param>
    /// <param name="instructions">The instruction slots; map references are <c>lddw</c> with src 1 or 2 and a map descriptor.</param>
    /// <param name="license">The license string (GPL-compatible ones allow GPL-only helpers).</param>
    /// <param name="name">The name (up to 15 characters of <c>[A-Za-z0-9_.]</c>).</param>
    /// <param name="mode">How the userspace runtime executes it.</param>
    /// <exception cref="BpfVerifierException">The backend refused the program and wrote a log.</exception>
    /// <exception cref="BpfException">The backend refused the attributes.</exception>
    public static BpfProgram Load(IBpfBackend backend, ProgramType type, ReadOnlyMemory<Instruction> instructions,
        string license = "GPL", string? name = null, ExecutionMode mode = ExecutionMode.Default) =>
        Load(backend, new ProgLoadAttr
        {
            Type = type,
            Instructions = instructions,
            License = license,
            Name = name,
            LogLevel = 1,
            ExecutionMode = mode,
        });

    /// <summary>Loads a program from full attributes (BPF_PROG_LOAD).</summary>
    /// <exception cref="BpfVerifierException">The backend refused the program and wrote a log.</exception>
    /// <exception cref="BpfException">The backend refused the attributes.</exception>
    public static BpfProgram Load(IBpfBackend backend, in ProgLoadAttr attr)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var err = backend.ProgLoad(attr, out var fd, out var log);
        if (err != Errno.None)
            throw ProgramErrorText.LoadException(attr, err, log ?? "");
        return new BpfProgram(backend, fd);
    }

    /// <summary>Opens a program by id (BPF_PROG_GET_FD_BY_ID).</summary>
    public static BpfProgram FromId(IBpfBackend backend, uint id)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var err = backend.ProgGetFdById(id, out var fd);
        if (err != Errno.None)
            throw new BpfException(err, $"{BpfCommand.BPF_PROG_GET_FD_BY_ID} of id {id}: {BpfException.ErrnoName(err)}");
        return new BpfProgram(backend, fd);
    }

    /// <summary>Opens a pinned program (BPF_OBJ_GET).</summary>
    public static BpfProgram OpenPinned(IBpfBackend backend, string path)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var err = backend.ObjGet(path, 0, out var fd);
        if (err != Errno.None)
            throw new BpfException(err, $"{BpfCommand.BPF_OBJ_GET} of '{path}': {BpfException.ErrnoName(err)}");
        try
        {
            return new BpfProgram(backend, fd);
        }
        catch (BpfException)
        {
            backend.Close(fd); // a pinned map, not a program
            throw;
        }
    }

    /// <summary>
    /// Runs the program <paramref name="repeat"/> times over a copy of <paramref name="dataIn"/> (BPF_PROG_TEST_RUN)
    /// and returns the last run's value and the packet as the last run left it.
    /// </summary>
    /// <exception cref="BpfException">The backend refused the attributes or the run faulted (EFAULT, with the runtime's message).</exception>
    public ProgramRunResult TestRun(ReadOnlyMemory<byte> dataIn, uint repeat = 1, ReadOnlyMemory<byte> contextIn = default) =>
        TestRun(new TestRunAttr
        {
            DataIn = dataIn,
            DataSizeOut = dataIn.IsEmpty ? 0 : (uint)dataIn.Length + OutputSlack,
            CtxIn = contextIn,
            CtxSizeOut = contextIn.IsEmpty ? 0 : (uint)contextIn.Length,
            // 0 and 1 mean the same to the kernel, but raw tracepoints accept only 0.
            Repeat = repeat <= 1 ? 0 : repeat,
        });

    /// <summary>
    /// Runs the program once on CPU <paramref name="cpu"/> with <paramref name="contextIn"/> as its context
    /// (BPF_PROG_TEST_RUN with BPF_F_TEST_RUN_ON_CPU, as raw tracepoint programs allow).
    /// </summary>
    public ProgramRunResult TestRunOnCpu(uint cpu, ReadOnlyMemory<byte> contextIn = default) =>
        TestRun(new TestRunAttr { CtxIn = contextIn, Flags = 1, Cpu = cpu });

    /// <summary>BPF_PROG_TEST_RUN with full attributes.</summary>
    /// <exception cref="BpfException">The backend refused the attributes, the output did not fit (ENOSPC) or the run faulted.</exception>
    public ProgramRunResult TestRun(in TestRunAttr attr)
    {
        var fd = Fd;
        var err = Backend.ProgTestRun(fd, attr, out var result);
        if (err != Errno.None)
        {
            string? runError = null;
            if (err == Errno.EFAULT && Backend is IProgramRunDiagnostics diagnostics)
                diagnostics.TryGetLastRunError(fd, out runError);
            throw ProgramErrorText.TestRunException(new ProgInfo(Type, Id, Name, 0, []), attr, err,
                Backend.PossibleCpus, runError);
        }

        return new ProgramRunResult(result.Retval, result.DurationNs, attr.Repeat == 0 ? 1 : attr.Repeat,
            result.DataOut ?? [], result.CtxOut ?? []);
    }

    /// <summary>Pins the program at a bpffs-like path (BPF_OBJ_PIN).</summary>
    public void Pin(string path)
    {
        var err = Backend.ObjPin(Fd, path);
        if (err != Errno.None)
            throw new BpfException(err, $"{BpfCommand.BPF_OBJ_PIN} of program '{Name}' at '{path}': {BpfException.ErrnoName(err)}");
    }

    /// <summary>Closes the descriptor (if this wrapper owns it).</summary>
    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0 && _ownsFd)
            Backend.Close(fd);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Type} program '{Name}' (id {Id})";
}
