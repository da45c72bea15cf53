using System.Diagnostics.CodeAnalysis;

namespace SharpBpf.Asm;

/// <summary>
/// Structural validation of a program (RFC 9669 plus the kernel's structural rules): known opcodes, zero
/// reserved fields, registers r0-r10, no writes to r10, well-formed <c>lddw</c>, jumps and calls inside the
/// program and not into the second half of an <c>lddw</c>, and no way to run past the end. It is a check only:
/// it does not track values or types (that is a verifier's job), and callers decode separately.
/// </summary>
public static class Validator
{
    /// <summary>Validates <paramref name="slots"/>.</summary>
    /// <exception cref="BpfValidationException">The program is malformed; the message names the pc and the instruction.</exception>
    public static void Validate(ReadOnlySpan<Instruction> slots, ValidationOptions? options = null)
    {
        var error = Check(slots, options ?? ValidationOptions.Default);
        if (error is not null)
            throw new BpfValidationException(error);
    }

    /// <summary>Validates <paramref name="slots"/> and returns the first error instead of throwing.</summary>
    /// <returns><see langword="true"/> if the program is well formed.</returns>
    public static bool TryValidate(ReadOnlySpan<Instruction> slots, [NotNullWhen(false)] out ValidationError? error, ValidationOptions? options = null)
    {
        error = Check(slots, options ?? ValidationOptions.Default);
        return error is null;
    }

    // How an instruction uses each field. A discriminating field (fixed by decoding) counts as used.
    private enum Use : byte { Zero, Read, Write, Any }

    private readonly record struct Fields(Use Dst, Use Src, bool Off, bool Imm);

    private static Fields FieldsOf(Op op) => op switch
    {
        Op.Neg64 or Op.Neg32 => new(Use.Write, Use.Zero, false, false),
        >= Op.Add64Imm and <= Op.Arsh32Reg when IsImmAlu(op) => new(Use.Write, Use.Zero, HasOffsetDiscriminator(op), true),
        >= Op.Add64Imm and <= Op.Arsh32Reg => new(Use.Write, Use.Read, HasOffsetDiscriminator(op), false),
        >= Op.MovSx8To64 and <= Op.MovSx16To32 => new(Use.Write, Use.Read, true, false),
        >= Op.Le16 and <= Op.Bswap64 => new(Use.Write, Use.Zero, false, true),
        Op.Lddw => new(Use.Write, Use.Any, false, true),
        >= Op.LdAbsB and <= Op.LdAbsDW => new(Use.Zero, Use.Zero, false, true),
        >= Op.LdIndB and <= Op.LdIndDW => new(Use.Zero, Use.Read, false, true),
        >= Op.LdxB and <= Op.LdxsW => new(Use.Write, Use.Read, true, false),
        >= Op.StB and <= Op.StDW => new(Use.Read, Use.Zero, true, true),
        >= Op.StxB and <= Op.StxDW => new(Use.Read, Use.Read, true, false),
        Op.AtomicFetchAdd32 or Op.AtomicFetchOr32 or Op.AtomicFetchAnd32 or Op.AtomicFetchXor32 or Op.AtomicXchg32
            or Op.AtomicFetchAdd64 or Op.AtomicFetchOr64 or Op.AtomicFetchAnd64 or Op.AtomicFetchXor64 or Op.AtomicXchg64
            => new(Use.Read, Use.Write, true, true),
        >= Op.AtomicAdd32 and <= Op.AtomicCmpXchg64 => new(Use.Read, Use.Read, true, true),
        Op.Ja => new(Use.Zero, Use.Zero, true, false),
        Op.Ja32 => new(Use.Zero, Use.Zero, false, true),
        >= Op.Jeq64Imm and <= Op.Jsle32Reg when IsImmJump(op) => new(Use.Read, Use.Zero, true, true),
        >= Op.Jeq64Imm and <= Op.Jsle32Reg => new(Use.Read, Use.Read, true, false),
        Op.Call or Op.CallLocal => new(Use.Zero, Use.Any, false, true),
        Op.CallKfunc => new(Use.Zero, Use.Any, true, true), // off selects the module BTF (fd_array index)
        Op.Callx => new(Use.Read, Use.Zero, false, false),
        Op.Exit => new(Use.Zero, Use.Zero, false, false),
        _ => new(Use.Any, Use.Any, true, true),
    };

