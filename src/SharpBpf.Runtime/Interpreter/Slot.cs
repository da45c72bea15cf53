using System.Runtime.InteropServices;
using SharpBpf.Asm;

namespace SharpBpf.Runtime.Interpreter;

/// <summary>
/// One pre-decoded instruction as the interpreter executes it: 16 bytes, everything resolved at creation
/// (absolute jump and call targets, helper function pointers, <c>lddw</c> values, masked shift counts).
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
internal struct Slot
{
    /// <summary>The operation.</summary>
    public Op Op;

    /// <summary>Destination register (the call register for <c>callx</c>).</summary>
    public byte Dst;

    /// <summary>Source register.</summary>
    public byte Src;

    private readonly byte _reserved;

    /// <summary>The memory offset of loads, stores and atomics, or the absolute index a jump or local call goes to.</summary>
    public int A;

    /// <summary>The sign-extended immediate, the <c>lddw</c> value, or the helper function pointer of a call.</summary>
    public long Imm;
}
