namespace SharpBpf.Object;

/// <summary>A source position from BTF line info.</summary>
/// <param name="FileName">Source file as the compiler recorded it.</param>
/// <param name="Line">1-based line number.</param>
/// <param name="Column">Column (0 when unknown).</param>
/// <param name="LineText">The text of the source line, as embedded by clang.</param>
public sealed record SourceLine(string FileName, uint Line, uint Column, string LineText)
{
    /// <inheritdoc/>
    public override string ToString() => $"{FileName}:{Line}:{Column}: {LineText.Trim()}";
}
