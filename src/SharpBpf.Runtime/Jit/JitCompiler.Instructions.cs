using System.Reflection.Emit;
using SharpBpf.Asm;
using SharpBpf.Runtime.Execution;
using SharpBpf.Runtime.Interpreter;
using SharpBpf.Runtime.Maps;

namespace SharpBpf.Runtime.Jit;

/// <summary>IL for each instruction. Every instruction leaves the evaluation stack empty.</summary>
internal sealed partial class JitCompiler
{
    private void EmitInstruction(ref Slot s, int i, MapObject? inlinedLookup)
    {
        int d = s.Dst, r = s.Src;
        switch (s.Op)
        {
            // ---- 64-bit ALU ----
            case Op.Add64Imm: Alu64Imm(d, s.Imm, OpCodes.Add); break;
            case Op.Add64Reg: Alu64Reg(d, r, OpCodes.Add); break;
            case Op.Sub64Imm: Alu64Imm(d, s.Imm, OpCodes.Sub); break;
            case Op.Sub64Reg: Alu64Reg(d, r, OpCodes.Sub); break;
            case Op.Mul64Imm: Alu64Imm(d, s.Imm, OpCodes.Mul); break;
            case Op.Mul64Reg: Alu64Reg(d, r, OpCodes.Mul); break;
            case Op.Or64Imm: Alu64Imm(d, s.Imm, OpCodes.Or); break;
            case Op.Or64Reg: Alu64Reg(d, r, OpCodes.Or); break;
            case Op.And64Imm: Alu64Imm(d, s.Imm, OpCodes.And); break;
            case Op.And64Reg: Alu64Reg(d, r, OpCodes.And); break;
            case Op.Xor64Imm: Alu64Imm(d, s.Imm, OpCodes.Xor); break;
            case Op.Xor64Reg: Alu64Reg(d, r, OpCodes.Xor); break;
            case Op.Div64Imm: Call64Imm(d, s.Imm, nameof(BpfInterpreter.Div64)); break;
            case Op.Div64Reg: Call64Reg(d, r, nameof(BpfInterpreter.Div64)); break;
            case Op.SDiv64Imm: Call64Imm(d, s.Imm, nameof(BpfInterpreter.SDiv64)); break;
            case Op.SDiv64Reg: Call64Reg(d, r, nameof(BpfInterpreter.SDiv64)); break;
            case Op.Mod64Imm: Call64Imm(d, s.Imm, nameof(BpfInterpreter.Mod64)); break;
            case Op.Mod64Reg: Call64Reg(d, r, nameof(BpfInterpreter.Mod64)); break;
            case Op.SMod64Imm: Call64Imm(d, s.Imm, nameof(BpfInterpreter.SMod64)); break;
            case Op.SMod64Reg: Call64Reg(d, r, nameof(BpfInterpreter.SMod64)); break;
            case Op.Lsh64Imm: Shift64Imm(d, s.Imm, OpCodes.Shl); break;
            case Op.Lsh64Reg: Shift64Reg(d, r, OpCodes.Shl); break;
            case Op.Rsh64Imm: Shift64Imm(d, s.Imm, OpCodes.Shr_Un); break;
            case Op.Rsh64Reg: Shift64Reg(d, r, OpCodes.Shr_Un); break;
            case Op.Arsh64Imm: Shift64Imm(d, s.Imm, OpCodes.Shr); break;
            case Op.Arsh64Reg: Shift64Reg(d, r, OpCodes.Shr); break;
            case Op.Neg64: Ld(d); _il.Emit(OpCodes.Neg); St(d); break;
            case Op.Mov64Imm: LdcU64((ulong)s.Imm); St(d); break;
            case Op.Mov64Reg: Ld(r); St(d); break;
            case Op.MovSx8To64: Ld(r); _il.Emit(OpCodes.Conv_I1); _il.Emit(OpCodes.Conv_I8); St(d); break;
            case Op.MovSx16To64: Ld(r); _il.Emit(OpCodes.Conv_I2); _il.Emit(OpCodes.Conv_I8); St(d); break;
            case Op.MovSx32To64: Ld(r); _il.Emit(OpCodes.Conv_I4); _il.Emit(OpCodes.Conv_I8); St(d); break;

            // ---- 32-bit ALU: int32 on the IL stack, zero-extended by conv.u8 ----
            case Op.Add32Imm: Alu32Imm(d, s.Imm, OpCodes.Add); break;
            case Op.Add32Reg: Alu32Reg(d, r, OpCodes.Add); break;
            case Op.Sub32Imm: Alu32Imm(d, s.Imm, OpCodes.Sub); break;
            case Op.Sub32Reg: Alu32Reg(d, r, OpCodes.Sub); break;
            case Op.Mul32Imm: Alu32Imm(d, s.Imm, OpCodes.Mul); break;
            case Op.Mul32Reg: Alu32Reg(d, r, OpCodes.Mul); break;
            case Op.Or32Imm: Alu32Imm(d, s.Imm, OpCodes.Or); break;
            case Op.Or32Reg: Alu32Reg(d, r, OpCodes.Or); break;
            case Op.And32Imm: Alu32Imm(d, s.Imm, OpCodes.And); break;
            case Op.And32Reg: Alu32Reg(d, r, OpCodes.And); break;
            case Op.Xor32Imm: Alu32Imm(d, s.Imm, OpCodes.Xor); break;
            case Op.Xor32Reg: Alu32Reg(d, r, OpCodes.Xor); break;
            case Op.Div32Imm: Call32Imm(d, s.Imm, nameof(BpfInterpreter.Div32)); break;
            case Op.Div32Reg: Call32Reg(d, r, nameof(BpfInterpreter.Div32)); break;
            case Op.SDiv32Imm: Call32Imm(d, s.Imm, nameof(BpfInterpreter.SDiv32)); break;
            case Op.SDiv32Reg: Call32Reg(d, r, nameof(BpfInterpreter.SDiv32)); break;
            case Op.Mod32Imm: Call32Imm(d, s.Imm, nameof(BpfInterpreter.Mod32)); break;
            case Op.Mod32Reg: Call32Reg(d, r, nameof(BpfInterpreter.Mod32)); break;
            case Op.SMod32Imm: Call32Imm(d, s.Imm, nameof(BpfInterpreter.SMod32)); break;
            case Op.SMod32Reg: Call32Reg(d, r, nameof(BpfInterpreter.SMod32)); break;
            case Op.Lsh32Imm: Shift32Imm(d, s.Imm, OpCodes.Shl); break;
            case Op.Lsh32Reg: Shift32Reg(d, r, OpCodes.Shl); break;
            case Op.Rsh32Imm: Shift32Imm(d, s.Imm, OpCodes.Shr_Un); break;
            case Op.Rsh32Reg: Shift32Reg(d, r, OpCodes.Shr_Un); break;
            case Op.Arsh32Imm: Shift32Imm(d, s.Imm, OpCodes.Shr); break;
            case Op.Arsh32Reg: Shift32Reg(d, r, OpCodes.Shr); break;
            case Op.Neg32: Ld(d); _il.Emit(OpCodes.Conv_U4); _il.Emit(OpCodes.Neg); _il.Emit(OpCodes.Conv_U8); St(d); break;
            case Op.Mov32Imm: LdcU64((uint)s.Imm); St(d); break;
            case Op.Mov32Reg: Ld(r); _il.Emit(OpCodes.Conv_U4); _il.Emit(OpCodes.Conv_U8); St(d); break;
            case Op.MovSx8To32: Ld(r); _il.Emit(OpCodes.Conv_I1); _il.Emit(OpCodes.Conv_U8); St(d); break;
            case Op.MovSx16To32: Ld(r); _il.Emit(OpCodes.Conv_I2); _il.Emit(OpCodes.Conv_U8); St(d); break;

            // ---- byte order ----
            case Op.Le16: Ld(d); _il.Emit(OpCodes.Conv_U2); _il.Emit(OpCodes.Conv_U8); St(d); break;
            case Op.Le32: Ld(d); _il.Emit(OpCodes.Conv_U4); _il.Emit(OpCodes.Conv_U8); St(d); break;
            case Op.Le64: break;
            case Op.Be16 or Op.Bswap16: Unary(d, nameof(JitRuntime.Bswap16)); break;
            case Op.Be32 or Op.Bswap32: Unary(d, nameof(JitRuntime.Bswap32)); break;
            case Op.Be64 or Op.Bswap64: Unary(d, nameof(JitRuntime.Bswap64)); break;

            case Op.Lddw: LdcU64((ulong)s.Imm); St(d); break;

            // ---- memory ----
            case Op.LdxB: EmitLoad(ref s, i, 1, OpCodes.Ldind_U1, OpCodes.Conv_U8); break;
            case Op.LdxH: EmitLoad(ref s, i, 2, OpCodes.Ldind_U2, OpCodes.Conv_U8); break;
            case Op.LdxW: EmitLoad(ref s, i, 4, OpCodes.Ldind_U4, OpCodes.Conv_U8); break;
            case Op.LdxDW: EmitLoad(ref s, i, 8, OpCodes.Ldind_I8, null); break;
            case Op.LdxsB: EmitLoad(ref s, i, 1, OpCodes.Ldind_I1, OpCodes.Conv_I8); break;
            case Op.LdxsH: EmitLoad(ref s, i, 2, OpCodes.Ldind_I2, OpCodes.Conv_I8); break;
            case Op.LdxsW: EmitLoad(ref s, i, 4, OpCodes.Ldind_I4, OpCodes.Conv_I8); break;
            case Op.StB: EmitStore(ref s, i, 1, OpCodes.Stind_I1, fromImm: true); break;
            case Op.StH: EmitStore(ref s, i, 2, OpCodes.Stind_I2, fromImm: true); break;
            case Op.StW: EmitStore(ref s, i, 4, OpCodes.Stind_I4, fromImm: true); break;
            case Op.StDW: EmitStore(ref s, i, 8, OpCodes.Stind_I8, fromImm: true); break;
            case Op.StxB: EmitStore(ref s, i, 1, OpCodes.Stind_I1, fromImm: false); break;
            case Op.StxH: EmitStore(ref s, i, 2, OpCodes.Stind_I2, fromImm: false); break;
            case Op.StxW: EmitStore(ref s, i, 4, OpCodes.Stind_I4, fromImm: false); break;
            case Op.StxDW: EmitStore(ref s, i, 8, OpCodes.Stind_I8, fromImm: false); break;
            case >= Op.AtomicAdd32 and <= Op.AtomicCmpXchg64: EmitAtomic(ref s, i); break;

            // ---- jumps ----
            case Op.Ja or Op.Ja32: _il.Emit(OpCodes.Br, _labels[s.A]); break;
            case Op.Jeq64Imm: Jump64Imm(ref s, OpCodes.Beq); break;
            case Op.Jeq64Reg: Jump64Reg(ref s, OpCodes.Beq); break;
            case Op.Jne64Imm: Jump64Imm(ref s, OpCodes.Bne_Un); break;
            case Op.Jne64Reg: Jump64Reg(ref s, OpCodes.Bne_Un); break;
            case Op.Jgt64Imm: Jump64Imm(ref s, OpCodes.Bgt_Un); break;
            case Op.Jgt64Reg: Jump64Reg(ref s, OpCodes.Bgt_Un); break;
            case Op.Jge64Imm: Jump64Imm(ref s, OpCodes.Bge_Un); break;
            case Op.Jge64Reg: Jump64Reg(ref s, OpCodes.Bge_Un); break;
            case Op.Jlt64Imm: Jump64Imm(ref s, OpCodes.Blt_Un); break;
            case Op.Jlt64Reg: Jump64Reg(ref s, OpCodes.Blt_Un); break;
            case Op.Jle64Imm: Jump64Imm(ref s, OpCodes.Ble_Un); break;
            case Op.Jle64Reg: Jump64Reg(ref s, OpCodes.Ble_Un); break;
            case Op.Jsgt64Imm: Jump64Imm(ref s, OpCodes.Bgt); break;
            case Op.Jsgt64Reg: Jump64Reg(ref s, OpCodes.Bgt); break;
            case Op.Jsge64Imm: Jump64Imm(ref s, OpCodes.Bge); break;
            case Op.Jsge64Reg: Jump64Reg(ref s, OpCodes.Bge); break;
            case Op.Jslt64Imm: Jump64Imm(ref s, OpCodes.Blt); break;
            case Op.Jslt64Reg: Jump64Reg(ref s, OpCodes.Blt); break;
            case Op.Jsle64Imm: Jump64Imm(ref s, OpCodes.Ble); break;
            case Op.Jsle64Reg: Jump64Reg(ref s, OpCodes.Ble); break;
            case Op.Jset64Imm: Ld(d); LdcU64((ulong)s.Imm); _il.Emit(OpCodes.And); _il.Emit(OpCodes.Brtrue, _labels[s.A]); break;
            case Op.Jset64Reg: Ld(d); Ld(r); _il.Emit(OpCodes.And); _il.Emit(OpCodes.Brtrue, _labels[s.A]); break;
            case Op.Jeq32Imm: Jump32Imm(ref s, OpCodes.Beq); break;
            case Op.Jeq32Reg: Jump32Reg(ref s, OpCodes.Beq); break;
            case Op.Jne32Imm: Jump32Imm(ref s, OpCodes.Bne_Un); break;
            case Op.Jne32Reg: Jump32Reg(ref s, OpCodes.Bne_Un); break;
            case Op.Jgt32Imm: Jump32Imm(ref s, OpCodes.Bgt_Un); break;
            case Op.Jgt32Reg: Jump32Reg(ref s, OpCodes.Bgt_Un); break;
            case Op.Jge32Imm: Jump32Imm(ref s, OpCodes.Bge_Un); break;
            case Op.Jge32Reg: Jump32Reg(ref s, OpCodes.Bge_Un); break;
            case Op.Jlt32Imm: Jump32Imm(ref s, OpCodes.Blt_Un); break;
            case Op.Jlt32Reg: Jump32Reg(ref s, OpCodes.Blt_Un); break;
            case Op.Jle32Imm: Jump32Imm(ref s, OpCodes.Ble_Un); break;
            case Op.Jle32Reg: Jump32Reg(ref s, OpCodes.Ble_Un); break;
            case Op.Jsgt32Imm: Jump32Imm(ref s, OpCodes.Bgt); break;
            case Op.Jsgt32Reg: Jump32Reg(ref s, OpCodes.Bgt); break;
            case Op.Jsge32Imm: Jump32Imm(ref s, OpCodes.Bge); break;
            case Op.Jsge32Reg: Jump32Reg(ref s, OpCodes.Bge); break;
            case Op.Jslt32Imm: Jump32Imm(ref s, OpCodes.Blt); break;
            case Op.Jslt32Reg: Jump32Reg(ref s, OpCodes.Blt); break;
            case Op.Jsle32Imm: Jump32Imm(ref s, OpCodes.Ble); break;
            case Op.Jsle32Reg: Jump32Reg(ref s, OpCodes.Ble); break;
            case Op.Jset32Imm:
                Ld(d); _il.Emit(OpCodes.Conv_U4); _il.Emit(OpCodes.Ldc_I4, (int)s.Imm); _il.Emit(OpCodes.And);
                _il.Emit(OpCodes.Brtrue, _labels[s.A]);
                break;
            case Op.Jset32Reg:
                Ld(d); _il.Emit(OpCodes.Conv_U4); Ld(r); _il.Emit(OpCodes.Conv_U4); _il.Emit(OpCodes.And);
                _il.Emit(OpCodes.Brtrue, _labels[s.A]);
                break;

            // ---- calls ----
            case Op.Call: EmitHelperCall(ref s, inlinedLookup); break;
            case Op.Callx: EmitCallx(ref s, i); break;
            case Op.CallLocal: EmitLocalCall(ref s, i); break;
            case Op.Exit: EmitExit(); break;

            default:
                EmitLoadProgram();
                _il.Emit(OpCodes.Ldc_I4, i);
                _il.Emit(OpCodes.Call, Method(typeof(BpfInterpreter), nameof(BpfInterpreter.ThrowInvalid)));
                _il.Emit(OpCodes.Ldc_I4_0);
                _il.Emit(OpCodes.Conv_U8);
                _il.Emit(OpCodes.Ret);
                break;
        }
    }