    // In each ALU group of the Op enum the immediate form comes first, so imm/reg alternate (Add64Imm, Add64Reg, ...),
    // except Neg64 between the 64-bit and 32-bit groups.
    private static bool IsImmAlu(Op op) => op < Op.Neg64 ? (op - Op.Add64Imm) % 2 == 0 : (op - Op.Add32Imm) % 2 == 0;

    private static bool IsImmJump(Op op) => (op - Op.Jeq64Imm) % 2 == 0;

    private static bool HasOffsetDiscriminator(Op op) => OpEncoding.Of(op).Field == OpEncoding.Discriminator.Offset;

    private static ValidationError? Check(ReadOnlySpan<Instruction> slots, ValidationOptions options)
    {
        if (slots.IsEmpty)
            return new ValidationError(-1, ValidationErrorKind.EmptyProgram, "program has no instructions");
        if (slots.Length > options.MaxSlots)
        {
            return new ValidationError(-1, ValidationErrorKind.ProgramTooLarge,
                $"program has {slots.Length} slots, more than the limit of {options.MaxSlots}");
        }

        var program = Decoder.Decode(slots);
        // isStart[i]: slot i begins an instruction (false for the second half of an lddw).
        var isStart = new bool[slots.Length];
        foreach (var insn in program)
            isStart[insn.Pc] = true;

        foreach (var insn in program)
        {
            var error = CheckInstruction(insn, slots, isStart, options);
            if (error is not null)
                return error;
        }

        return CheckControlFlow(program, slots.Length, isStart, options);
    }

    private static ValidationError? CheckInstruction(in DecodedInstruction insn, ReadOnlySpan<Instruction> slots, bool[] isStart, ValidationOptions options)
    {
        var raw = slots[insn.Pc];
        var op = insn.Op;
        if (op == Op.Invalid)
            return Fail(insn, raw, ValidationErrorKind.UnknownOpcode, DescribeUnknown(raw));
        if (op is Op.LdAbsDW or Op.LdIndDW)
            return Fail(insn, raw, ValidationErrorKind.UnknownOpcode, $"unknown opcode 0x{raw.Opcode:x2} (legacy packet loads have no 64-bit size)");
        if (op == Op.Callx && !options.AllowCallx)
            return Fail(insn, raw, ValidationErrorKind.UnsupportedInstruction, "callx is not enabled");
        if (op == Op.CallKfunc && !options.AllowKfuncCalls)
            return Fail(insn, raw, ValidationErrorKind.UnsupportedInstruction, "kfunc calls are not enabled");
        if (op is >= Op.LdAbsB and <= Op.LdIndDW && !options.AllowLegacyPacketLoads)
            return Fail(insn, raw, ValidationErrorKind.UnsupportedInstruction, "legacy packet loads are not enabled");

        var fields = FieldsOf(op);
        var error = CheckRegister(insn, raw, "dst", raw.Dst, fields.Dst) ?? CheckRegister(insn, raw, "src", raw.Src, fields.Src);
        if (error is not null)
            return error;
        if (!fields.Off && raw.Offset != 0 && !(op == Op.Exit && !options.RequireZeroExitOffset))
        {
            // Linux accepts exit with a non-zero offset (FORMAT.md section 7); we follow the kernel unless asked not to.
            return Fail(insn, raw, ValidationErrorKind.ReservedFieldNotZero, $"reserved field off is {raw.Offset}, must be 0");
        }

        if (!fields.Imm && raw.Imm != 0)
            return Fail(insn, raw, ValidationErrorKind.ReservedFieldNotZero, $"reserved field imm is {raw.Imm}, must be 0");
        if (fields.Dst == Use.Write && raw.Dst == 10)
            return Fail(insn, raw, ValidationErrorKind.FramePointerWrite, "r10 is read-only");
        if (fields.Src == Use.Write && raw.Src == 10)
            return Fail(insn, raw, ValidationErrorKind.FramePointerWrite, "r10 is read-only (the atomic fetch writes src)");

        return op switch
        {
            Op.Lddw => CheckLddw(insn, slots, isStart),
            Op.Ja => CheckJump(insn, raw, insn.Offset, slots.Length, isStart),
            Op.Ja32 => CheckJump(insn, raw, insn.Imm32, slots.Length, isStart),
            >= Op.Jeq64Imm and <= Op.Jsle32Reg => CheckJump(insn, raw, insn.Offset, slots.Length, isStart),
            Op.CallLocal => CheckCallTarget(insn, raw, insn.Imm32, slots.Length, isStart, "local call"),
            Op.Call when options.HelperExists is { } exists && !exists(insn.Imm32) =>
                Fail(insn, raw, ValidationErrorKind.InvalidCallTarget, $"call to unknown helper {insn.Imm32}"),
            _ => null,
        };
    }

