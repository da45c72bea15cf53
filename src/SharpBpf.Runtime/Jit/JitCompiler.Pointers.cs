using SharpBpf.Asm;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Interpreter;
using SharpBpf.Runtime.Maps;

namespace SharpBpf.Runtime.Jit;

/// <summary>
/// What the compiler knows about each register inside the current basic block, and the accesses that knowledge
/// proves in bounds so checked mode can leave their check out. The reasoning is local (reset at every leader) and
/// conservative: an access is left unchecked only when the region the interpreter would find for it is certain to
/// allow it, so checked code faults exactly where the interpreter does.
/// </summary>
internal sealed partial class JitCompiler
{
    private enum PointerKind : byte
    {
        /// <summary>Nothing known.</summary>
        Unknown,

        /// <summary>r10 + <see cref="KnownPointer.Offset"/>: the current frame (r10 is always its top).</summary>
        Frame,

        /// <summary>Exactly <see cref="KnownPointer.Value"/> (an <c>lddw</c>, e.g. a global-data value address).</summary>
        Constant,

        /// <summary>
        /// The start of one element of <see cref="KnownPointer.Map"/> plus <see cref="KnownPointer.Offset"/>: an
        /// inlined array lookup's result after its null check.
        /// </summary>
        Element,

        /// <summary>Like <see cref="Element"/> but possibly null: a lookup's result before its null check.</summary>
        NullableElement,
    }

    private readonly record struct KnownPointer(PointerKind Kind, long Offset = 0, ulong Value = 0, MapObject? Map = null);

    // Offsets stay small so sums cannot overflow; anything larger is simply not tracked.
    private const long MaxTrackedOffset = 1 << 20;

    private readonly KnownPointer[] _known = new KnownPointer[11];

    private void ForgetAll() => Array.Clear(_known);

    private KnownPointer Known(int reg) => reg == 10 ? new KnownPointer(PointerKind.Frame) : _known[reg];

    /// <summary>Updates the knowledge after instruction <paramref name="s"/> (<paramref name="lookup"/>: the map of an inlined lookup it was).</summary>
    private void Track(ref Slot s, MapObject? lookup)
    {
        var op = s.Op;
        if (op is Op.Call or Op.Callx or Op.CallLocal or Op.Exit)
        {
            for (var k = 0; k <= 5; k++)
                _known[k] = default;
            if (op == Op.CallLocal)
                ForgetAll();
            if (lookup is not null)
                _known[0] = new KnownPointer(PointerKind.NullableElement, Map: lookup);
            return;
        }

        // "if rX == 0 goto ..." falls through only when rX is not null.
        if (op == Op.Jeq64Imm && s.Imm == 0 && _known[s.Dst].Kind == PointerKind.NullableElement)
        {
            _known[s.Dst] = _known[s.Dst] with { Kind = PointerKind.Element };
            return;
        }

        if (IsStore(op) || ProgramBuilder.IsJump(op) || op is Op.Ja or Op.Ja32)
            return;
        if (IsAtomic(op))
        {
            _known[s.Src] = default;
            if (op is Op.AtomicCmpXchg32 or Op.AtomicCmpXchg64)
                _known[0] = default;
            return;
        }

        _known[s.Dst] = op switch
        {
            Op.Lddw => new KnownPointer(PointerKind.Constant, Value: (ulong)s.Imm),
            Op.Mov64Reg => Known(s.Src),
            Op.Add64Imm => Moved(_known[s.Dst], s.Imm),
            Op.Sub64Imm => Moved(_known[s.Dst], -s.Imm),
            _ => default,
        };
    }

    private static KnownPointer Moved(KnownPointer p, long delta)
    {
        if (Math.Abs(delta) >= MaxTrackedOffset)
            return default;
        return p.Kind switch
        {
            PointerKind.Frame or PointerKind.Element when Math.Abs(p.Offset + delta) < MaxTrackedOffset => p with { Offset = p.Offset + delta },
            PointerKind.Constant => p with { Value = p.Value + (ulong)delta },
            _ => default,
        };
    }

    /// <summary>True if an access of <paramref name="size"/> bytes at <paramref name="reg"/> + <paramref name="offset"/> is certainly allowed.</summary>
    private bool Proven(int reg, int offset, int size, MemoryAccess access)
    {
        var p = Known(reg);
        switch (p.Kind)
        {
            case PointerKind.Frame:
                // The stack region always covers the current frame, readable and writable.
                return p.Offset + offset >= -RunState.FrameSize && p.Offset + offset + size <= 0;
            case PointerKind.Element:
            {
                // Inside value_size of one element, in a region (the map's values) that lives as long as the program.
                var start = p.Offset + offset;
                return start >= 0 && start + size <= p.Map!.ValueSize && p.Map.ValueRegion.Allows(access);
            }

            case PointerKind.Constant:
            {
                var address = p.Value + (ulong)(long)offset;
                foreach (var region in _program.Regions)
                {
                    if (region.Contains(address, (ulong)size) && region.Allows(access))
                        return true;
                }

                return false;
            }

            default:
                return false;
        }
    }

    /// <summary>Like <see cref="Proven"/>, and the address is a multiple of <paramref name="size"/> (atomics).</summary>
    private bool ProvenAligned(int reg, int offset, int size)
    {
        if (!Proven(reg, offset, size, MemoryAccess.ReadWrite))
            return false;
        var p = Known(reg);
        return p.Kind switch
        {
            // Elements start at multiples of round_up(value_size, 8) from a 64-byte aligned base.
            PointerKind.Element => (p.Offset + offset) % size == 0,
            PointerKind.Constant => (p.Value + (ulong)(long)offset) % (ulong)size == 0,
            _ => false,
        };
    }
}
