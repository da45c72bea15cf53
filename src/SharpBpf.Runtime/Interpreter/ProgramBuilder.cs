using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Runtime.Helpers;
using SharpBpf.Runtime.Programs;

namespace SharpBpf.Runtime.Interpreter;

/// <summary>
/// Turns decoded instructions into the interpreter's <see cref="Slot"/> array, resolving everything once: jump
/// and call targets become absolute indices, helper ids become function pointers, <c>lddw</c> values are resolved.
/// Refuses what cannot be run. The checks here are the ones the interpreter's memory safety relies on (targets
/// inside the program, never into an <c>lddw</c>'s second half, a sentinel past the end); precise structural
/// diagnostics are the validator's job.
/// </summary>
internal static class ProgramBuilder
{
    /// <summary>Builds the slot array (one slot per logical instruction, plus a trailing sentinel).</summary>
    public static unsafe Slot[] Build(ReadOnlySpan<Instruction> slots, DecodedInstruction[] decoded,
        HelperTable helpers, LddwResolver? resolver)
    {
        // slot index -> logical index; -1 for the second half of an lddw.
        var indexOfSlot = new int[slots.Length];
        indexOfSlot.AsSpan().Fill(-1);
        for (var i = 0; i < decoded.Length; i++)
            indexOfSlot[decoded[i].Pc] = i;

        var code = new Slot[decoded.Length + 1];
        var callbacks = new List<int>();
        for (var i = 0; i < decoded.Length; i++)
        {
            var insn = decoded[i];
            ref var slot = ref code[i];
            slot.Op = insn.Op;
            slot.Dst = insn.Dst;
            slot.Src = insn.Src;
            slot.A = insn.Offset;
            slot.Imm = insn.Imm;
            if (insn.Dst > 10)
                throw Reject(insn, $"invalid destination register r{insn.Dst}");
            if (insn.Op != Op.Lddw && insn.Src > 10)
                throw Reject(insn, $"invalid source register r{insn.Src}");
            switch (insn.Op)
            {
                case Op.Invalid:
                    throw Reject(insn, $"unknown opcode 0x{slots[insn.Pc].Opcode:x2}");
                case Op.Lddw:
                    if (insn.Pc + 1 >= slots.Length)
                        throw Reject(insn, "incomplete lddw (the second slot is missing)");
                    if (slots[insn.Pc + 1] is { Opcode: not 0 } or { Registers: not 0 } or { Offset: not 0 })
                        throw new BpfProgramException($"pc {insn.Pc + 1}: invalid second half of the lddw at pc {insn.Pc}", insn.Pc + 1);
                    if (insn.Pseudo == PseudoKind.CodeAddress)
                    {
                        // A callback's address (bpf_loop): a token naming its first instruction, and a function start.
                        var target = Target(insn, insn.Imm32, slots.Length, indexOfSlot, "callback address");
                        callbacks.Add(target);
                        slot.Imm = (long)CallbackAddress.Encode(target);
                    }
                    else
                    {
                        slot.Imm = (long)ResolveLddw(insn, resolver);
                    }

                    break;
                case Op.LdAbsB or Op.LdAbsH or Op.LdAbsW or Op.LdAbsDW
                    or Op.LdIndB or Op.LdIndH or Op.LdIndW or Op.LdIndDW:
                    throw Reject(insn, "legacy packet access (ld_abs/ld_ind) is not supported");
                case Op.CallKfunc:
                    throw Reject(insn, $"kfunc calls are not supported (call to BTF id {insn.Imm32})");
                case Op.Call:
                {
                    var fn = helpers.Lookup(insn.Imm32);
                    if (fn == 0)
                        throw Reject(insn, $"unknown helper {insn.Imm32} ({HelperNames.Of(insn.Imm32)})");
                    slot.Imm = fn;
                    slot.A = insn.Pc; // named in faults the helper reports
                    break;
                }

                case Op.Callx:
                    slot.A = insn.Pc;
                    break;

                case Op.CallLocal:
                    slot.A = Target(insn, insn.Imm32, slots.Length, indexOfSlot, "call");
                    break;
                case Op.Ja32:
                    slot.A = Target(insn, insn.Imm32, slots.Length, indexOfSlot, "jump");
                    break;
                case Op.Lsh64Imm or Op.Rsh64Imm or Op.Arsh64Imm:
                    slot.Imm = insn.Imm & 63;
                    break;
                case Op.Lsh32Imm or Op.Rsh32Imm or Op.Arsh32Imm:
                    slot.Imm = insn.Imm & 31;
                    break;
                default:
                    if (IsJump(insn.Op))
                        slot.A = Target(insn, insn.Offset, slots.Length, indexOfSlot, "jump");
                    break;
            }
        }

        // Running past the last instruction lands here and stops the run instead of reading past the array.
        code[decoded.Length].Op = Op.Invalid;
        CheckFunctions(decoded, code, callbacks);
        return code;
    }

