namespace SharpBpf.Conformance.Tests;

/// <summary>Finds testdata/conformance from the test's output directory.</summary>
internal static class TestData
{
    public static string ConformanceRoot { get; } = Find();

    public static string SuiteDirectory => Path.Combine(ConformanceRoot, "tests");

    public static string UbpfDirectory => Path.Combine(ConformanceRoot, "ubpf-tests");

    /// <summary>Path of <paramref name="relative"/> under testdata/conformance.</summary>
    public static string Full(string relative) => Path.Combine(ConformanceRoot, relative);

    /// <summary>The .data files under <paramref name="directory"/>, relative to testdata/conformance, '/'-separated.</summary>
    public static IEnumerable<string> Files(string directory) =>
        Directory.GetFiles(directory, "*.data", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(ConformanceRoot, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "testdata", "conformance");
            if (Directory.Exists(Path.Combine(candidate, "tests")))
                return candidate;
        }

        throw new DirectoryNotFoundException("testdata/conformance not found above " + AppContext.BaseDirectory);
    }
}
