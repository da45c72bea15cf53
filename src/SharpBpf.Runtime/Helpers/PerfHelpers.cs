using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using SharpBpf.Abi;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Maps;

namespace SharpBpf.Runtime.Helpers;

/// <summary>
/// The PERF_EVENT_ARRAY helpers (spec E.1): <c>bpf_perf_event_output</c> (25), <c>bpf_perf_event_read</c> (22) and
/// <c>bpf_perf_event_read_value</c> (55), with the kernel's return values.
/// </summary>
/// <remarks>
/// A slot is read lock-free; the helper then takes a reference on the event for the duration of the call (an event
/// whose last reference went concurrently counts as an empty slot), so the ring cannot be freed under the writer.
/// </remarks>
public static unsafe class PerfHelpers
{
    /// <summary><c>BPF_F_INDEX_MASK</c>: the low 32 bits of the flags select the slot.</summary>
    public const ulong IndexMask = 0xffff_ffffUL;

    /// <summary><c>BPF_F_CURRENT_CPU</c>: the slot of the CPU the program runs on.</summary>
    public const ulong CurrentCpu = IndexMask;

    /// <summary><c>BPF_F_CTXLEN_MASK</c>: bytes of the packet to append to the sample (skb and XDP programs).</summary>
    public const ulong ContextLengthMask = 0xfffffUL << 32;

    /// <summary>sizeof(struct bpf_perf_event_value).</summary>
    public const int PerfEventValueSize = 24;

    /// <summary>Registers the helpers of this class into <paramref name="table"/>.</summary>
    public static void Register(HelperTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Register(HelperId.PerfEventOutput, &PerfEventOutput);
        table.Register(HelperId.PerfEventRead, &PerfEventRead);
        table.Register(HelperId.PerfEventReadValue, &PerfEventReadValue);
    }

    /// <summary>
    /// <c>long bpf_perf_event_output(ctx, map, flags, data, size)</c>: 0, or -EINVAL (bad flags, not an output event),
    /// -E2BIG (index out of range), -ENOENT (empty slot), -EOPNOTSUPP (event of another CPU or thread), -ENOSPC (ring
    /// full; counted as lost), -EFAULT (more context bytes asked than the packet has).
    /// </summary>
    public static ulong PerfEventOutput(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        ArgumentNullException.ThrowIfNull(state);
        var map = ResolveArray<PerfEventArrayMapObject>(state, r2, HelperId.PerfEventOutput);
        var flags = r3;
        var packet = state.PacketRegion;
        var ctxLength = (flags & ContextLengthMask) >> 32;

        // Context capture exists only for packet programs (bpf_skb/xdp_event_output); elsewhere those bits are EINVAL.
        if ((flags & ~(IndexMask | ContextLengthMask)) != 0 || (ctxLength != 0 && packet.Length == 0))
            return Return(Errno.EINVAL);
        state.CheckAccess(r4, r5, write: false);
        if (ctxLength > packet.Length)
            return Return(Errno.EFAULT);

        var err = Lookup(state, map, flags, out var ev);
        if (err != Errno.None)
            return Return(err);
        try
        {
            var data = new ReadOnlySpan<byte>((void*)r4, (int)Math.Min(r5, int.MaxValue));
            var ctx = new ReadOnlySpan<byte>((void*)packet.Start, (int)ctxLength);
            return Return(ev!.OutputFrom(state.Cpu, Environment.CurrentManagedThreadId, data, ctx));
        }
        finally
        {
            ev!.Release();
        }
    }

    /// <summary>
    /// <c>u64 bpf_perf_event_read(map, flags)</c>: the counter value, or a negative errno: -EINVAL (bits above the
    /// index, event of another CPU or thread), -E2BIG, -ENOENT, -EOPNOTSUPP (inherited event).
    /// </summary>
    public static ulong PerfEventRead(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        ArgumentNullException.ThrowIfNull(state);
        var map = ResolveArray<PerfEventArrayMapObject>(state, r1, HelperId.PerfEventRead);
        var err = ReadValue(state, map, r2, out var value);
        return err == Errno.None ? value.Counter : Return(err);
    }