    private static readonly bool[] s_isOffsetJump = BuildJumpTable();

    /// <summary>True for <c>ja</c> and the conditional jumps (whose target is in the offset field).</summary>
    internal static bool IsJump(Op op) => s_isOffsetJump[(int)op];

    private static bool[] BuildJumpTable()
    {
        var ops = Enum.GetValues<Op>();
        var table = new bool[ops.Max(o => (int)o) + 1];
        foreach (var op in ops)
        {
            // JMP (5) and JMP32 (6) classes, minus calls, exit and ja32 (whose target is in imm).
            var cls = op == Op.Invalid ? -1 : OpEncoding.OpcodeOf(op) & 7;
            table[(int)op] = cls is 5 or 6 && op is not (Op.Call or Op.CallLocal or Op.CallKfunc or Op.Callx
                or Op.Exit or Op.Ja32);
        }

        return table;
    }

    private static int Target(in DecodedInstruction insn, int relative, int slotCount, int[] indexOfSlot, string what)
    {
        var target = (long)insn.Pc + 1 + relative;
        if (target < 0 || target >= slotCount)
            throw Reject(insn, $"{what} out of range (to pc {target}, program has {slotCount} slots)");
        var index = indexOfSlot[target];
        if (index < 0)
            throw Reject(insn, $"{what} into the middle of the lddw at pc {target - 1}");
        return index;
    }

    private static ulong ResolveLddw(in DecodedInstruction insn, LddwResolver? resolver)
    {
        switch (insn.Pseudo)
        {
            case PseudoKind.None:
                return (ulong)insn.Imm;
            case PseudoKind.MapByFd or PseudoKind.MapValueByFd or PseudoKind.MapByIndex or PseudoKind.MapValueByIndex:
                if (resolver is null)
                    throw Reject(insn, $"lddw src={insn.Src} ({insn.Pseudo}) refers to a map, but no map resolver was given");
                try
                {
                    return resolver(insn);
                }
                catch (Exception e) when (e is not BpfProgramException)
                {
                    throw new BpfProgramException($"pc {insn.Pc}: cannot resolve lddw src={insn.Src} imm={insn.Imm32}: {e.Message}", insn.Pc);
                }

            case PseudoKind.Variable:
                throw Reject(insn, "lddw src=3 (BTF variable) is not supported");
            default:
                throw Reject(insn, $"invalid lddw src {insn.Src}");
        }
    }

    /// <summary>
    /// The kernel's rules for bpf-to-bpf functions (every local call target starts one): each function ends with
    /// <c>exit</c> or an unconditional jump, and no jump leaves its function.
    /// </summary>
    private static void CheckFunctions(DecodedInstruction[] decoded, Slot[] code, List<int> callbacks)
    {
        var starts = new SortedSet<int>(callbacks) { 0 };
        for (var i = 0; i < decoded.Length; i++)
        {
            if (decoded[i].Op == Op.CallLocal)
                starts.Add(code[i].A);
        }

        var bounds = starts.ToArray();
        for (var f = 0; f < bounds.Length; f++)
        {
            var start = bounds[f];
            var end = f + 1 < bounds.Length ? bounds[f + 1] : decoded.Length;
            var last = decoded[end - 1];
            if (last.Op is not (Op.Exit or Op.Ja or Op.Ja32))
            {
                throw Reject(last, start == 0 && end == decoded.Length
                    ? "the program does not end with exit or an unconditional jump"
                    : $"the function at pc {decoded[start].Pc} does not end with exit or an unconditional jump");
            }

            for (var i = start; i < end; i++)
            {
                var op = decoded[i].Op;
                if ((IsJump(op) || op == Op.Ja32) && (code[i].A < start || code[i].A >= end))
                {
                    throw Reject(decoded[i],
                        $"jump to pc {decoded[code[i].A].Pc} leaves the function at pc {decoded[start].Pc}");
                }
            }
        }
    }

    private static BpfProgramException Reject(in DecodedInstruction insn, string message) =>
        new($"pc {insn.Pc}: {message}", insn.Pc);
}
