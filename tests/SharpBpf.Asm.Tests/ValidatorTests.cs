namespace SharpBpf.Asm.Tests;

public class ValidatorTests
{
    public static TheoryData<string> SuiteFiles => TestData.Theory(TestData.DataFiles("tests"));

    public static TheoryData<string> UnusedFieldFiles => TestData.Theory(
        TestData.DataFiles("negative").Where(f => Path.GetFileName(f).StartsWith("unused-", StringComparison.Ordinal)));

    private static Instruction I(byte opcode, byte dst = 0, byte src = 0, short off = 0, int imm = 0) => new(opcode, dst, src, off, imm);

    private static readonly Instruction Exit = I(0x95);

    private static ValidationError Reject(params Instruction[] program)
    {
        Assert.False(Validator.TryValidate(program, out var error));
        return error!;
    }

    [Theory]
    [MemberData(nameof(SuiteFiles))]
    public void Validate_SuiteProgram_Accepts(string file)
    {
        var test = TestData.Load(file);

        var ok = Validator.TryValidate(test.Program, out var error);

        Assert.True(ok, $"{file}: {error}");
    }

    [Theory]
    [MemberData(nameof(UnusedFieldFiles))]
    public void Validate_UnusedFieldFile_RejectsExceptExitOffsetWhichLinuxAccepts(string file)
    {
        var test = TestData.Load(file);
        var exitOffset = file.EndsWith("unused-exit-offset.data", StringComparison.Ordinal);

        var ok = Validator.TryValidate(test.Program, out var error);
        var strict = Validator.TryValidate(test.Program, out var strictError, new ValidationOptions { RequireZeroExitOffset = true });

        Assert.Equal(exitOffset, ok);
        Assert.False(strict, file);
        Assert.Contains(strictError!.Kind, new[] { ValidationErrorKind.ReservedFieldNotZero, ValidationErrorKind.UnknownOpcode });
        if (!exitOffset)
            Assert.Equal(strictError, error);
    }

    [Theory]
    [InlineData("errors/err-call-invalid-jump.data", ValidationErrorKind.JumpOutOfFunction, 4)]
    [InlineData("errors/err-call0.data", ValidationErrorKind.FallsOffEnd, 1)]
    [InlineData("errors/err-endian-size.data", ValidationErrorKind.UnknownOpcode, 0)]
    [InlineData("errors/err-incomplete-lddw.data", ValidationErrorKind.InvalidLddw, 1)]
    [InlineData("errors/err-invalid-reg-dst.data", ValidationErrorKind.InvalidRegister, 0)]
    [InlineData("errors/err-invalid-reg-src.data", ValidationErrorKind.InvalidRegister, 0)]
    [InlineData("errors/err-jmp-lddw.data", ValidationErrorKind.JumpIntoLddw, 0)]
    [InlineData("errors/err-jmp-out.data", ValidationErrorKind.JumpOutOfRange, 0)]
    [InlineData("errors/err-lddw-invalid-src.data", ValidationErrorKind.FallsOffEnd, 0)]
    [InlineData("errors/err-lddw-second-half-invalid-all.data", ValidationErrorKind.InvalidLddw, 1)]
    [InlineData("errors/err-lddw-second-half-invalid-dst-offset.data", ValidationErrorKind.InvalidLddw, 1)]
    [InlineData("errors/err-lddw-second-half-invalid-offset.data", ValidationErrorKind.InvalidLddw, 1)]
    [InlineData("errors/err-lddw-second-half-invalid-src-offset.data", ValidationErrorKind.InvalidLddw, 1)]
    [InlineData("errors/err-lddw-second-half-invalid-src.data", ValidationErrorKind.InvalidLddw, 1)]
    [InlineData("errors/err-lddw-second-half-invalid.data", ValidationErrorKind.InvalidLddw, 1)]
    public void Validate_UbpfStructuralErrorFile_Rejects(string file, ValidationErrorKind kind, int pc)
    {
        var test = TestData.Load(Path.Combine("ubpf-tests", file));

        var ex = Assert.Throws<BpfValidationException>(() => Validator.Validate(test.Program));

        Assert.Equal(kind, ex.Kind);
        Assert.Equal(pc, ex.Pc);
        Assert.StartsWith($"pc {pc}: ", ex.Message);
    }

