using System.Diagnostics;
using SharpBpf.Cli.Tests.ProgRun;

namespace SharpBpf.Cli.Tests.ProgDiff;

/// <summary>
/// Commands that need the kernel backend, run where bpf(2) is refused: the built <c>sharpbpf</c> started as user
/// nobody (setpriv, so this runs only as root where setpriv exists) must exit 1 with one line giving the reason.
/// </summary>
public sealed class KernelUnavailableTests
{
    private static (int Exit, string Out, string Err) RunAsNobody(params string[] args)
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "needs root to start a process as user nobody");
        Skip.IfNot(File.Exists("/usr/bin/setpriv"), "needs setpriv (util-linux) to drop privileges");
        var cli = Path.Combine(AppContext.BaseDirectory, "SharpBpf.Cli");
        Skip.IfNot(File.Exists(cli), $"no apphost at {cli}");
        var start = new ProcessStartInfo("/usr/bin/setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var a in (string[])["--reuid=65534", "--regid=65534", "--clear-groups", cli, .. args])
            start.ArgumentList.Add(a);
        start.Environment["HOME"] = Path.GetTempPath();
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }

    [SkippableTheory]
    [InlineData("prog", "diff")]
    [InlineData("prog", "run", "--backend", "kernel")]
    [InlineData("feature", "probe", "--backend", "kernel")]
    public void KernelCommand_AsUnprivilegedUser_Exit1WithTheReason(params string[] command)
    {
        var nop = ProgRunJson.Path("testdata", "bench", "nop.o");
        string[] args = command[0] == "feature" ? command : [command[0], command[1], nop, .. command[2..]];

        var (exit, _, error) = RunAsNobody(args);

        Assert.True(exit == 1, $"exit {exit}: {error}");
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: the kernel backend is not usable here: ", line, StringComparison.Ordinal);
        Assert.Contains("EPERM", line, StringComparison.Ordinal);
    }
}
