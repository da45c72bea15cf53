using SharpBpf.Abi;
using SharpBpf.Asm;

namespace SharpBpf.Runtime.Contexts;

/// <summary>
/// The load-time context rewriting the kernel's verifier does with <c>convert_ctx_access</c>: finds every load and
/// store whose base register holds the context pointer, refuses the invalid ones as the kernel does (EACCES
/// <c>invalid bpf_context access off=N size=M</c>, <c>dereference of modified ctx ptr</c>, atomics on the
/// context) and rewrites the valid ones to the runtime's structure (a 32-bit load of <c>data</c> becomes a 64-bit
/// load of a real pointer).
/// </summary>
/// <remarks>
/// <para>
/// Which register holds the context is found by a forward data-flow analysis over every path, like the
/// verifier's register tracking but much smaller: a value is the context (<c>r1</c> at entry, copies of it, stack
/// spills and fills of it), a modified context pointer, a pointer into the current stack frame at a known offset
/// (to follow spills), or anything else. Subprograms get the join of their call sites' arguments; callbacks
/// (<c>lddw src=4</c> targets) get nothing. An access whose base is the context on some paths and not on others
/// is refused (EINVAL, the kernel's <c>same insn cannot be used with different pointers</c>).
/// </para>
/// <para>
/// Every access is still bounds-checked at run time, so an access this analysis cannot see (a context pointer
/// laundered through a map) stays memory-safe; it merely reads the runtime structure unconverted.
/// </para>
/// </remarks>
internal static class ContextRewriter
{
    // Abstract values of a register (stack slots use the first five).
    private const short Unreached = 0;
    private const short Other = 1;
    private const short Ctx = 2;
    private const short CtxModified = 3;
    private const short MaybeCtx = 4;
    private const short StackBase = 16; // StackBase + StackBias + offset: a pointer into this frame's stack
    private const int StackBias = 4096;
    private const int Registers = 11;
    private const int StackSlots = 64; // 512 bytes of 8-byte slots per frame

    /// <summary>
    /// Checks and rewrites the context accesses of <paramref name="slots"/> for programs of
    /// <paramref name="type"/>. <paramref name="rewritten"/> is the input itself when nothing changed.
    /// </summary>
    public static Errno Rewrite(ProgramType type, uint expectedAttachType, ReadOnlyMemory<Instruction> slots,
        out ReadOnlyMemory<Instruction> rewritten, out string log)
    {
        rewritten = slots;
        log = "";
        var layout = ContextLayout.For(type, expectedAttachType);
        if (layout is null)
            return Errno.None;
        var code = Decoder.Decode(slots.Span);
        if (code.Length == 0)
            return Errno.None;
        var analysis = new Analysis(code);
        if (!analysis.Run(out log))
            return Errno.EINVAL;

        Instruction[]? copy = null;
        for (var i = 0; i < code.Length; i++)
        {
            var insn = code[i];
            if (!IsMemoryAccess(insn, out var baseReg, out var size, out var write, out var atomic))
                continue;
            var value = analysis.RegisterIn(i, baseReg);
            if (value is Unreached or Other || value >= StackBase)
                continue;
            var text = $"{insn.Pc}: ({slots.Span[insn.Pc].Opcode:x2}) {Disassembler.Format(insn)}\n";
            if (value == MaybeCtx)
            {
                log = text + "same insn cannot be used with different pointers\n";
                return Errno.EINVAL;
            }

            if (value == CtxModified)
            {
                log = text + $"dereference of modified ctx ptr R{baseReg} off={analysis.ModifiedOffset(i, baseReg)} disallowed\n";
                return Errno.EACCES;
            }

            if (atomic)
            {
                log = text + $"BPF_ATOMIC stores into R{baseReg} ctx is not allowed\n";
                return Errno.EACCES;
            }

            if (!layout.TryConvert(insn.Offset, size, write, out var offset, out var newSize))
            {
                log = text + $"invalid bpf_context access off={insn.Offset} size={size}\n";
                return Errno.EACCES;
            }

            if (offset == insn.Offset && newSize == size)
                continue;
            copy ??= slots.ToArray();
            var old = copy[insn.Pc];
            copy[insn.Pc] = old with { Opcode = (byte)((old.Opcode & ~0x18) | SizeBits(newSize)), Offset = (short)offset };
        }

        if (copy is not null)
            rewritten = copy;
        return Errno.None;
    }