    [Theory]
    [InlineData("errors/err-infinite-loop.data")]        // a loop is not a structural error
    [InlineData("errors/err-unknown-opcode.data")]       // 0x06 is RFC 9669's ja32; the uBPF file is stale
    [InlineData("errors/err-address-underflow.data")]    // memory faults happen at run time
    [InlineData("errors/err-call-unreg.data")]           // helper existence is the runtime's (see HelperExists)
    public void Validate_UbpfNonStructuralErrorFile_Accepts(string file)
    {
        var test = TestData.Load(Path.Combine("ubpf-tests", file));

        Assert.True(Validator.TryValidate(test.Program, out var error), error?.Message);
    }

    [Fact]
    public void Validate_HelperExistsOption_RejectsUnknownHelper()
    {
        var test = TestData.Load("ubpf-tests/errors/err-call-unreg.data");
        var options = new ValidationOptions { HelperExists = id => id is >= 0 and <= 5 };

        var ex = Assert.Throws<BpfValidationException>(() => Validator.Validate(test.Program, options));

        Assert.Equal(ValidationErrorKind.InvalidCallTarget, ex.Kind);
        Assert.Equal("pc 5: call to unknown helper 63 in 'call bpf_msg_pull_data#63'", ex.Message);
    }

    [Fact]
    public void Validate_JumpOutOfRange_MessageNamesPcTargetSizeAndInstruction()
    {
        var program = ConformanceAssembler.Assemble("mov %r0, 0\nmov %r0, 0\nmov %r0, 0\nmov %r0, 0\nja +12\nexit\nexit\nexit\nexit");

        var ex = Assert.Throws<BpfValidationException>(() => Validator.Validate(program));

        Assert.Equal("pc 4: jump out of range (target 17, program has 9 slots) in 'goto pc+12'", ex.Message);
    }

    [Fact]
    public void Validate_Empty_Rejects()
    {
        Assert.Equal(ValidationErrorKind.EmptyProgram, Reject().Kind);
    }

    [Fact]
    public void Validate_TooLarge_Rejects()
    {
        var program = Enumerable.Repeat(Exit, 11).ToArray();

        Assert.False(Validator.TryValidate(program, out var error, new ValidationOptions { MaxSlots = 10 }));
        Assert.Equal(ValidationErrorKind.ProgramTooLarge, error!.Kind);
    }

    [Theory]
    [InlineData(0x3f, 0, 0, 2, 0)]       // div with off 2
    [InlineData(0xbf, 1, 2, 4, 0)]       // movsx with off 4
    [InlineData(0xbf, 1, 2, 1, 0)]       // mov with off 1 (Linux's addr_space_cast, not RFC 9669)
    [InlineData(0x85, 0, 3, 0, 1)]       // call with src 3
    [InlineData(0xdc, 1, 0, 0, 24)]      // byte swap with imm 24
    [InlineData(0xd7, 1, 0, 0, 8)]       // bswap with imm 8
    [InlineData(0xdb, 1, 2, 0, 0x02)]    // atomic with an unknown imm
    [InlineData(0xc3, 1, 2, 0, 0x100)]   // load-acquire is not in the model
    [InlineData(0xd3, 1, 2, 0, 0)]       // atomic of size B
    [InlineData(0x8f, 1, 0, 0, 0)]       // neg with the X bit
    [InlineData(0x00, 0, 0, 0, 0)]       // opcode 0
    [InlineData(0x38, 0, 0, 0, 4)]       // ld_abs of size DW
    [InlineData(0x58, 0, 1, 0, 4)]       // ld_ind of size DW
    [InlineData(0xe5, 0, 0, 0, 0)]       // jmp op 0xe0 does not exist
    [InlineData(0xf4, 0, 0, 0, 0)]       // alu op 0xf0 does not exist
    public void Validate_UnknownOperation_RejectsAsUnknownOpcode(byte opcode, byte dst, byte src, short off, int imm)
    {
        var error = Reject(I(opcode, dst, src, off, imm), Exit);

        Assert.Equal(ValidationErrorKind.UnknownOpcode, error.Kind);
        Assert.Equal(0, error.Pc);
    }

