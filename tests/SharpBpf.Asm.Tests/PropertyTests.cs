using CsCheck;

namespace SharpBpf.Asm.Tests;

/// <summary>
/// Robustness and round-trip properties (CsCheck). Documented failures: <see cref="Instruction.FromBytes"/> throws
/// <see cref="ArgumentException"/> for a length that is not a multiple of 8, <see cref="Validator.Validate"/> throws
/// <see cref="BpfValidationException"/>, the assemblers and the test-file parser throw <see cref="BpfAssemblyException"/>.
/// Nothing else may escape.
/// </summary>
public class PropertyTests
{
    private const int Iterations = 2000;

    [Fact]
    public void RandomBytes_DecodeValidateFormat_FailOnlyAsDocumented()
    {
        Gen.Byte.Array[0, 160].Sample(bytes =>
        {
            Instruction[] slots;
            try
            {
                slots = Instruction.FromBytes(bytes);
            }
            catch (ArgumentException)
            {
                Assert.NotEqual(0, bytes.Length % 8);
                return;
            }

            CheckEverything(slots);
        }, iter: Iterations);
    }

    [Fact]
    public void NearValidSlots_DecodeValidateFormat_FailOnlyAsDocumented()
    {
        ProgramGen.NearValid.Sample(CheckEverything, iter: Iterations * 5);
    }

    [Fact]
    public void NearValidSlots_SomeAreValid_SoTheRoundTripBranchIsExercised()
    {
        // Guards the property above: if the generator never produced a valid program it would test little.
        var valid = 0;
        ProgramGen.NearValid.Sample(slots =>
        {
            if (Validator.TryValidate(slots, out _))
                Interlocked.Increment(ref valid);
        }, iter: Iterations);

        Assert.True(valid > 20, $"only {valid} valid programs");
    }

    [Fact]
    public void ValidPrograms_Validate()
    {
        ProgramGen.Valid.Sample(program =>
        {
            Assert.True(Validator.TryValidate(program, out var error, new ValidationOptions { RequireZeroExitOffset = true }), error?.Message);
        }, iter: Iterations);
    }

    [Fact]
    public void ValidPrograms_EncodeOfDecode_IsIdentity()
    {
        ProgramGen.Valid.Sample(program => SlotAssert.Equal(program, Encoder.Encode(Decoder.Decode(program)), "encode(decode(x))"), iter: Iterations);
    }

    [Fact]
    public void ValidPrograms_KernelSyntax_RoundTrips()
    {
        ProgramGen.Valid.Sample(program =>
        {
            var perInstruction = string.Join('\n', Decoder.Decode(program).Select(i => Disassembler.Format(i)));

            SlotAssert.Equal(program, KernelSyntaxAssembler.Assemble(perInstruction), perInstruction);
            SlotAssert.Equal(program, KernelSyntaxAssembler.Assemble(Disassembler.Format(program)), "listing");
        }, iter: Iterations);
    }

    [Fact]
    public void ValidPrograms_ConformanceSyntax_RoundTripsExceptKfuncOffset()
    {
        ProgramGen.Valid.Sample(program =>
        {
            // The conformance dialect cannot write a kfunc call's module-BTF offset: clear it first.
            var decoded = Decoder.Decode(program).Select(i => i.Op == Op.CallKfunc ? i with { Offset = 0 } : i).ToArray();
            var expected = Encoder.Encode(decoded);
            var text = ConformanceDisassembler.Format(expected);

            SlotAssert.Equal(expected, ConformanceAssembler.Assemble(text), text);
        }, iter: Iterations);
    }

    [Fact]
    public void ValidPrograms_LlvmListing_AssemblesWithoutError()
    {
        // LLVM's spelling is lossy (calls, pseudo lddw, ld_ind) but it must always read back as some program.
        ProgramGen.Valid.Sample(program =>
        {
            foreach (var syntax in new[] { DisassemblySyntax.Llvm, DisassemblySyntax.LlvmAlu32 })
            {
                var again = KernelSyntaxAssembler.Assemble(Disassembler.Format(program, syntax));
                Assert.Equal(program.Length, again.Length);
            }
        }, iter: Iterations / 4);
    }

    [Fact]
    public void RandomText_Assemblers_FailOnlyWithAssemblyException()
    {
        var words = new[]
        {
            "r1", "w2", "r10", "r16", "%r1", "%r11", "[", "]", "(", ")", "+", "-", "=", "+=", "s>>=", "*", ",", ":", "#", ";",
            "0x", "0xffffffffffffffffff", "-9223372036854775809", "4294967296", "1", "-1", "32767", "40000",
            "goto", "gotol", "pc+1", "if", "call", "callx", "exit", "lock", "fetch", "add", "ldxw", "lddw", "ja",
            "u8", "s32", "u64", "skb[", "map[fd:1]", "ll", "atomic64_fetch_add((u64", "xchg_64(", "L1", "L1:", "\n",
        };
        var line = Gen.OneOfConst(words).Array[0, 12].Select(ws => string.Join(' ', ws));
        line.Array[1, 6].Select(ls => string.Join('\n', ls)).Sample(text =>
        {
            Probe(() => KernelSyntaxAssembler.Assemble(text));
            Probe(() => ConformanceAssembler.Assemble(text));
            Probe(() => ConformanceTestFile.Parse("-- asm\n" + text + "\n-- mem\n" + text + "\n-- result\n" + text));
        }, iter: Iterations * 5);
    }

    private static void Probe(Action parse)
    {
        try
        {
            parse();
        }
        catch (BpfAssemblyException)
        {
        }
    }

    private static void CheckEverything(Instruction[] slots)
    {
        var decoded = Decoder.Decode(slots);
        _ = Disassembler.Format(slots);
        _ = Disassembler.Format(slots, DisassemblySyntax.Llvm);
        _ = ConformanceDisassembler.Format(slots);
        foreach (var insn in decoded)
            _ = Disassembler.Format(insn);

        var ok = Validator.TryValidate(slots, out var error);
        if (!ok)
        {
            var ex = Assert.Throws<BpfValidationException>(() => Validator.Validate(slots));
            Assert.Equal(error, ex.Error);
            Assert.StartsWith(error!.Pc >= 0 ? $"pc {error.Pc}: " : "program", error.Message);
            return;
        }

        // A valid program round-trips exactly through the encoder and, unless it has an exit with an offset
        // (which neither syntax can write), through kernel syntax.
        SlotAssert.Equal(slots, Encoder.Encode(decoded), "encode(decode(x))");
        if (Validator.TryValidate(slots, out _, new ValidationOptions { RequireZeroExitOffset = true }))
            SlotAssert.Equal(slots, KernelSyntaxAssembler.Assemble(Disassembler.Format(slots)), Disassembler.Format(slots));
    }
}