    private static int SizeBits(int size) => size switch
    {
        1 => 0x10,
        2 => 0x08,
        4 => 0x00,
        _ => 0x18,
    };

    /// <summary>The base register, size and direction of a load, store or atomic.</summary>
    private static bool IsMemoryAccess(in DecodedInstruction insn, out int baseReg, out int size, out bool write, out bool atomic)
    {
        var op = insn.Op;
        baseReg = -1;
        write = false;
        atomic = false;
        size = op switch
        {
            Op.LdxB or Op.LdxsB or Op.StB or Op.StxB => 1,
            Op.LdxH or Op.LdxsH or Op.StH or Op.StxH => 2,
            Op.LdxW or Op.LdxsW or Op.StW or Op.StxW => 4,
            Op.LdxDW or Op.StDW or Op.StxDW => 8,
            >= Op.AtomicAdd32 and <= Op.AtomicCmpXchg64 => op >= Op.AtomicAdd64 ? 8 : 4,
            _ => 0,
        };
        if (size == 0)
            return false;
        atomic = op is >= Op.AtomicAdd32 and <= Op.AtomicCmpXchg64;
        write = atomic || op is >= Op.StB and <= Op.StxDW;
        baseReg = write ? insn.Dst : insn.Src;
        return baseReg < Registers;
    }

    /// <summary>The forward data-flow analysis of which registers and stack slots hold the context.</summary>
    private sealed class Analysis
    {
        private readonly DecodedInstruction[] _code;
        private readonly Dictionary<int, int> _indexOfPc = [];
        private readonly short[] _regs;
        private readonly byte[] _stack;
        private readonly bool[] _reached;
        private readonly short[] _modifiedOffset;

        public Analysis(DecodedInstruction[] code)
        {
            _code = code;
            for (var i = 0; i < code.Length; i++)
                _indexOfPc[code[i].Pc] = i;
            _regs = new short[code.Length * Registers];
            _stack = new byte[code.Length * StackSlots];
            _reached = new bool[code.Length];
            _modifiedOffset = new short[code.Length * Registers];
        }

        public short RegisterIn(int index, int reg) => _reached[index] ? _regs[(index * Registers) + reg] : Unreached;

        public int ModifiedOffset(int index, int reg) => _modifiedOffset[(index * Registers) + reg];

        public bool Run(out string log)
        {
            log = "";
            var work = new Stack<int>();
            var regs = new short[Registers];
            var stack = new byte[StackSlots];
            var offsets = new short[Registers];

            // The main function: r1 is the context.
            Array.Fill(regs, Other);
            regs[1] = Ctx;
            regs[10] = (short)(StackBase + StackBias);
            Array.Fill(stack, (byte)Other);
            Merge(0, regs, stack, offsets, work);

            // Callbacks (lddw src=4) start with nothing known.
            foreach (var insn in _code)
            {
                if (insn.Op == Op.Lddw && insn.Pseudo == PseudoKind.CodeAddress
                    && _indexOfPc.TryGetValue(insn.Pc + 1 + insn.Imm32, out var target))
                {
                    Array.Fill(regs, Other);
                    regs[10] = (short)(StackBase + StackBias);
                    Array.Fill(offsets, (short)0);
                    Merge(target, regs, stack, offsets, work);
                }
            }

            while (work.Count > 0)
            {
                var i = work.Pop();
                Array.Copy(_regs, i * Registers, regs, 0, Registers);
                Array.Copy(_stack, i * StackSlots, stack, 0, StackSlots);
                Array.Copy(_modifiedOffset, i * Registers, offsets, 0, Registers);
                if (!Step(i, regs, stack, offsets, work, out log))
                    return false;
            }

            return true;
        }

