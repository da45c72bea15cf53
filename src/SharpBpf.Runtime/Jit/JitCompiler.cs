using System.Reflection;
using System.Reflection.Emit;
using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Helpers;
using SharpBpf.Runtime.Interpreter;
using SharpBpf.Runtime.Maps;
using SharpBpf.Runtime.Programs;

namespace SharpBpf.Runtime.Jit;

/// <summary>The compiled body of a program: r1..r5 in, r0 out; the caller has run <see cref="RunState.BeginRun"/>.</summary>
internal delegate ulong JitEntry(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5);

/// <summary>
/// Translates a resolved program (the interpreter's <see cref="Slot"/>s: jump targets, helper pointers and
/// <c>lddw</c> values already resolved) into one collectible <see cref="DynamicMethod"/>. The eleven registers are
/// IL locals (never address-taken, so RyuJIT enregisters them); bpf-to-bpf calls use an explicit frame stack inside
/// the method (the <see cref="RunState"/>'s frames, as the interpreter), so no program can drive host recursion.
/// </summary>
internal sealed unsafe partial class JitCompiler
{
    // The method's parameters: an unused closure object first, then the entry's. A delegate closed over (null) for
    // that first parameter is invoked with the arguments where the method wants them; a delegate to a plain static
    // method would go through a shuffle thunk that moves every argument on each call (measured: 7% of a tail-call
    // chain's time).
    private static readonly Type[] s_parameters =
        [typeof(object), typeof(RunState), typeof(ulong), typeof(ulong), typeof(ulong), typeof(ulong), typeof(ulong)];

    private static readonly Type[] s_helperParameters =
        [typeof(RunState), typeof(ulong), typeof(ulong), typeof(ulong), typeof(ulong), typeof(ulong)];

    private static readonly nint s_tailCallHelper =
        (nint)(delegate* managed<RunState, ulong, ulong, ulong, ulong, ulong, ulong>)&Helpers.TailCallHelpers.TailCall;

    private static readonly nint s_lookupHelper =
        (nint)(delegate* managed<RunState, ulong, ulong, ulong, ulong, ulong, ulong>)&MapHelpers.MapLookupElem;

    private readonly InterpretedProgram _program;
    private readonly Slot[] _code;
    private readonly bool _checked;
    private readonly bool _budgeted;
    private readonly IlEmitter _il;
    private readonly LocalBuilder[] _r = new LocalBuilder[11];
    private readonly LocalBuilder _depth;
    private readonly LocalBuilder _baseDepth;
    private readonly LocalBuilder? _budget;
    private readonly LocalBuilder _key;
    private readonly Label[] _labels;
    private readonly List<Label> _returnLabels = [];
    private readonly Label _returnDispatch;
    private readonly DynamicMethod _method;