    /// <summary>
    /// <c>long bpf_perf_event_read_value(map, flags, buf, size)</c>: fills <c>struct bpf_perf_event_value</c>
    /// {counter, enabled, running} and returns 0; on error returns the errno of <see cref="PerfEventRead"/> and
    /// zeroes the buffer; a size other than 24 is -EINVAL.
    /// </summary>
    public static ulong PerfEventReadValue(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        ArgumentNullException.ThrowIfNull(state);
        var map = ResolveArray<PerfEventArrayMapObject>(state, r1, HelperId.PerfEventReadValue);
        state.CheckAccess(r3, r4, write: true);
        var buffer = new Span<byte>((void*)r3, (int)Math.Min(r4, int.MaxValue));
        var value = default(SharpBpf.Perf.PerfCounterValue);
        var err = r4 != PerfEventValueSize ? Errno.EINVAL : ReadValue(state, map, r2, out value);
        if (err != Errno.None)
        {
            buffer.Clear();
            return Return(err);
        }

        Unsafe.WriteUnaligned((void*)r3, value.Counter);
        Unsafe.WriteUnaligned((void*)(r3 + 8), value.Enabled);
        Unsafe.WriteUnaligned((void*)(r3 + 16), value.Running);
        return 0;
    }

    /// <summary>
    /// The map whose header address is <paramref name="header"/> among the running program's maps, as
    /// <typeparamref name="TMap"/>; anything else stops the run.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TMap ResolveArray<TMap>(RunState state, ulong header, HelperId id)
        where TMap : FdArrayMapObject
    {
        if (state.Program is { } program)
        {
            foreach (var map in program.MapArray)
            {
                if ((ulong)map.Header == header)
                {
                    if (map is TMap typed)
                        return typed;
                    ThrowWrongType(state, map, id);
                }
            }
        }

        ThrowNotAMap(state, header, id);
        return null;
    }

    internal static ulong Return(Errno err) => (ulong)-(long)err;

    private static Errno ReadValue(RunState state, PerfEventArrayMapObject map, ulong flags, out SharpBpf.Perf.PerfCounterValue value)
    {
        value = default;
        if ((flags & ~IndexMask) != 0)
            return Errno.EINVAL;
        var err = Lookup(state, map, flags, out var ev);
        if (err != Errno.None)
            return err;
        try
        {
            return ev!.ReadLocal(state.Cpu, Environment.CurrentManagedThreadId, out value);
        }
        finally
        {
            ev!.Release();
        }
    }

    // The slot named by the low 32 bits of flags (BPF_F_CURRENT_CPU: this CPU's), with a reference taken.
    private static Errno Lookup(RunState state, PerfEventArrayMapObject map, ulong flags, out Perf.PerfEvent? ev)
    {
        ev = null;
        var index = flags & IndexMask;
        if (index == CurrentCpu)
            index = (uint)state.Cpu;
        if (index >= map.MaxEntries)
            return Errno.E2BIG;
        var candidate = map.GetEvent((uint)index);
        if (candidate is null || !candidate.TryAddRef())
            return Errno.ENOENT;
        ev = candidate;
        return Errno.None;
    }

    [DoesNotReturn]
    private static void ThrowWrongType(RunState state, MapObject map, HelperId id)
    {
        var pc = state.CurrentPc;
        throw new BpfRuntimeException(
            $"pc {pc}: cannot pass map_type {(uint)map.Type} into func {HelperNames.Of((long)id)}#{(int)id} (map '{map.Name}')",
            BpfRuntimeErrorKind.HelperFault, pc);
    }

    [DoesNotReturn]
    private static void ThrowNotAMap(RunState state, ulong header, HelperId id)
    {
        var pc = state.CurrentPc;
        throw new BpfRuntimeException(
            $"pc {pc}: {HelperNames.Of((long)id)}: 0x{header:x} is not a map this program references",
            BpfRuntimeErrorKind.HelperFault, pc, header);
    }
}