    private void Alu64Imm(int d, long imm, OpCode op) { Ld(d); LdcU64((ulong)imm); _il.Emit(op); St(d); }

    private void Alu64Reg(int d, int r, OpCode op) { Ld(d); Ld(r); _il.Emit(op); St(d); }

    private void Alu32Imm(int d, long imm, OpCode op)
    {
        Ld(d); _il.Emit(OpCodes.Conv_U4); _il.Emit(OpCodes.Ldc_I4, (int)imm); _il.Emit(op); _il.Emit(OpCodes.Conv_U8); St(d);
    }

    private void Alu32Reg(int d, int r, OpCode op)
    {
        Ld(d); _il.Emit(OpCodes.Conv_U4); Ld(r); _il.Emit(OpCodes.Conv_U4); _il.Emit(op); _il.Emit(OpCodes.Conv_U8); St(d);
    }

    private void Shift64Imm(int d, long imm, OpCode op) { Ld(d); _il.Emit(OpCodes.Ldc_I4, (int)(imm & 63)); _il.Emit(op); St(d); }

    private void Shift64Reg(int d, int r, OpCode op)
    {
        Ld(d); Ld(r); _il.Emit(OpCodes.Conv_I4); _il.Emit(OpCodes.Ldc_I4, 63); _il.Emit(OpCodes.And); _il.Emit(op); St(d);
    }

