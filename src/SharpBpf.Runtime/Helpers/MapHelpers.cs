using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using SharpBpf.Abi;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Maps;

namespace SharpBpf.Runtime.Helpers;

/// <summary>
/// The map helpers programs call, with the kernel's ids and return values (spec B.4 and C):
/// <c>bpf_map_lookup_elem</c> (1), <c>bpf_map_update_elem</c> (2), <c>bpf_map_delete_elem</c> (3) and
/// <c>bpf_map_lookup_percpu_elem</c> (195), plus the rules of which map types each helper accepts
/// (<c>check_map_func_compatibility</c>) that the loader applies at load time.
/// </summary>
/// <remarks>
/// <para>
/// The map argument is the map's header address, which is what <c>lddw rX, map</c> loads. A helper accepts it only
/// if it is one of the maps of the running program (<see cref="Programs.InterpretedProgram.Maps"/>); anything else
/// (a forged or stale pointer) stops the run with a <see cref="BpfRuntimeException"/> instead of being
/// dereferenced. Key and value pointers are checked against the run's regions before they are read. When the
/// loader could not tell which map a call receives, the map-type rules are checked here, at run time, instead.
/// </para>
/// <para>Per-CPU maps give a program the copy of the CPU slot it runs on (<see cref="RunState.Cpu"/>).</para>
/// </remarks>
public static unsafe class MapHelpers
{
    /// <summary>Registers the map helpers of this class into <paramref name="table"/> under their Linux ids.</summary>
    public static void Register(HelperTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Register((int)HelperId.MapLookupElem, &MapLookupElem);
        table.Register((int)HelperId.MapUpdateElem, &MapUpdateElem);
        table.Register((int)HelperId.MapDeleteElem, &MapDeleteElem);
        table.Register((int)HelperId.MapLookupPercpuElem, &MapLookupPercpuElem);
    }

    /// <summary>
    /// <c>void *bpf_map_lookup_elem(map, key)</c>: the address of the value (this CPU's copy for per-CPU maps),
    /// or 0 (NULL) for a key out of range.
    /// </summary>
    public static ulong MapLookupElem(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        ArgumentNullException.ThrowIfNull(state);
        var map = ResolveMap(state, r1, HelperId.MapLookupElem);
        var index = ReadKey(state, map, r2);
        return (ulong)map.LookupForProgram(index, state.Cpu);
    }

    /// <summary>
    /// <c>long bpf_map_update_elem(map, key, value, flags)</c>: 0, or -EEXIST (BPF_NOEXIST on an array),
    /// -E2BIG (index out of range), -EINVAL (bad flags); per-CPU maps change only this CPU's copy.
    /// </summary>
    public static ulong MapUpdateElem(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        ArgumentNullException.ThrowIfNull(state);
        var map = ResolveMap(state, r1, HelperId.MapUpdateElem);
        var index = ReadKey(state, map, r2);
        var size = map.ValueSize;
        state.CheckAccess(r3, size, write: false);
        var err = map.UpdateFromProgram(index, new ReadOnlySpan<byte>((void*)r3, (int)size), r4, state.Cpu);
        return Return(err);
    }

    /// <summary><c>long bpf_map_delete_elem(map, key)</c>: -EINVAL for arrays, whose elements always exist.</summary>
    public static ulong MapDeleteElem(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        ArgumentNullException.ThrowIfNull(state);
        var map = ResolveMap(state, r1, HelperId.MapDeleteElem);
        var index = ReadKey(state, map, r2);
        return Return(map.DeleteFromProgram(index));
    }

    /// <summary>
    /// <c>void *bpf_map_lookup_percpu_elem(map, key, cpu)</c>: the address of CPU <c>cpu</c>'s copy, or 0 (NULL) for
    /// a CPU that is not possible (only the low 32 bits count) or a key out of range. It never fails otherwise.
    /// </summary>
    public static ulong MapLookupPercpuElem(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        ArgumentNullException.ThrowIfNull(state);
        var map = ResolveMap(state, r1, HelperId.MapLookupPercpuElem);
        var index = ReadKey(state, map, r2);
        var cpu = (uint)r3;
        return cpu > int.MaxValue ? 0 : (ulong)map.LookupForProgram(index, (int)cpu);
    }

    /// <summary>
    /// Which argument register (1-5) of helper <paramref name="helperId"/> is a map (<c>ARG_CONST_MAP_PTR</c>), or 0
    /// if none. Covers the helpers whose map-type rules this runtime checks.
    /// </summary>
    public static int MapArgumentRegister(long helperId) => (HelperId)helperId switch
    {
        HelperId.MapLookupElem or HelperId.MapUpdateElem or HelperId.MapDeleteElem or HelperId.MapLookupPercpuElem
            or HelperId.PerfEventRead or HelperId.PerfEventReadValue or HelperId.CurrentTaskUnderCgroup
            or HelperId.MapPushElem or HelperId.MapPopElem or HelperId.MapPeekElem or HelperId.ForEachMapElem
            or HelperId.RedirectMap => 1,
        HelperId.TailCall or HelperId.PerfEventOutput or HelperId.SkbOutput or HelperId.XdpOutput
            or HelperId.SkbUnderCgroup or HelperId.GetStackid => 2,
        _ => 0,
    };

