using SharpBpf.Asm;

namespace SharpBpf.Runtime.Programs;

/// <summary>
/// Resolves an <c>lddw</c> whose pseudo kind refers to a map (<see cref="PseudoKind.MapByFd"/>,
/// <see cref="PseudoKind.MapValueByFd"/>, <see cref="PseudoKind.MapByIndex"/>, <see cref="PseudoKind.MapValueByIndex"/>)
/// to the 64-bit value the register receives (a map header or map value address). Called once per instruction when
/// the program is created; throw (any exception) to refuse the program.
/// </summary>
/// <param name="instruction">The <c>lddw</c>; <see cref="DecodedInstruction.Pseudo"/> says which kind.</param>
/// <returns>The value to load.</returns>
public delegate ulong LddwResolver(DecodedInstruction instruction);
