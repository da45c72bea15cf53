namespace SharpBpf.Asm;

/// <summary>One structural error found by <see cref="Validator"/>.</summary>
/// <param name="Pc">The slot index of the offending instruction (-1 for errors about the whole program).</param>
/// <param name="Kind">Which rule was broken.</param>
/// <param name="Message">The full message, naming the pc and the instruction, e.g. <c>pc 4: jump out of range (target 17, program has 9 slots) in 'goto pc+12'</c>.</param>
public sealed record ValidationError(int Pc, ValidationErrorKind Kind, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => Message;
}
