namespace SharpBpf.Cli;

/// <summary>Where a command reads and writes; the real console or, in tests, in-memory text.</summary>
/// <param name="Input">Standard input.</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
public sealed record CliConsole(TextReader Input, TextWriter Output, TextWriter Error)
{
    /// <summary>The process console.</summary>
    public static CliConsole System => new(Console.In, Console.Out, Console.Error);
}
