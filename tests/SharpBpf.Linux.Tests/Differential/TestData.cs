namespace SharpBpf.Linux.Tests.Differential;

/// <summary>Finds the repository's testdata directory above the test binaries.</summary>
public static class TestData
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "testdata", "conformance");
            if (Directory.Exists(candidate))
                return Path.Combine(dir.FullName, "testdata");
        }

        throw new DirectoryNotFoundException($"no testdata/conformance above {AppContext.BaseDirectory}");
    }
}
