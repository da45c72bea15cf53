using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Runtime.Memory;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Runtime.Maps;

/// <summary>
/// BPF_MAP_TYPE_PROG_ARRAY (spec D): slots hold programs for <c>bpf_tail_call</c>. The owner program type and
/// execution mode are fixed by the first program inserted or the first loaded program that references the map
/// (sticky, even after that slot is emptied); any other program is refused with EINVAL. Every slot is cleared when
/// the last user reference goes (last descriptor closed and not pinned, or the pin unlinked), even while loaded
/// programs still reference the map.
/// </summary>
public sealed class ProgArrayMapObject : FdArrayMapObject
{
    private readonly Lock _ownerGate = new();
    private bool _hasOwner;
    private ProgramType _ownerType;
    private ExecutionMode _ownerMode;
    private uint _ownerAttachType;

    internal ProgArrayMapObject(in MapParameters p, NativeBuffer header, BpfObject?[] slots)
        : base(p, header, slots)
    {
    }

    /// <summary>The owner program type, or null while no program fixed it.</summary>
    public ProgramType? OwnerType
    {
        get
        {
            lock (_ownerGate)
                return _hasOwner ? _ownerType : null;
        }
    }

    /// <summary>The program in slot <paramref name="index"/>, or null (lock-free).</summary>
    public ProgramObject? GetProgram(uint index) => GetEntry(index) as ProgramObject;

    /// <summary>The kernel's <c>bpf_prog_map_compatible</c> for a program that references this map.</summary>
    public override Errno BindProgram(ProgramObject program) => Bind(program);

    /// <inheritdoc/>
    protected override Errno CheckInsert(BpfObject entry) =>
        entry is ProgramObject program ? Bind(program) : Errno.EINVAL;

    private Errno Bind(ProgramObject program)
    {
        ArgumentNullException.ThrowIfNull(program);
        lock (_ownerGate)
        {
            if (!_hasOwner)
            {
                _hasOwner = true;
                _ownerType = program.Type;
                _ownerMode = program.ExecutionMode;
                _ownerAttachType = program.ExpectedAttachType;
                return Errno.None;
            }

            // Type, JIT state and (Linux >= 6.17) expected_attach_type must match the owner's.
            return program.Type == _ownerType && program.ExecutionMode == _ownerMode && program.ExpectedAttachType == _ownerAttachType
                ? Errno.None
                : Errno.EINVAL;
        }
    }
}