    [Fact]
    public void Validate_DivWithBadOffset_ExplainsDiscriminator()
    {
        var error = Reject(I(0x3f, 1, 2, 2), Exit);

        Assert.Equal("pc 0: unknown instruction: opcode 0x3f with off 2 (valid off: 0, 1) in '{op=0x3f dst=r1 src=r2 off=2 imm=0}'", error.Message);
    }

    [Theory]
    [InlineData(0x07, 1, 1, 0, 1, "src")]     // add imm: src must be 0
    [InlineData(0x07, 1, 0, 1, 1, "off")]     // add imm: off must be 0
    [InlineData(0x0f, 1, 2, 1, 0, "off")]     // add reg: off must be 0
    [InlineData(0x0f, 1, 2, 0, 1, "imm")]     // add reg: imm must be 0
    [InlineData(0x87, 1, 2, 0, 0, "src")]     // neg: src must be 0
    [InlineData(0x87, 1, 0, 0, 5, "imm")]     // neg: imm must be 0
    [InlineData(0xdc, 1, 1, 0, 16, "src")]    // be16: src must be 0
    [InlineData(0xdc, 1, 0, 1, 16, "off")]    // be16: off must be 0
    [InlineData(0xbf, 1, 2, 8, 1, "imm")]     // movsx: imm must be 0
    [InlineData(0x61, 0, 1, 0, 1, "imm")]     // ldxw: imm must be 0
    [InlineData(0x62, 1, 1, 0, 1, "src")]     // stw: src must be 0
    [InlineData(0x63, 1, 2, 0, 1, "imm")]     // stxw: imm must be 0
    [InlineData(0x05, 1, 0, 0, 0, "dst")]     // ja: dst must be 0
    [InlineData(0x05, 0, 1, 0, 0, "src")]     // ja: src must be 0
    [InlineData(0x05, 0, 0, 0, 1, "imm")]     // ja: imm must be 0
    [InlineData(0x06, 0, 0, 1, 0, "off")]     // ja32: off must be 0
    [InlineData(0x06, 1, 0, 0, 0, "dst")]     // ja32: dst must be 0
    [InlineData(0x15, 1, 1, 0, 0, "src")]     // jeq imm: src must be 0
    [InlineData(0x1d, 1, 2, 0, 1, "imm")]     // jeq reg: imm must be 0
    [InlineData(0x85, 1, 0, 0, 1, "dst")]     // call: dst must be 0
    [InlineData(0x85, 0, 0, 1, 1, "off")]     // call: off must be 0
    [InlineData(0x85, 0, 1, 1, 0, "off")]     // local call: off must be 0
    [InlineData(0x85, 1, 2, 0, 1, "dst")]     // kfunc call: dst must be 0
    [InlineData(0x8d, 1, 1, 0, 0, "src")]     // callx: src must be 0
    [InlineData(0x8d, 1, 0, 1, 0, "off")]     // callx: off must be 0
    [InlineData(0x95, 1, 0, 0, 0, "dst")]     // exit: dst must be 0
    [InlineData(0x95, 0, 1, 0, 0, "src")]     // exit: src must be 0
    [InlineData(0x95, 0, 0, 0, 1, "imm")]     // exit: imm must be 0
    [InlineData(0x20, 1, 0, 0, 1, "dst")]     // ld_abs: dst must be 0
    [InlineData(0x20, 0, 1, 0, 1, "src")]     // ld_abs: src must be 0
    [InlineData(0x40, 0, 1, 1, 1, "off")]     // ld_ind: off must be 0
    public void Validate_ReservedFieldNotZero_RejectsNamingField(byte opcode, byte dst, byte src, short off, int imm, string field)
    {
        var error = Reject(I(opcode, dst, src, off, imm), Exit);

        Assert.Equal(ValidationErrorKind.ReservedFieldNotZero, error.Kind);
        Assert.Contains($"reserved field {field} ", error.Message);
    }