    private JitCompiler(InterpretedProgram program, bool listing)
    {
        _program = program;
        _code = program.Code;
        _checked = !program.Trusted;
        _budgeted = program.InstructionBudget > 0;
        // Anonymously hosted (not owned by this module): a method owned by a module inherits its debuggable
        // attribute, so in a Debug build of SharpBpf.Runtime RyuJIT compiled programs with MinOpts (no register
        // allocation of the BPF registers). restrictedSkipVisibility still lets the IL reach internal members.
        _method = new DynamicMethod("bpf_" + (program.Name ?? "prog"), typeof(ulong), s_parameters, restrictedSkipVisibility: true);
        _il = new IlEmitter(_method.GetILGenerator(Math.Max(256, _code.Length * 24)), listing);
        for (var i = 0; i < _r.Length; i++)
            _r[i] = _il.DeclareLocal(typeof(ulong), "r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _depth = _il.DeclareLocal(typeof(int), "depth");
        _baseDepth = _il.DeclareLocal(typeof(int), "base_depth");
        _key = _il.DeclareLocal(typeof(uint), "key");
        if (_budgeted)
            _budget = _il.DeclareLocal(typeof(long), "budget");
        _labels = new Label[_code.Length];
        for (var i = 0; i < _labels.Length; i++)
            _labels[i] = _il.DefineLabel();
        _returnDispatch = _il.DefineLabel();
    }

    /// <summary>
    /// Compiles <paramref name="program"/>; its <see cref="InterpretedProgram.Trusted"/> flag selects the checks.
    /// With <paramref name="listing"/> the IL is also written out as text.
    /// </summary>
    public static JitOutput Compile(InterpretedProgram program, bool listing = false)
    {
        var compiler = new JitCompiler(program, listing);
        compiler.EmitBody();
        var entry = (JitEntry)compiler._method.CreateDelegate(typeof(JitEntry), null);
        return new JitOutput(entry, compiler._il.Size, compiler._il.Listing);
    }

    private void EmitBody()
    {
        // Prologue: arguments into register locals, r10 = top of the outermost frame.
        for (short a = 1; a <= 5; a++)
        {
            _il.Emit(OpCodes.Ldarg, (short)(a + 1));
            _il.Emit(OpCodes.Stloc, _r[a]);
        }

        // The program's frame 0 is the state's base frame (0, or a subprogram's whose tail call this replaces).
        EmitLoadState();
        _il.Emit(OpCodes.Ldfld, StateField(nameof(RunState.BaseDepth)));
        _il.Emit(OpCodes.Dup);
        _il.Emit(OpCodes.Stloc, _depth);
        _il.Emit(OpCodes.Stloc, _baseDepth);
        EmitLoadState();
        _il.Emit(OpCodes.Ldloc, _depth);
        _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), nameof(JitRuntime.FrameTop)));
        _il.Emit(OpCodes.Stloc, _r[10]);
        if (_budgeted)
        {
            _il.Emit(OpCodes.Ldc_I8, _program.InstructionBudget);
            _il.Emit(OpCodes.Stloc, _budget!);
        }

        var leaders = FindLeaders();
        for (var i = 0; i < _code.Length; i++)
        {
            _il.MarkLabel(_labels[i]);
            if (leaders[i])
                ForgetAll();

            if (_il.IsListing && i < _program.Decoded.Length)
                _il.Comment($"pc {_program.Decoded[i].Pc}: {Disassembler.Format(_program.Decoded[i])}");
            if (_budgeted)
                EmitBudget(i);
            ref var s = ref _code[i];
            var lookup = s.Op == Op.Call ? InlinableLookup(ref s) : null;
            EmitInstruction(ref s, i, lookup);
            Track(ref s, lookup);
        }

        EmitReturnDispatch();
    }

    // Instructions where control may arrive other than by falling through: the entry, jump targets, function
    // starts and the instruction after each local call (reached again on return).
    private bool[] FindLeaders()
    {
        var leaders = new bool[_code.Length + 1];
        leaders[0] = true;
        for (var i = 0; i < _code.Length; i++)
        {
            var op = _code[i].Op;
            if (ProgramBuilder.IsJump(op) || op is Op.Ja or Op.Ja32 or Op.CallLocal)
                leaders[_code[i].A] = true;
            if (op == Op.CallLocal)
                leaders[i + 1] = true;
        }

        return leaders;
    }

    private static bool IsStore(Op op) => op is Op.StB or Op.StH or Op.StW or Op.StDW
        or Op.StxB or Op.StxH or Op.StxW or Op.StxDW;

    private static bool IsAtomic(Op op) => op is >= Op.AtomicAdd32 and <= Op.AtomicCmpXchg64;

    private void EmitBudget(int i)
    {
        var ok = _il.DefineLabel();
        _il.Emit(OpCodes.Ldloc, _budget!);
        _il.Emit(OpCodes.Ldc_I4_1);
        _il.Emit(OpCodes.Conv_I8);
        _il.Emit(OpCodes.Sub);
        _il.Emit(OpCodes.Dup);
        _il.Emit(OpCodes.Stloc, _budget!);
        _il.Emit(OpCodes.Ldc_I4_0);
        _il.Emit(OpCodes.Conv_I8);
        _il.Emit(OpCodes.Bge, ok);
        EmitLoadProgram();
        _il.Emit(OpCodes.Ldc_I4, i);
        _il.Emit(OpCodes.Call, Method(typeof(BpfInterpreter), nameof(BpfInterpreter.ThrowBudget)));
        _il.MarkLabel(ok);
    }

    private void EmitReturnDispatch()
    {
        // An exit with frames left: pop one, restore r6-r9 and r10, and jump back after the call that made it.
        _il.MarkLabel(_returnDispatch);
        _il.Emit(OpCodes.Ldloc, _depth);
        _il.Emit(OpCodes.Ldc_I4_1);
        _il.Emit(OpCodes.Sub);
        _il.Emit(OpCodes.Stloc, _depth);
        string[] saved = [nameof(JitRuntime.FrameR6), nameof(JitRuntime.FrameR7), nameof(JitRuntime.FrameR8), nameof(JitRuntime.FrameR9)];
        for (var k = 0; k < 4; k++)
        {
            EmitStateDepthCall(saved[k]);
            _il.Emit(OpCodes.Stloc, _r[6 + k]);
        }

        EmitStateDepthCall(nameof(JitRuntime.Pop));
        _il.Emit(OpCodes.Stloc, _r[10]);
        EmitStateDepthCall(nameof(JitRuntime.FrameReturn));
        _il.Emit(OpCodes.Switch, _returnLabels.ToArray());
        // Unreachable: every frame was pushed with one of the ids above.
        _il.Emit(OpCodes.Ldc_I4_0);
        _il.Emit(OpCodes.Conv_U8);
        _il.Emit(OpCodes.Ret);
    }

    private void EmitStateDepthCall(string name)
    {
        EmitLoadState();
        _il.Emit(OpCodes.Ldloc, _depth);
        _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), name));
    }

    // The RunState argument (argument 0 is the delegate's unused closure).
    private void EmitLoadState() => _il.Emit(OpCodes.Ldarg_1);

    private void EmitLoadProgram()
    {
        EmitLoadState();
        _il.Emit(OpCodes.Ldfld, typeof(RunState).GetField(nameof(RunState.Program), BindingFlags.NonPublic | BindingFlags.Instance)!);
    }

    private static MethodInfo Method(Type type, string name) =>
        type.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
        ?? throw new MissingMethodException(type.Name, name);

    private void Ld(int reg) => _il.Emit(OpCodes.Ldloc, _r[reg]);

    private void St(int reg) => _il.Emit(OpCodes.Stloc, _r[reg]);

    private void LdcU64(ulong value)
    {
        if (value <= int.MaxValue)
        {
            _il.Emit(OpCodes.Ldc_I4, (int)value);
            _il.Emit(OpCodes.Conv_U8);
        }
        else
        {
            _il.Emit(OpCodes.Ldc_I8, (long)value);
        }
    }

    private void ZeroArgumentRegisters()
    {
        for (var k = 1; k <= 5; k++)
        {
            _il.Emit(OpCodes.Ldc_I4_0);
            _il.Emit(OpCodes.Conv_U8);
            St(k);
        }
    }

    // After a helper: a stop ends the run with StopValue, or (a subprogram's tail call ran its target in the
    // subprogram's place) only the current frame, which then returns StopValue like an exit.
    private void EmitStopCheck()
    {
        var go = _il.DefineLabel();
        var frameReturn = _il.DefineLabel();
        EmitLoadState();
        _il.Emit(OpCodes.Ldfld, StateField(nameof(RunState.StopRequested)));
        _il.Emit(OpCodes.Brfalse, go);
        EmitLoadState();
        _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), nameof(JitRuntime.TakeFrameReturn)));
        _il.Emit(OpCodes.Brtrue, frameReturn);
        EmitLoadState();
        _il.Emit(OpCodes.Ldfld, StateField(nameof(RunState.StopValue)));
        _il.Emit(OpCodes.Ret);
        _il.MarkLabel(frameReturn);
        EmitLoadState();
        _il.Emit(OpCodes.Ldfld, StateField(nameof(RunState.StopValue)));
        St(0);
        EmitExit();
        _il.MarkLabel(go);
    }

    // bpf_tail_call: the helper's work in TailCallFromCompiled, which returns the entry of a compiled target when
    // this program may jump to it (at its base frame); the jump is IL "tail." on the entry's invoke, so the host frame
    // is replaced, not stacked, as the kernel's JIT jumps. Otherwise the call behaved as the helper: r0 = 0, and a
    // stop (a target for the run loop, or a subprogram's replacement run) is handled as after any helper.
    private void EmitTailCall(ref Slot s)
    {
        var fallThrough = _il.DefineLabel();
        EmitLoadState();
        _il.Emit(OpCodes.Ldc_I4, s.A);
        _il.Emit(OpCodes.Stfld, StateField(nameof(RunState.CurrentPc)));
        EmitLoadState();
        Ld(1);
        Ld(2);
        Ld(3);
        _il.Emit(OpCodes.Call, Method(typeof(Helpers.TailCallHelpers), nameof(Helpers.TailCallHelpers.TailCallFromCompiled)));
        _il.Emit(OpCodes.Dup);
        _il.Emit(OpCodes.Brfalse, fallThrough);
        EmitLoadState();
        Ld(1);
        for (var k = 2; k <= 5; k++)
        {
            _il.Emit(OpCodes.Ldc_I4_0);
            _il.Emit(OpCodes.Conv_U8);
        }

        _il.Emit(OpCodes.Tailcall);
        _il.Emit(OpCodes.Callvirt, typeof(JitEntry).GetMethod(nameof(JitEntry.Invoke))!);
        _il.Emit(OpCodes.Ret);
        _il.MarkLabel(fallThrough);
        _il.Emit(OpCodes.Pop);
        _il.Emit(OpCodes.Ldc_I4_0);
        _il.Emit(OpCodes.Conv_U8);
        St(0);
        ZeroArgumentRegisters();
        EmitStopCheck();
    }

    // exit: back to the caller's frame if this is a subprogram, else the run's result.
    private void EmitExit()
    {
        _il.Emit(OpCodes.Ldloc, _depth);
        _il.Emit(OpCodes.Ldloc, _baseDepth);
        _il.Emit(OpCodes.Bne_Un, _returnDispatch);
        Ld(0);
        _il.Emit(OpCodes.Ret);
    }

    // An array lookup the compiler can inline: r1 holds the header of one of the program's ARRAY / PERCPU_ARRAY
    // maps (an lddw in this basic block put it there, as clang emits) and the call goes to the default lookup helper.
    private MapObject? InlinableLookup(ref Slot s)
    {
        if (_known[1] is not { Kind: PointerKind.Constant, Value: var header } || s.Imm != s_lookupHelper)
            return null;
        foreach (var map in _program.MapArray)
        {
            if ((ulong)map.Header == header && map.Type is MapType.Array or MapType.PerCpuArray)
                return map;
        }

        return null;
    }

    private void EmitInlinedLookup(MapObject map, int callPc)
    {
        var h = (MapHeader*)map.Header;
        var isNull = _il.DefineLabel();
        var done = _il.DefineLabel();

        // The key: 4 bytes at r2, checked as the helper checks it.
        if (_checked && !Proven(2, 0, 4, MemoryAccess.Read))
        {
            EmitLoadState();
            Ld(2);
            _il.Emit(OpCodes.Ldc_I4, callPc);
            _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), nameof(JitRuntime.ReadKeyChecked)));
        }
        else
        {
            Ld(2);
            _il.Emit(OpCodes.Conv_U);
            _il.Emit(OpCodes.Unaligned, (byte)1);
            _il.Emit(OpCodes.Ldind_U4);
        }

        _il.Emit(OpCodes.Stloc, _key);
        _il.Emit(OpCodes.Ldloc, _key);
        _il.Emit(OpCodes.Ldc_I4, (int)h->MaxEntries);
        _il.Emit(OpCodes.Bge_Un, isNull);

        if (map.Type == MapType.PerCpuArray)
        {
            EmitLoadState();
            LdcU64(h->Values);
            LdcU64(h->PerCpuStride);
            _il.Emit(OpCodes.Ldc_I4, (int)h->PossibleCpus);
            _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), nameof(JitRuntime.PerCpuBase)));
            _il.Emit(OpCodes.Dup);
            St(0);
            _il.Emit(OpCodes.Brfalse, done);
            Ld(0);
        }
        else
        {
            LdcU64(h->Values);
        }

        _il.Emit(OpCodes.Ldloc, _key);
        _il.Emit(OpCodes.Conv_U8);
        if (h->ElemShift >= 0)
        {
            _il.Emit(OpCodes.Ldc_I4, h->ElemShift);
            _il.Emit(OpCodes.Shl);
        }
        else
        {
            LdcU64(h->ElemSize);
            _il.Emit(OpCodes.Mul);
        }

        _il.Emit(OpCodes.Add);
        St(0);
        _il.Emit(OpCodes.Br, done);
        _il.MarkLabel(isNull);
        _il.Emit(OpCodes.Ldc_I4_0);
        _il.Emit(OpCodes.Conv_U8);
        St(0);
        _il.MarkLabel(done);
        ZeroArgumentRegisters();
    }
}
