using System.Text.Json;
using static SharpBpf.Cli.Tests.CliRunner;

namespace SharpBpf.Cli.Tests;

public sealed class ConformanceCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpbpf-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Conformance_SuiteRoot_All313Pass()
    {
        var (exit, output, _) = Run("conformance", ConformanceRoot);

        Assert.Equal(0, exit);
        Assert.Equal("313 passed, 0 failed", output.Trim());
    }

    [Fact]
    public void Conformance_FailingFile_PrintsItAndExits1()
    {
        var good = Write("good.data", "-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n");
        var bad = Write("bad.data", "-- asm\nmov %r0, 1\nexit\n-- result\n0x2\n");

        var (exit, output, _) = Run("conformance", good, bad);

        Assert.Equal(1, exit);
        var lines = output.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Contains("bad.data", lines[0]);
        Assert.Contains("expected 0x2", lines[0]);
        Assert.Equal("1 passed, 1 failed", lines[1]);
    }

    [Fact]
    public void Conformance_Json_ReportsCountsAndFiles()
    {
        var good = Write("good.data", "-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n");

        var (exit, output, _) = Run("conformance", good, "--json");

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(1, doc.RootElement.GetProperty("passed").GetInt32());
        Assert.Equal(0, doc.RootElement.GetProperty("failed").GetInt32());
        Assert.Equal("passed", doc.RootElement.GetProperty("files")[0].GetProperty("verdict").GetString());
    }

    [Fact]
    public void Conformance_MissingPath_Exits2WithMessage()
    {
        var (exit, output, error) = Run("conformance", Path.Combine(_dir, "nope"));

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith("error:", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Conformance_NoArguments_Exits2()
    {
        var (exit, _, error) = Run("conformance");

        Assert.Equal(2, exit);
        Assert.Contains("error:", error);
    }

    [Fact]
    public void UnknownCommand_Exits2()
    {
        Assert.Equal(2, Run("frobnicate").Exit);
    }

    [Fact]
    public void Help_Exits0AndListsCommands()
    {
        var (exit, output, _) = Run("--help");

        Assert.Equal(0, exit);
        Assert.Contains("conformance-plugin", output);
        Assert.Contains("run", output);
    }
}