        private bool Step(int i, short[] regs, byte[] stack, short[] offsets, Stack<int> work, out string log)
        {
            log = "";
            var insn = _code[i];
            var op = insn.Op;
            var dst = insn.Dst & 0xf;
            var src = insn.Src & 0xf;
            if (dst >= Registers || (src >= Registers && op != Op.Lddw && op != Op.Call))
                return true; // the validator refuses these; nothing to track
            int? jumpTarget = null;
            var fallsThrough = true;
            switch (op)
            {
                case Op.Mov64Reg:
                    regs[dst] = regs[src];
                    offsets[dst] = offsets[src];
                    break;
                case Op.Add64Imm or Op.Sub64Imm:
                {
                    var delta = op == Op.Add64Imm ? insn.Imm : -insn.Imm;
                    regs[dst] = Adjust(regs[dst], delta, ref offsets[dst]);
                    break;
                }

                case Op.Lddw:
                    regs[dst] = Other;
                    break;
                case >= Op.LdxB and <= Op.LdxsW:
                {
                    var size = SizeOf(op);
                    var value = (short)Other;
                    if (regs[src] >= StackBase && size == 8)
                    {
                        var slot = SlotOf(regs[src], insn.Offset);
                        if (slot >= 0)
                            value = stack[slot];
                    }

                    regs[dst] = value;
                    offsets[dst] = 0;
                    break;
                }

                case >= Op.StB and <= Op.StxDW:
                {
                    if (regs[dst] >= StackBase)
                    {
                        var size = SizeOf(op);
                        var stored = op is >= Op.StxB and <= Op.StxDW ? regs[src] : Other;
                        StoreToStack(stack, regs[dst], insn.Offset, size, stored);
                    }

                    break;
                }

                case >= Op.AtomicAdd32 and <= Op.AtomicCmpXchg64:
                    if (regs[dst] >= StackBase)
                        StoreToStack(stack, regs[dst], insn.Offset, op >= Op.AtomicAdd64 ? 8 : 4, Other);
                    regs[src] = Other;
                    regs[0] = Other;
                    break;
                case Op.Call or Op.Callx or Op.CallKfunc:
                    for (var r = 0; r <= 5; r++)
                        regs[r] = Other;
                    break;
                case Op.CallLocal:
                {
                    if (_indexOfPc.TryGetValue(insn.Pc + 1 + insn.Imm32, out var callee))
                    {
                        var entry = new short[Registers];
                        var entryOffsets = new short[Registers];
                        Array.Fill(entry, Other);
                        for (var r = 1; r <= 5; r++)
                        {
                            // A pointer into the caller's frame is not one into the callee's.
                            entry[r] = regs[r] >= StackBase ? Other : regs[r];
                            entryOffsets[r] = offsets[r];
                        }

                        entry[10] = (short)(StackBase + StackBias);
                        var entryStack = new byte[StackSlots];
                        Array.Fill(entryStack, (byte)Other);
                        Merge(callee, entry, entryStack, entryOffsets, work);
                    }

                    for (var r = 0; r <= 5; r++)
                        regs[r] = Other;
                    break;
                }

                case Op.Exit:
                    fallsThrough = false;
                    break;
                case Op.Ja:
                    fallsThrough = false;
                    jumpTarget = insn.Pc + 1 + insn.Offset;
                    break;
                case Op.Ja32:
                    fallsThrough = false;
                    jumpTarget = insn.Pc + 1 + insn.Imm32;
                    break;
                default:
                    if (Interpreter.ProgramBuilder.IsJump(op))
                    {
                        jumpTarget = insn.Pc + 1 + insn.Offset;
                    }
                    else if (regs[dst] is Ctx or CtxModified or MaybeCtx)
                    {
                        // Any other arithmetic on the context pointer leaves something that is no context.
                        regs[dst] = CtxModified;
                    }
                    else
                    {
                        regs[dst] = Other;
                    }

                    break;
            }

            if (fallsThrough && i + 1 < _code.Length)
                Merge(i + 1, regs, stack, offsets, work);
            if (jumpTarget is { } target && _indexOfPc.TryGetValue(target, out var targetIndex))
                Merge(targetIndex, regs, stack, offsets, work);
            return true;
        }

