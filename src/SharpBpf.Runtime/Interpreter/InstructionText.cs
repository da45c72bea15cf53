using SharpBpf.Asm;

namespace SharpBpf.Runtime.Interpreter;

/// <summary>A readable form of an instruction for error messages.</summary>
internal static class InstructionText
{
    public static string Format(in DecodedInstruction insn) => insn.ToString();
}
