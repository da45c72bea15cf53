using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Runtime.Contexts;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Maps;
using SharpBpf.Runtime.Programs;

namespace SharpBpf.Runtime.Objects;

/// <summary>
/// A loaded program of the userspace runtime (the kernel's <c>struct bpf_prog</c>): its type, name, the maps it
/// uses and its executable form, reference-counted like maps with a global id.
/// </summary>
/// <remarks>
/// <para>
/// References, as in the kernel: descriptors and pins are user references; a PROG_ARRAY slot holding the program
/// takes a plain reference (<see cref="BpfObject.AcquireReference"/> / <see cref="BpfObject.ReleaseReference"/>),
/// and so does every test run while it runs. The program holds one reference on each map it uses (the kernel's
/// <c>used_maps</c>) and drops them when its last reference goes, so a map outlives every program using it.
/// </para>
/// <para>Created by <see cref="UserspaceBackend.ProgLoad"/> through <see cref="ProgramObjectLoader"/>.</para>
/// </remarks>
public sealed class ProgramObject : BpfObject
{
    private readonly MapObject[] _maps;
    private volatile string? _lastRunError;
    private int _mapsReleased;

    internal ProgramObject(ProgramType type, string name, ExecutionMode mode, bool gplCompatible, int slotCount,
        MapObject[] maps, InterpretedProgram executable)
    {
        Type = type;
        Name = name;
        ExecutionMode = mode;
        GplCompatible = gplCompatible;
        InstructionCount = slotCount;
        _maps = maps;
        Executable = executable;
        Context = ProgramContexts.For(type);
    }

    /// <inheritdoc/>
    public override ObjectKind Kind => ObjectKind.Program;

    /// <summary>The program type.</summary>
    public ProgramType Type { get; }

    /// <summary>The program's name (<c>prog_name</c>; may be empty).</summary>
    public string Name { get; }

    /// <summary>How the program is executed (part of prog-array compatibility, like the kernel's JIT state).</summary>
    public ExecutionMode ExecutionMode { get; }

    /// <summary>
    /// The <c>expected_attach_type</c> it was loaded with (part of prog-array compatibility since Linux 6.17).
    /// </summary>
    public uint ExpectedAttachType { get; init; }

    /// <summary>True if the license string is GPL-compatible (the kernel's <c>gpl_compatible</c>).</summary>
    public bool GplCompatible { get; }

    /// <summary>The program length in 8-byte instruction slots, as loaded.</summary>
    public int InstructionCount { get; }

    /// <summary>The maps the program uses, in the order of first reference, each once.</summary>
    public IReadOnlyList<MapObject> Maps => _maps;

    /// <summary>The interpreter's form of the program.</summary>
    public InterpretedProgram Executable { get; }

    /// <summary>
    /// The message of the last run of this program that stopped with a <see cref="BpfRuntimeException"/> (the test
    /// run then returned EFAULT), or null if none has.
    /// </summary>
    public string? LastRunError
    {
        get => _lastRunError;
        internal set => _lastRunError = value;
    }

    /// <summary>What BPF_OBJ_GET_INFO_BY_FD reports.</summary>
    public ProgInfo Info
    {
        get
        {
            var ids = new uint[_maps.Length];
            for (var i = 0; i < ids.Length; i++)
                ids[i] = _maps[i].Id;
            return new ProgInfo(Type, Id, Name, (uint)InstructionCount, ids);
        }
    }

    /// <summary>The test-run behaviour of this program's type.</summary>
    internal IProgramContext Context { get; }

    /// <summary>Runs the program once on <paramref name="state"/> (which the caller holds, e.g. a CPU slot's).</summary>
    /// <exception cref="BpfRuntimeException">The run broke a rule; the host is unaffected.</exception>
    public ulong Run(RunState state, ulong r1 = 0, ulong r2 = 0, ulong r3 = 0, ulong r4 = 0, ulong r5 = 0) =>
        Executable.Run(state, r1, r2, r3, r4, r5);

    /// <summary>Drops the map references (also used when a load fails after the maps were taken).</summary>
    internal static void ReleaseMaps(MapObject[] maps)
    {
        foreach (var map in maps)
            map.ReleaseReference();
    }

    /// <inheritdoc/>
    protected override void OnFree()
    {
        // A run may have picked this program out of a prog-array slot without a reference (a tail call): its maps
        // go only after every such run has ended (the kernel frees programs after an RCU grace period).
        if (Registry is { } registry)
            registry.Epochs.Retire(Reclaim);
        else
            Reclaim();
    }

    /// <summary>True once the program's grace period ended and its maps were released.</summary>
    public bool IsReclaimed => Volatile.Read(ref _mapsReleased) != 0;

    /// <summary>Counts programs whose grace period ended, process-wide (for tests that count frees).</summary>
    public static long ReclaimedCount => Interlocked.Read(ref s_reclaimed);

    private static long s_reclaimed;

    private void Reclaim()
    {
        if (Interlocked.Exchange(ref _mapsReleased, 1) != 0)
            return;
        ReleaseMaps(_maps);
        Interlocked.Increment(ref s_reclaimed);
    }
}
