using System.CommandLine;

namespace SharpBpf.Cli;

/// <summary>What every command gets: the console to use and the global options of its root command.</summary>
/// <param name="Console">Standard input, output and error.</param>
/// <param name="Json">The global <c>--json</c> option.</param>
public sealed record CliContext(CliConsole Console, Option<bool> Json);