    private void Shift32Imm(int d, long imm, OpCode op)
    {
        Ld(d); _il.Emit(OpCodes.Conv_U4); _il.Emit(OpCodes.Ldc_I4, (int)(imm & 31)); _il.Emit(op); _il.Emit(OpCodes.Conv_U8); St(d);
    }

    private void Shift32Reg(int d, int r, OpCode op)
    {
        Ld(d); _il.Emit(OpCodes.Conv_U4); Ld(r); _il.Emit(OpCodes.Conv_I4); _il.Emit(OpCodes.Ldc_I4, 31); _il.Emit(OpCodes.And);
        _il.Emit(op); _il.Emit(OpCodes.Conv_U8); St(d);
    }

    private void Call64Imm(int d, long imm, string name)
    {
        Ld(d); LdcU64((ulong)imm); _il.Emit(OpCodes.Call, Method(typeof(BpfInterpreter), name)); St(d);
    }

    private void Call64Reg(int d, int r, string name)
    {
        Ld(d); Ld(r); _il.Emit(OpCodes.Call, Method(typeof(BpfInterpreter), name)); St(d);
    }

    private void Call32Imm(int d, long imm, string name)
    {
        Ld(d); _il.Emit(OpCodes.Conv_U4); _il.Emit(OpCodes.Ldc_I4, (int)imm);
        _il.Emit(OpCodes.Call, Method(typeof(BpfInterpreter), name)); St(d);
    }

