using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Helpers;
using SharpBpf.Runtime.Maps;
using SharpBpf.Runtime.Programs;

namespace SharpBpf.Runtime.Objects;

/// <summary>
/// BPF_PROG_LOAD for the userspace runtime: the kernel's attribute checks in the kernel's order, structural
/// validation, <c>lddw</c> map references resolved against the caller's descriptors (taking a reference on each
/// map), the verifier's map/helper rules where they can be decided statically, then the executable form.
/// </summary>
/// <remarks>
/// There is no verifier: what the kernel proves at load time (bounds, NULL checks, termination) is enforced at run
/// time instead, where a violation stops the run with a <see cref="BpfRuntimeException"/>. The rules implemented
/// here are the ones the kernel applies before or beside its data-flow analysis, with its errno and log text.
/// </remarks>
internal static class ProgramObjectLoader
{
    /// <summary><c>BPF_COMPLEXITY_LIMIT_INSNS</c>: the most instruction slots a privileged loader may pass.</summary>
    public const int MaxSlots = 1_000_000;

    /// <summary><c>MAX_USED_MAPS</c>.</summary>
    public const int MaxUsedMaps = 64;

    /// <summary><c>BPF_MAX_VAR_OFF</c>: the largest offset of a direct value reference.</summary>
    private const uint MaxDirectValueOffset = 1u << 29;

    /// <summary>
    /// The <c>prog_flags</c> the kernel knows (STRICT_ALIGNMENT, ANY_ALIGNMENT, TEST_RND_HI32, TEST_STATE_FREQ,
    /// SLEEPABLE, XDP_HAS_FRAGS, XDP_DEV_BOUND_ONLY, TEST_REG_INVARIANTS); they change nothing here.
    /// </summary>
    private const uint KnownProgFlags = 0xff;

    /// <summary><c>BPF_OBJ_NAME_LEN</c> - 1: the longest name.</summary>
    private const int MaxNameLength = 15;

    private static readonly ValidationOptions s_validation = new()
    {
        AllowCallx = false, // the kernel: "unknown opcode 8d"
    };

    /// <summary>Loads a program; on failure every map reference taken is released again.</summary>
    public static Errno Load(UserspaceBackend backend, in ProgLoadAttr attr, out ProgramObject? program, out string log)
    {
        program = null;
        log = "";
        var err = CheckAttributes(attr);
        if (err != Errno.None)
            return err;

        if (!Validator.TryValidate(attr.Instructions.Span, out var invalid, s_validation))
        {
            log = invalid.Message + "\n";
            return Errno.EINVAL;
        }

        // The verifier's convert_ctx_access: context loads and stores checked and pointed at the runtime's layout.
        err = Contexts.ContextRewriter.Rewrite(attr.Type, attr.ExpectedAttachType, attr.Instructions, out var rewritten, out log);
        if (err != Errno.None)
            return err;
        var slots = rewritten.Span;

        var decoded = Decoder.Decode(slots);
        var maps = new List<MapObject>();
        var resolved = new Dictionary<int, (ulong Value, MapObject Map)>();
        try
        {
            err = ResolveMapReferences(backend.Files, decoded, maps, resolved, out log);
            if (err == Errno.None)
                err = CheckHelperCalls(decoded, resolved, backend.Helpers, IsGplCompatible(attr.License), out log);
            if (err == Errno.None)
                err = Build(backend, attr, slots, maps, resolved, out program, out log);
        }
        finally
        {
            if (program is null)
                ProgramObject.ReleaseMaps([.. maps]);
        }

        return err;
    }

    /// <summary>
    /// <c>bpf_prog_load</c>'s checks before the verifier, in its order: prog_flags, the instruction count (zero or
    /// over the limit: E2BIG), the license pointer (NULL: EFAULT), the program type, the name.
    /// </summary>
    private static Errno CheckAttributes(in ProgLoadAttr attr)
    {
        if ((attr.ProgFlags & ~KnownProgFlags) != 0)
            return Errno.EINVAL;
        var count = attr.Instructions.Length;
        if (count is 0 or > MaxSlots)
            return Errno.E2BIG;
        if (attr.License is null)
            return Errno.EFAULT;
        if (attr.Type == ProgramType.Unspec || (!Enum.IsDefined(attr.Type) && !Contexts.RuntimeProgramTypes.IsRuntimeOnly(attr.Type)))
            return Errno.EINVAL;
        if (!IsValidName(attr.Name))
            return Errno.EINVAL;
        if (!Enum.IsDefined(attr.ExecutionMode))
            return Errno.ENOTSUPP;
        return Errno.None;
    }

    /// <summary><c>bpf_obj_name_cpy</c>: up to 15 characters of <c>[A-Za-z0-9_.]</c>; bytes after a NUL are ignored.</summary>
    public static bool IsValidName(string? name)
    {
        var text = NameOf(name);
        if (text.Length > MaxNameLength)
            return false;
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.'))
                return false;
        }

