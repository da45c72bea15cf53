namespace SharpBpf.Asm;

/// <summary>A program broke a structural rule of the instruction set (thrown by <see cref="Validator.Validate"/>).</summary>
public sealed class BpfValidationException : Exception
{
    /// <summary>Creates the exception for <paramref name="error"/>.</summary>
    public BpfValidationException(ValidationError error)
        : base((error ?? throw new ArgumentNullException(nameof(error))).Message)
    {
        Error = error;
    }

    /// <summary>The error: pc, kind and message.</summary>
    public ValidationError Error { get; }

    /// <summary>The slot index of the offending instruction (-1 for whole-program errors).</summary>
    public int Pc => Error.Pc;

    /// <summary>Which rule was broken.</summary>
    public ValidationErrorKind Kind => Error.Kind;
}