    private static ValidationError? CheckRegister(in DecodedInstruction insn, Instruction raw, string field, byte value, Use use)
    {
        if (use == Use.Zero && value != 0)
            return Fail(insn, raw, ValidationErrorKind.ReservedFieldNotZero, $"reserved field {field} is {value}, must be 0");
        if (use is Use.Read or Use.Write && value > 10)
            return Fail(insn, raw, ValidationErrorKind.InvalidRegister, $"invalid {field} register r{value} (registers are r0 to r10)");
        return null;
    }

    private static ValidationError? CheckLddw(in DecodedInstruction insn, ReadOnlySpan<Instruction> slots, bool[] isStart)
    {
        var raw = slots[insn.Pc];
        if (insn.Pc + 1 >= slots.Length)
            return Fail(insn, raw, ValidationErrorKind.TruncatedLddw, "lddw in the last slot has no second half");
        if (raw.Src > (int)PseudoKind.MapValueByIndex)
            return Fail(insn, raw, ValidationErrorKind.InvalidLddw, $"unknown lddw pseudo kind src {raw.Src} (must be 0 to 6)");
        var next = slots[insn.Pc + 1];
        if (next.Opcode != 0 || next.Registers != 0 || next.Offset != 0)
        {
            return new ValidationError(insn.Pc + 1, ValidationErrorKind.InvalidLddw,
                $"pc {insn.Pc + 1}: invalid second half of the lddw at pc {insn.Pc}: opcode, registers and off must be 0 in '{next}'");
        }

        // Linux refuses a second word on map-by-fd and map-by-index ("unrecognized bpf_ld_imm64 insn"); a code
        // address has none either.
        if (insn.Pseudo is PseudoKind.MapByFd or PseudoKind.MapByIndex or PseudoKind.CodeAddress && next.Imm != 0)
        {
            return new ValidationError(insn.Pc + 1, ValidationErrorKind.InvalidLddw,
                $"pc {insn.Pc + 1}: the second half of an lddw with src {raw.Src} must have imm 0, not {next.Imm}, in '{next}'");
        }

        return insn.Pseudo == PseudoKind.CodeAddress
            ? CheckCallTarget(insn, raw, insn.Imm32, slots.Length, isStart, "code address")
            : null;
    }

    private static ValidationError? CheckJump(in DecodedInstruction insn, Instruction raw, int offset, int length, bool[] isStart)
    {
        var target = (long)insn.Pc + 1 + offset;
        if (target < 0 || target >= length)
            return Fail(insn, raw, ValidationErrorKind.JumpOutOfRange, $"jump out of range (target {target}, program has {length} slots)");
        if (!isStart[target])
            return Fail(insn, raw, ValidationErrorKind.JumpIntoLddw, $"jump into the middle of an lddw (target {target})");
        return null;
    }