    /// <summary>
    /// The verifier's rules for passing <paramref name="map"/> to helper <paramref name="helperId"/>, in its order:
    /// <c>record_func_map</c> (no writes into a BPF_F_RDONLY_PROG map: EACCES), <c>record_func_key</c>
    /// (<c>bpf_tail_call</c> needs a PROG_ARRAY) and <c>check_map_func_compatibility</c> (each fd-array type only
    /// with its own helpers, and <c>bpf_map_lookup_percpu_elem</c> only with per-CPU maps: EINVAL).
    /// </summary>
    /// <param name="map">The map the argument register holds.</param>
    /// <param name="helperId">The helper called.</param>
    /// <param name="errno">The load error when the call is refused.</param>
    /// <param name="message">The verifier's message when the call is refused.</param>
    /// <returns>True if the call is allowed.</returns>
    public static bool CheckMapArgument(MapObject map, long helperId, out Errno errno, [NotNullWhen(false)] out string? message)
    {
        ArgumentNullException.ThrowIfNull(map);
        var id = (HelperId)helperId;
        errno = Errno.None;
        message = null;
        if ((map.MapFlags & (uint)MapFlags.BPF_F_RDONLY_PROG) != 0
            && id is HelperId.MapUpdateElem or HelperId.MapDeleteElem or HelperId.MapPushElem or HelperId.MapPopElem)
        {
            errno = Errno.EACCES;
            message = "write into map forbidden";
            return false;
        }

        if (id == HelperId.TailCall && map.Type != MapType.ProgArray)
        {
            errno = Errno.EINVAL;
            message = "expected prog array map for tail call";
            return false;
        }

        if (!MapSideAllows(map.Type, id) || !HelperSideAllows(id, map.Type))
        {
            errno = Errno.EINVAL;
            message = $"cannot pass map_type {(uint)map.Type} into func {HelperNames.Of(helperId)}#{helperId}";
            return false;
        }

        return true;
    }

    /// <summary>The map-type half of <c>check_map_func_compatibility</c>: fd arrays accept only their own helpers.</summary>
    private static bool MapSideAllows(MapType type, HelperId id) => type switch
    {
        MapType.ProgArray => id == HelperId.TailCall,
        MapType.PerfEventArray => id is HelperId.PerfEventRead or HelperId.PerfEventOutput or HelperId.SkbOutput
            or HelperId.PerfEventReadValue or HelperId.XdpOutput,
        MapType.CgroupArray => id is HelperId.SkbUnderCgroup or HelperId.CurrentTaskUnderCgroup,
        _ => true,
    };

    /// <summary>The helper half of <c>check_map_func_compatibility</c>: helpers that need one map type.</summary>
    private static bool HelperSideAllows(HelperId id, MapType type) => id switch
    {
        HelperId.TailCall => type == MapType.ProgArray,
        HelperId.PerfEventRead or HelperId.PerfEventOutput or HelperId.PerfEventReadValue or HelperId.SkbOutput
            or HelperId.XdpOutput => type == MapType.PerfEventArray,
        HelperId.SkbUnderCgroup or HelperId.CurrentTaskUnderCgroup => type == MapType.CgroupArray,
        HelperId.MapLookupPercpuElem => type is MapType.PerCpuArray or MapType.PerCpuHash or MapType.LruPerCpuHash,
        _ => true,
    };

    /// <summary>
    /// The map whose header address is <paramref name="r1"/>, if it is one of the running program's maps and the
    /// helper accepts its type; otherwise the run stops.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static MapObject ResolveMap(RunState state, ulong r1, HelperId id)
    {
        if (state.Program is { } program)
        {
            foreach (var map in program.MapArray)
            {
                if ((ulong)map.Header == r1)
                {
                    // A lookup in an array passes every rule; everything else takes the full check.
                    if ((id == HelperId.MapLookupElem && map.Type is MapType.Array or MapType.PerCpuArray)
                        || CheckMapArgument(map, (long)id, out _, out _))
                    {
                        return map;
                    }

                    ThrowIncompatible(state, map, id);
                }
            }
        }

        ThrowNotAMap(state, r1, id);
        return null;
    }

    /// <summary>Checks the key pointer against the run's regions and reads the 4-byte array index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ReadKey(RunState state, MapObject map, ulong key)
    {
        state.CheckAccess(key, map.KeySize, write: false);
        return Unsafe.ReadUnaligned<uint>((void*)key);
    }

    private static ulong Return(Errno err) => (ulong)-(long)err;

    [DoesNotReturn]
    private static void ThrowNotAMap(RunState state, ulong r1, HelperId id)
    {
        var pc = state.CurrentPc;
        throw new BpfRuntimeException(
            $"pc {pc}: {HelperNames.Of((long)id)}: r1 = 0x{r1:x} is not a map this program references",
            BpfRuntimeErrorKind.HelperFault, pc, r1);
    }

    [DoesNotReturn]
    private static void ThrowIncompatible(RunState state, MapObject map, HelperId id)
    {
        CheckMapArgument(map, (long)id, out _, out var message);
        var pc = state.CurrentPc;
        throw new BpfRuntimeException($"pc {pc}: {message} (map '{map.Name}')", BpfRuntimeErrorKind.HelperFault, pc);
    }
}