        private static short Adjust(short value, long delta, ref short offset)
        {
            if (value >= StackBase)
            {
                var next = value - StackBase - StackBias + delta;
                return next is > -StackBias and < StackBias ? (short)(StackBase + StackBias + next) : Other;
            }

            if (value is Ctx or CtxModified)
            {
                var total = offset + delta;
                offset = (short)Math.Clamp(total, short.MinValue, short.MaxValue);
                return total == 0 ? Ctx : CtxModified;
            }

            return value;
        }

        private static int SlotOf(short stackPointer, int offset)
        {
            var address = stackPointer - StackBase - StackBias + offset; // relative to r10
            if (address < -StackSlots * 8 || address >= 0 || address % 8 != 0)
                return -1;
            return (address + (StackSlots * 8)) / 8;
        }

        private static void StoreToStack(byte[] stack, short stackPointer, int offset, int size, short value)
        {
            var address = stackPointer - StackBase - StackBias + offset;
            if (size == 8 && SlotOf(stackPointer, offset) is var slot and >= 0)
            {
                stack[slot] = (byte)(value is Ctx or CtxModified or MaybeCtx ? value : Other);
                return;
            }

            for (var a = address; a < address + size; a++)
            {
                var s = a - (a % 8 + 8) % 8; // round down to a multiple of 8
                var index = (s + (StackSlots * 8)) / 8;
                if ((uint)index < StackSlots)
                    stack[index] = (byte)Other;
            }
        }

        private static int SizeOf(Op op) => op switch
        {
            Op.LdxB or Op.LdxsB or Op.StB or Op.StxB => 1,
            Op.LdxH or Op.LdxsH or Op.StH or Op.StxH => 2,
            Op.LdxW or Op.LdxsW or Op.StW or Op.StxW => 4,
            _ => 8,
        };

        private void Merge(int index, short[] regs, byte[] stack, short[] offsets, Stack<int> work)
        {
            var baseReg = index * Registers;
            var baseSlot = index * StackSlots;
            if (!_reached[index])
            {
                _reached[index] = true;
                Array.Copy(regs, 0, _regs, baseReg, Registers);
                Array.Copy(stack, 0, _stack, baseSlot, StackSlots);
                Array.Copy(offsets, 0, _modifiedOffset, baseReg, Registers);
                work.Push(index);
                return;
            }

            var changed = false;
            for (var r = 0; r < Registers; r++)
            {
                var joined = Join(_regs[baseReg + r], regs[r]);
                if (joined != _regs[baseReg + r])
                {
                    _regs[baseReg + r] = joined;
                    changed = true;
                }
            }

            for (var s = 0; s < StackSlots; s++)
            {
                var joined = (byte)Join(_stack[baseSlot + s], stack[s]);
                if (joined != _stack[baseSlot + s])
                {
                    _stack[baseSlot + s] = joined;
                    changed = true;
                }
            }

            if (changed)
                work.Push(index);
        }

        private static short Join(short a, short b)
        {
            if (a == b || b == Unreached)
                return a;
            if (a == Unreached)
                return b;
            if (a is Ctx or CtxModified or MaybeCtx || b is Ctx or CtxModified or MaybeCtx)
                return MaybeCtx;
            return Other;
        }
    }
}