    private static ValidationError? CheckCallTarget(in DecodedInstruction insn, Instruction raw, int offset, int length, bool[] isStart, string what)
    {
        var target = (long)insn.Pc + 1 + offset;
        if (target < 0 || target >= length)
            return Fail(insn, raw, ValidationErrorKind.InvalidCallTarget, $"{what} target out of range (target {target}, program has {length} slots)");
        if (!isStart[target])
            return Fail(insn, raw, ValidationErrorKind.InvalidCallTarget, $"{what} target is the middle of an lddw (target {target})");
        return null;
    }

    private static ValidationError? CheckControlFlow(DecodedInstruction[] program, int length, bool[] isStart, ValidationOptions options)
    {
        // Function starts: 0, every local-call target and every lddw code address (as the kernel splits subprograms).
        var starts = new SortedSet<int> { 0 };
        if (options.CheckFunctions)
        {
            foreach (var insn in program)
            {
                if (insn.Op == Op.CallLocal || (insn.Op == Op.Lddw && insn.Pseudo == PseudoKind.CodeAddress))
                    starts.Add(insn.Pc + 1 + insn.Imm32);
            }
        }

        var startList = starts.ToArray();
        var function = 0;
        for (var i = 0; i < program.Length; i++)
        {
            var insn = program[i];
            while (function + 1 < startList.Length && insn.Pc >= startList[function + 1])
                function++;
            var begin = startList[function];
            var end = function + 1 < startList.Length ? startList[function + 1] : length;

            if (insn.Op is Op.Ja or Op.Ja32 or (>= Op.Jeq64Imm and <= Op.Jsle32Reg))
            {
                var target = (long)insn.Pc + 1 + (insn.Op == Op.Ja32 ? insn.Imm32 : insn.Offset);
                if (target < begin || target >= end)
                {
                    return Fail(insn, default, ValidationErrorKind.JumpOutOfFunction,
                        $"jump out of its function (target {target}, function spans pc {begin} to {end - 1})");
                }
            }

            var isLast = i + 1 == program.Length || program[i + 1].Pc >= end;
            if (isLast && insn.Op is not (Op.Exit or Op.Ja or Op.Ja32))
            {
                var what = end == length && begin == 0 ? "the program" : $"the function at pc {begin}";
                return Fail(insn, default, ValidationErrorKind.FallsOffEnd,
                    $"control can fall off the end of {what} (its last instruction must be exit or an unconditional jump)");
            }
        }

        return null;
    }

    private static ValidationError Fail(in DecodedInstruction insn, Instruction raw, ValidationErrorKind kind, string problem)
    {
        string text;
        if (insn.Op == Op.Invalid)
        {
            text = raw.ToString();
        }
        else
        {
            try
            {
                text = Disassembler.Format(insn);
            }
            catch (ArgumentException)
            {
                text = raw.ToString();
            }
        }

        return new ValidationError(insn.Pc, kind, $"pc {insn.Pc}: {problem} in '{text}'");
    }

    // Explains an Op.Invalid: either nothing uses the opcode, or the field that selects the operation has a bad value.
    private static string DescribeUnknown(Instruction raw)
    {
        var sharing = Enum.GetValues<Op>().Where(op => op != Op.Invalid && OpEncoding.OpcodeOf(op) == raw.Opcode).ToList();
        if (sharing.Count == 0)
            return $"unknown opcode 0x{raw.Opcode:x2}";
        var field = OpEncoding.Of(sharing[0]).Field;
        var (name, value) = field switch
        {
            OpEncoding.Discriminator.Offset => ("off", (long)raw.Offset),
            OpEncoding.Discriminator.Src => ("src", raw.Src),
            _ => ("imm", (long)raw.Imm),
        };
        var valid = string.Join(", ", sharing.Select(op => field == OpEncoding.Discriminator.Imm
            ? $"0x{OpEncoding.Of(op).Value:x}"
            : OpEncoding.Of(op).Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var shown = field == OpEncoding.Discriminator.Imm ? $"0x{value:x}" : value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"unknown instruction: opcode 0x{raw.Opcode:x2} with {name} {shown} (valid {name}: {valid})";
    }
}