        return true;
    }

    /// <summary>The name as kept: up to the first NUL.</summary>
    public static string NameOf(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return "";
        var nul = name.IndexOf('\0', StringComparison.Ordinal);
        return nul < 0 ? name : name[..nul];
    }

    /// <summary><c>license_is_gpl_compatible</c>.</summary>
    public static bool IsGplCompatible(string license) =>
        license is "GPL" or "GPL v2" or "GPL and additional rights" or "Dual BSD/GPL" or "Dual MIT/GPL" or "Dual MPL/GPL";

    /// <summary>
    /// <c>resolve_pseudo_ldimm64</c>: every <c>lddw</c> with a map pseudo source becomes the map's header address
    /// (src 1) or the address of a byte of its value (src 2), and the map joins the program's used maps once, with a
    /// reference. By-index forms (src 5, 6) need an <c>fd_array</c>, which this interface has not: EPROTO.
    /// </summary>
    private static Errno ResolveMapReferences(FdTable files, DecodedInstruction[] code, List<MapObject> maps,
        Dictionary<int, (ulong Value, MapObject Map)> resolved, out string log)
    {
        log = "";
        foreach (var insn in code)
        {
            if (insn.Op != Op.Lddw || insn.Pseudo is PseudoKind.None or PseudoKind.Variable or PseudoKind.CodeAddress)
                continue;
            var pc = insn.Pc;
            if (insn.Pseudo is PseudoKind.MapByIndex or PseudoKind.MapValueByIndex)
            {
                log = "fd_idx without fd_array is invalid\n";
                return Errno.EPROTO;
            }

            if (insn.Pseudo is not (PseudoKind.MapByFd or PseudoKind.MapValueByFd)
                || (insn.Pseudo == PseudoKind.MapByFd && insn.NextImm != 0))
            {
                log = $"{pc}: unrecognized bpf_ld_imm64 insn\n";
                return Errno.EINVAL;
            }

            var fd = insn.Imm32;
            var file = files.Get(fd);
            if (file?.Map is not { } map)
            {
                log = $"fd {fd} is not pointing to valid bpf_map\n";
                return file is null ? Errno.EBADF : Errno.EINVAL;
            }

            if (!maps.Contains(map))
            {
                if (maps.Count >= MaxUsedMaps)
                {
                    log = $"too many maps, max is {MaxUsedMaps}\n";
                    return Errno.E2BIG;
                }

                // The program's own reference: the descriptor may be closed right after the load.
                map.AcquireReference();
                maps.Add(map);
            }

            if (insn.Pseudo == PseudoKind.MapByFd)
            {
                resolved[pc] = ((ulong)map.Header, map);
                continue;
            }

            var err = DirectValueAddress(map, (uint)insn.NextImm, out var address, out log);
            if (err != Errno.None)
                return err;
            resolved[pc] = (address, map);
        }

        return Errno.None;
    }

    /// <summary>
    /// <c>map_direct_value_addr</c> for <c>BPF_PSEUDO_MAP_VALUE</c> (spec G): only an ARRAY with one element has
    /// one (max_entries above 1: ENOTSUPP), and the offset must lie inside the value (EINVAL).
    /// </summary>
    private static Errno DirectValueAddress(MapObject map, uint offset, out ulong address, out string log)
    {
        address = 0;
        log = "";
        if (offset >= MaxDirectValueOffset)
        {
            log = $"direct value offset of {offset} is not allowed\n";
            return Errno.EINVAL;
        }

        if (map is not ArrayMapObject array)
        {
            log = "no direct value access support for this map type\n";
            return Errno.EINVAL;
        }

        var err = array.MaxEntries != 1 ? Errno.ENOTSUPP : offset >= array.ValueSize ? Errno.EINVAL : Errno.None;
        if (err != Errno.None)
        {
            log = $"invalid access to map value pointer, value_size={array.ValueSize} off={offset}\n";
            return err;
        }

        address = (ulong)array.Values + offset;
        return Errno.None;
    }

    /// <summary>
    /// The verifier's map rules for helper calls where the map is known statically: a forward scan that tracks
    /// which registers hold a map from <c>lddw src=1</c> (copied by <c>mov</c>, forgotten at any other write, at
    /// jump targets and across calls). A call whose map register is known is checked here, with the kernel's
    /// errno and message; the map helpers check the other calls at run time.
    /// </summary>
    private static Errno CheckHelperCalls(DecodedInstruction[] code, Dictionary<int, (ulong Value, MapObject Map)> resolved,
        HelperTable helpers, bool gplCompatible, out string log)
    {
        log = "";
        var targets = new HashSet<int>();
        foreach (var insn in code)
        {
            if (IsConditionalJump(insn.Op) || insn.Op == Op.Ja)
                targets.Add(insn.Pc + 1 + insn.Offset);
            else if (insn.Op is Op.Ja32 or Op.CallLocal)
                targets.Add(insn.Pc + 1 + insn.Imm32);
        }

        var known = new MapObject?[16];
        foreach (var insn in code)
        {
            if (targets.Contains(insn.Pc))
                Array.Clear(known);
            var op = insn.Op;
            switch (op)
            {
                case Op.Lddw:
                    known[insn.Dst] = insn.Pseudo == PseudoKind.MapByFd ? resolved[insn.Pc].Map : null;
                    break;
                case Op.Mov64Reg:
                    known[insn.Dst] = known[insn.Src];
                    break;
                case Op.Call:
                {
                    var id = insn.Imm32;
                    if (!gplCompatible && IsGplOnly(id) && helpers.Contains(id))
                    {
                        log = $"{insn.Pc}: (85) call {HelperNames.Of(id)}#{id}\ncannot call GPL-restricted function from non-GPL compatible program\n";
                        return Errno.EINVAL;
                    }

                    var reg = MapHelpers.MapArgumentRegister(id);
                    if (reg != 0 && known[reg] is { } map && !MapHelpers.CheckMapArgument(map, id, out var err, out var message))
                    {
                        log = $"{insn.Pc}: (85) call {HelperNames.Of(id)}#{id}\n{message}\n";
                        return err;
                    }

                    Array.Clear(known, 0, 6);
                    break;
                }

                case Op.CallLocal or Op.Callx or Op.CallKfunc:
                    Array.Clear(known, 0, 6);
                    break;
                case Op.Exit or Op.Ja or Op.Ja32:
                    Array.Clear(known);
                    break;
                case >= Op.StB and <= Op.StxDW:
                    break; // stores write memory only
                case >= Op.AtomicAdd32 and <= Op.AtomicCmpXchg64:
                    known[insn.Src] = null; // the fetch forms write src, cmpxchg writes r0
                    known[0] = null;
                    break;
                default:
                    if (!IsConditionalJump(op))
                        known[insn.Dst] = null;
                    break;
            }
        }

        return Errno.None;
    }

    /// <summary>
    /// Helpers whose kernel prototype is <c>gpl_only</c> (probe_read, trace_printk, the perf event helpers,
    /// get_stackid, skb_output, xdp_output): a program whose license is not GPL-compatible may not call them.
    /// </summary>
    private static bool IsGplOnly(int id) => (HelperId)id is HelperId.ProbeRead or HelperId.TracePrintk
        or HelperId.PerfEventRead or HelperId.PerfEventOutput or HelperId.GetStackid or HelperId.PerfEventReadValue
        or HelperId.SkbOutput or HelperId.XdpOutput;

    private static bool IsConditionalJump(Op op) => op is >= Op.Jeq64Imm and <= Op.Jsle32Reg;

    /// <summary>Builds the executable form and the program object, and lets each map accept or refuse the program.</summary>
    private static Errno Build(UserspaceBackend backend, in ProgLoadAttr attr, ReadOnlySpan<Instruction> slots,
        List<MapObject> maps, Dictionary<int, (ulong Value, MapObject Map)> resolved, out ProgramObject? program,
        out string log)
    {
        program = null;
        log = "";
        var name = NameOf(attr.Name);
        var regions = new List<MemoryRegion>(maps.Count);
        foreach (var map in maps)
        {
            if (map.ValueRegion.Length != 0)
                regions.Add(map.ValueRegion);
        }

        InterpretedProgram executable;
        try
        {
            executable = InterpretedProgram.Create(slots, new ProgramOptions
            {
                Name = name.Length == 0 ? null : name,
                Helpers = backend.Helpers,
                Regions = regions,
                Maps = maps,
                LddwResolver = insn => resolved[insn.Pc].Value,
                InstructionBudget = backend.InstructionBudget,
                MaxSlots = MaxSlots,
                Trusted = attr.ExecutionMode == ExecutionMode.JitTrusted,
            });
            // JIT modes: the program's runs execute compiled code (the interpreter where code cannot be generated).
            if (attr.ExecutionMode is ExecutionMode.Jit or ExecutionMode.JitTrusted)
                Jit.JitProgram.Attach(executable);
        }
        catch (BpfProgramException e)
        {
            log = e.Message + "\n";
            return Errno.EINVAL;
        }

        var mapArray = maps.ToArray();
        var candidate = new ProgramObject(attr.Type, name, attr.ExecutionMode == ExecutionMode.Default
            ? ExecutionMode.Interpreter : attr.ExecutionMode, IsGplCompatible(attr.License), slots.Length, mapArray, executable)
        {
            ExpectedAttachType = attr.ExpectedAttachType,
        };
        foreach (var map in mapArray)
        {
            var err = map.BindProgram(candidate);
            if (err != Errno.None)
            {
                // The candidate was never published: dropping its first reference frees it and its map references.
                candidate.ReleaseUserReference();
                maps.Clear();
                return err;
            }
        }

        program = candidate;
        return Errno.None;
    }
}