    [Fact]
    public void Validate_ExitWithOffset_AcceptedLikeLinuxUnlessStrict()
    {
        Instruction[] program = [I(0xb7), I(0x95, off: 1)];

        Assert.True(Validator.TryValidate(program, out _));
        Assert.False(Validator.TryValidate(program, out var error, new ValidationOptions { RequireZeroExitOffset = true }));
        Assert.Equal(ValidationErrorKind.ReservedFieldNotZero, error!.Kind);
    }

    [Fact]
    public void Validate_KfuncOffset_IsAllowed()
    {
        // A kfunc call's offset selects the module BTF (fd_array index).
        Assert.True(Validator.TryValidate([I(0x85, src: 2, off: 3, imm: 77), Exit], out var error), error?.Message);
    }

    [Theory]
    [InlineData(0xbf, 11, 1)]   // mov dst r11
    [InlineData(0xbf, 1, 11)]   // mov src r11
    [InlineData(0x61, 1, 15)]   // ldxw src r15
    [InlineData(0x7b, 12, 1)]   // stxdw dst r12
    [InlineData(0x8d, 11, 0)]   // callx r11
    [InlineData(0x1d, 1, 13)]   // jeq src r13
    public void Validate_RegisterAbove10_Rejects(byte opcode, byte dst, byte src)
    {
        var error = Reject(I(opcode, dst, src), Exit);

        Assert.Equal(ValidationErrorKind.InvalidRegister, error.Kind);
    }

    [Theory]
    [InlineData("mov %r10, 1")]
    [InlineData("add32 %r10, %r1")]
    [InlineData("neg %r10")]
    [InlineData("be16 %r10")]
    [InlineData("movsx864 %r10, %r1")]
    [InlineData("ldxdw %r10, [%r1]")]
    [InlineData("lddw %r10, 1")]
    [InlineData("lock fetch add [%r1], %r10")]
    [InlineData("lock xchg32 [%r1], %r10")]
    public void Validate_WriteToR10_Rejects(string line)
    {
        var error = Reject(ConformanceAssembler.Assemble(line + "\nexit"));

        Assert.Equal(ValidationErrorKind.FramePointerWrite, error.Kind);
        Assert.Equal(0, error.Pc);
    }

    [Theory]
    [InlineData("stxdw [%r10-8], %r1")]
    [InlineData("stdw [%r10-8], 1")]
    [InlineData("lock add [%r10-8], %r1")]
    [InlineData("lock cmpxchg [%r10-8], %r1")]
    [InlineData("mov %r1, %r10")]
    [InlineData("jeq %r10, 0, +0")]
    public void Validate_ReadOrStoreThroughR10_Accepts(string line)
    {
        Assert.True(Validator.TryValidate(ConformanceAssembler.Assemble(line + "\nexit"), out var error), error?.Message);
    }

    [Theory]
    [InlineData("ja +2\nexit", ValidationErrorKind.JumpOutOfRange)]
    [InlineData("ja -2\nexit", ValidationErrorKind.JumpOutOfRange)]
    [InlineData("ja32 +5\nexit", ValidationErrorKind.JumpOutOfRange)]
    [InlineData("jeq %r1, 0, +1\nexit", ValidationErrorKind.JumpOutOfRange)]
    [InlineData("jeq32 %r1, %r2, -3\nexit", ValidationErrorKind.JumpOutOfRange)]
    [InlineData("ja +1\nlddw %r0, 1\nexit", ValidationErrorKind.JumpIntoLddw)]
    [InlineData("ja32 +1\nlddw %r0, 1\nexit", ValidationErrorKind.JumpIntoLddw)]
    [InlineData("jne %r1, 0, +1\nlddw %r0, 1\nexit", ValidationErrorKind.JumpIntoLddw)]
    [InlineData("call local +5\nexit", ValidationErrorKind.InvalidCallTarget)]
    [InlineData("call local -3\nexit", ValidationErrorKind.InvalidCallTarget)]
    [InlineData("call local +1\nlddw %r0, 1\nexit", ValidationErrorKind.InvalidCallTarget)]
    [InlineData("lddw %r1, func(9)\nexit", ValidationErrorKind.InvalidCallTarget)]
    [InlineData("mov %r0, 0", ValidationErrorKind.FallsOffEnd)]
    [InlineData("exit\njeq %r1, 0, -2", ValidationErrorKind.FallsOffEnd)]
    [InlineData("exit\ncall 1", ValidationErrorKind.FallsOffEnd)]
    [InlineData("call local f\nexit\nf:\nmov %r0, 1", ValidationErrorKind.FallsOffEnd)]
    [InlineData("call local f\nmov %r0, 1\nf:\nexit", ValidationErrorKind.FallsOffEnd)]
    [InlineData("call local f\nja +1\nf:\nexit\nexit", ValidationErrorKind.JumpOutOfFunction)]
    [InlineData("lddw %r1, func(f)\nexit\nf:\nexit", ValidationErrorKind.InvalidLddw)]
    [InlineData("lddw %r1, map_fd(1, 2)\nexit", ValidationErrorKind.InvalidLddw)]
    [InlineData("lddw %r1, map_idx(1, 2)\nexit", ValidationErrorKind.InvalidLddw)]
    public void Validate_ControlFlowError_Rejects(string text, ValidationErrorKind kind)
    {
        Instruction[] program;
        try
        {
            program = ConformanceAssembler.Assemble(text);
        }
        catch (BpfAssemblyException) when (text.Contains("func(f)"))
        {
            // func() takes a number, not a label: build the same program by hand (lddw src 4 with target 3, then garbage high word).
            program = [I(0x18, 1, 4, 0, 1), I(0, 0, 0, 0, 5), Exit, Exit];
        }

        Assert.Equal(kind, Reject(program).Kind);
    }

