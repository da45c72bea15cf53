namespace SharpBpf.Asm.Tests;

/// <summary>Locates the repository's testdata folder and enumerates conformance files for data-driven tests.</summary>
internal static class TestData
{
    public static string Root { get; } = FindRoot();

    public static string Conformance => Path.Combine(Root, "conformance");

    public static string Path_(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>Relative paths (under testdata/conformance) of the .data files in <paramref name="folder"/>, recursively.</summary>
    public static IEnumerable<string> DataFiles(string folder) =>
        Directory.EnumerateFiles(Path.Combine(Conformance, folder), "*.data", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Conformance, p))
            .Order(StringComparer.Ordinal);

    public static TheoryData<string> Theory(IEnumerable<string> items)
    {
        var data = new TheoryData<string>();
        foreach (var item in items)
            data.Add(item);
        return data;
    }

    public static ConformanceTestFile Load(string relative) => ConformanceTestFile.Load(Path.Combine(Conformance, relative));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "testdata", "conformance");
            if (Directory.Exists(candidate))
                return Path.Combine(dir.FullName, "testdata");
        }

        throw new DirectoryNotFoundException($"no testdata/conformance above {AppContext.BaseDirectory}");
    }
}
