namespace SharpBpf.Asm;

/// <summary>
/// Assembly text (either dialect) or a conformance test file could not be read. The message names the line
/// (and the file, when known) and the problem, e.g. <c>tests/foo.data:7: unknown mnemonic 'ldxq'</c>.
/// Derives from <see cref="FormatException"/> because it is a text-format error.
/// </summary>
public sealed class BpfAssemblyException : FormatException
{
    /// <summary>Creates the exception for a problem at <paramref name="line"/> of <paramref name="source"/>.</summary>
    /// <param name="line">1-based line number (0 when the problem concerns the whole text).</param>
    /// <param name="reason">What is wrong, without the location.</param>
    /// <param name="source">The file the text came from, if any.</param>
    public BpfAssemblyException(int line, string reason, string? source = null)
        : base(FormatMessage(line, reason, source))
    {
        Line = line;
        Reason = reason;
        FileName = source;
    }

    /// <summary>The 1-based line number of the problem (0 when it concerns the whole text).</summary>
    public int Line { get; }

    /// <summary>The problem, without the location.</summary>
    public string Reason { get; }

    /// <summary>The file the text came from, or <see langword="null"/>.</summary>
    public string? FileName { get; }

    private static string FormatMessage(int line, string reason, string? source) => (source, line) switch
    {
        (null, 0) => reason,
        (null, _) => $"line {line}: {reason}",
        (_, 0) => $"{source}: {reason}",
        _ => $"{source}:{line}: {reason}",
    };
}