    [Fact]
    public void Validate_TruncatedLddw_Rejects()
    {
        var error = Reject(Exit, I(0x18, 1, 0, 0, 5));

        Assert.Equal(ValidationErrorKind.TruncatedLddw, error.Kind);
        Assert.Equal(1, error.Pc);
    }

    [Fact]
    public void Validate_LddwPseudoSrc7_Rejects()
    {
        Assert.Equal(ValidationErrorKind.InvalidLddw, Reject(I(0x18, 1, 7), I(0), Exit).Kind);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(6)]
    public void Validate_LddwPseudoKinds_Accepts(byte src)
    {
        var high = src is 2 or 3 or 6 ? 16 : 0;

        Assert.True(Validator.TryValidate([I(0x18, 1, src, 0, 7), I(0, imm: high), Exit], out var error), error?.Message);
    }

    [Fact]
    public void Validate_LocalCallsAndFunctions_Accepts()
    {
        var program = ConformanceAssembler.Assemble("""
            call local f
            lddw %r1, func(5)
            exit
            f:
            jeq %r1, 0, done
            mov %r0, 1
            done:
            exit
            g:
            ja g
            """);

        Assert.True(Validator.TryValidate(program, out var error), error?.Message);
    }

    [Fact]
    public void Validate_FunctionChecksOff_AllowsCrossFunctionJump()
    {
        var program = ConformanceAssembler.Assemble("call local f\nja +1\nf:\nexit\nexit");

        Assert.True(Validator.TryValidate(program, out _, new ValidationOptions { CheckFunctions = false }));
    }

    [Theory]
    [InlineData("call %r2", nameof(ValidationOptions.AllowCallx))]
    [InlineData("call runtime 5", nameof(ValidationOptions.AllowKfuncCalls))]
    [InlineData("ldabsw 4", nameof(ValidationOptions.AllowLegacyPacketLoads))]
    [InlineData("ldindh %r1, 4", nameof(ValidationOptions.AllowLegacyPacketLoads))]
    public void Validate_DisabledInstruction_RejectsOnlyWhenDisabled(string line, string option)
    {
        var program = ConformanceAssembler.Assemble(line + "\nexit");
        var off = option switch
        {
            nameof(ValidationOptions.AllowCallx) => new ValidationOptions { AllowCallx = false },
            nameof(ValidationOptions.AllowKfuncCalls) => new ValidationOptions { AllowKfuncCalls = false },
            _ => new ValidationOptions { AllowLegacyPacketLoads = false },
        };

        Assert.True(Validator.TryValidate(program, out _));
        Assert.False(Validator.TryValidate(program, out var error, off));
        Assert.Equal(ValidationErrorKind.UnsupportedInstruction, error!.Kind);
    }
}