    private void Call32Reg(int d, int r, string name)
    {
        Ld(d); _il.Emit(OpCodes.Conv_U4); Ld(r); _il.Emit(OpCodes.Conv_U4);
        _il.Emit(OpCodes.Call, Method(typeof(BpfInterpreter), name)); St(d);
    }

    private void Unary(int d, string name) { Ld(d); _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), name)); St(d); }

    private void Jump64Imm(ref Slot s, OpCode op) { Ld(s.Dst); LdcU64((ulong)s.Imm); _il.Emit(op, _labels[s.A]); }

    private void Jump64Reg(ref Slot s, OpCode op) { Ld(s.Dst); Ld(s.Src); _il.Emit(op, _labels[s.A]); }

    private void Jump32Imm(ref Slot s, OpCode op)
    {
        Ld(s.Dst); _il.Emit(OpCodes.Conv_U4); _il.Emit(OpCodes.Ldc_I4, (int)s.Imm); _il.Emit(op, _labels[s.A]);
    }

    private void Jump32Reg(ref Slot s, OpCode op)
    {
        Ld(s.Dst); _il.Emit(OpCodes.Conv_U4); Ld(s.Src); _il.Emit(OpCodes.Conv_U4); _il.Emit(op, _labels[s.A]);
    }

    // Pushes the (checked) address as a native int.
    private void EmitAddress(int reg, int offset, int size, int i, string check, MemoryAccess access)
    {
        if (_checked && !Proven(reg, offset, size, access))
        {
            EmitLoadState();
            Ld(reg);
            LdcU64((ulong)(long)offset);
            _il.Emit(OpCodes.Add);
            _il.Emit(OpCodes.Ldc_I4, size);
            _il.Emit(OpCodes.Ldc_I4, i + 1);
            _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), check));
        }
        else
        {
            Ld(reg);
            LdcU64((ulong)(long)offset);
            _il.Emit(OpCodes.Add);
        }

        _il.Emit(OpCodes.Conv_U);
    }

    private void EmitLoad(ref Slot s, int i, int size, OpCode load, OpCode? extend)
    {
        EmitAddress(s.Src, s.A, size, i, nameof(JitRuntime.Load), MemoryAccess.Read);
        if (size > 1)
            _il.Emit(OpCodes.Unaligned, (byte)1);
        _il.Emit(load);
        if (extend is { } e)
            _il.Emit(e);
        St(s.Dst);
    }

    private void EmitStore(ref Slot s, int i, int size, OpCode store, bool fromImm)
    {
        EmitAddress(s.Dst, s.A, size, i, nameof(JitRuntime.Store), MemoryAccess.Write);
        if (fromImm)
        {
            if (size == 8)
                _il.Emit(OpCodes.Ldc_I8, s.Imm);
            else
                _il.Emit(OpCodes.Ldc_I4, (int)s.Imm);
        }
        else
        {
            Ld(s.Src);
            if (size < 8)
                _il.Emit(OpCodes.Conv_U4);
        }

        if (size > 1)
            _il.Emit(OpCodes.Unaligned, (byte)1);
        _il.Emit(store);
    }

    private void EmitAtomic(ref Slot s, int i)
    {
        var size = s.Op <= Op.AtomicCmpXchg32 ? 4 : 8;
        if (_checked && !ProvenAligned(s.Dst, s.A, size))
        {
            EmitLoadState();
            Ld(s.Dst);
            LdcU64((ulong)(long)s.A);
            _il.Emit(OpCodes.Add);
            _il.Emit(OpCodes.Ldc_I4, size);
            _il.Emit(OpCodes.Ldc_I4, i + 1);
            _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), nameof(JitRuntime.Atomic)));
        }
        else
        {
            Ld(s.Dst);
            LdcU64((ulong)(long)s.A);
            _il.Emit(OpCodes.Add);
        }

        Ld(s.Src);
        var name = s.Op.ToString().Replace("Atomic", "", StringComparison.Ordinal);
        var fetch = name.StartsWith("Fetch", StringComparison.Ordinal) || name.StartsWith("Xchg", StringComparison.Ordinal);
        var cmpxchg = name.StartsWith("CmpXchg", StringComparison.Ordinal);
        if (cmpxchg)
            Ld(0);
        _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), name));
        if (cmpxchg)
            St(0);
        else if (fetch)
            St(s.Src);
    }

    private void EmitHelperCall(ref Slot s, MapObject? inlinedLookup)
    {
        if (inlinedLookup is { } map)
        {
            EmitInlinedLookup(map, s.A);
            return;
        }

        if (s.Imm == s_tailCallHelper)
        {
            EmitTailCall(ref s);
            return;
        }

        // The helper's pc for faults it reports, then a direct call of its static method (through its constant
        // function pointer only if it is not one of this assembly's methods).
        EmitLoadState();
        _il.Emit(OpCodes.Ldc_I4, s.A);
        _il.Emit(OpCodes.Stfld, StateField(nameof(RunState.CurrentPc)));
        EmitLoadState();
        for (var k = 1; k <= 5; k++)
            Ld(k);
        if (HelperMethods.Find((nint)s.Imm) is { } method)
        {
            _il.Emit(OpCodes.Call, method);
        }
        else
        {
            _il.Emit(OpCodes.Ldc_I8, s.Imm);
            _il.Emit(OpCodes.Conv_I);
            _il.EmitCalli(OpCodes.Calli, System.Reflection.CallingConventions.Standard, typeof(ulong), s_helperParameters);
        }
        St(0);
        ZeroArgumentRegisters();
        EmitStopCheck();
    }

    private void EmitCallx(ref Slot s, int i)
    {
        EmitLoadState();
        Ld(s.Dst);
        _il.Emit(OpCodes.Ldc_I4, i);
        _il.Emit(OpCodes.Ldc_I4, s.A);
        for (var k = 1; k <= 5; k++)
            Ld(k);
        _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), nameof(JitRuntime.Callx)));
        St(0);
        ZeroArgumentRegisters();
        EmitStopCheck();
    }

    private void EmitLocalCall(ref Slot s, int i)
    {
        var returnId = _returnLabels.Count;
        _returnLabels.Add(_labels[i + 1]);
        EmitLoadState();
        _il.Emit(OpCodes.Ldloc, _depth);
        _il.Emit(OpCodes.Ldc_I4, returnId);
        _il.Emit(OpCodes.Ldc_I4, i);
        for (var k = 6; k <= 9; k++)
            Ld(k);
        _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), nameof(JitRuntime.Push)));
        St(10);
        _il.Emit(OpCodes.Ldloc, _depth);
        _il.Emit(OpCodes.Ldc_I4_1);
        _il.Emit(OpCodes.Add);
        _il.Emit(OpCodes.Stloc, _depth);
        _il.Emit(OpCodes.Br, _labels[s.A]);
    }

    private static System.Reflection.FieldInfo StateField(string name) =>
        typeof(RunState).GetField(name, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
}
