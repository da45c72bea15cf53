using SharpBpf.Cli;

namespace SharpBpf.Cli.Tests;

/// <summary>Runs <c>sharpbpf</c> in-process against in-memory standard streams.</summary>
internal static class CliRunner
{
    public static (int Exit, string Out, string Err) RunWithInput(string stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = SharpBpfCli.Run(args, new CliConsole(new StringReader(stdin), output, error));
        return (exit, output.ToString(), error.ToString());
    }

    public static (int Exit, string Out, string Err) Run(params string[] args) => RunWithInput("", args);

    public static string ConformanceRoot { get; } = FindConformance();

    private static string FindConformance()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "testdata", "conformance");
            if (Directory.Exists(Path.Combine(candidate, "tests")))
                return candidate;
        }

        throw new DirectoryNotFoundException("testdata/conformance not found");
    }
}
