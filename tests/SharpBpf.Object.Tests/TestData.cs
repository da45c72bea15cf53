using System.Text.Json;

namespace SharpBpf.Object.Tests;

/// <summary>Locates testdata/ (bench objects and this project's own C objects) and their recorded facts.</summary>
internal static class TestData
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "testdata", "objects");
            if (Directory.Exists(candidate))
                return Path.Combine(dir.FullName, "testdata");
        }

        throw new DirectoryNotFoundException("testdata/objects not found above " + AppContext.BaseDirectory);
    });

    public static string Bench(string name) => Path.Combine(Root.Value, "bench", name);

    public static string Objects(string name) => Path.Combine(Root.Value, "objects", name);

    /// <summary>Every checked-in object, as "bench/x.o" / "objects/x.o".</summary>
    public static IEnumerable<string> AllObjects() =>
        new[] { "bench", "objects" }
            .SelectMany(d => Directory.GetFiles(Path.Combine(Root.Value, d), "*.o").Select(f => d + "/" + Path.GetFileName(f)))
            .Order(StringComparer.Ordinal);

    public static string PathOf(string relative) => Path.Combine(Root.Value, relative);

    public static byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));

    public static CollectionSpec Read(string relative) => BpfObjectReader.Read(PathOf(relative));

    public static TheoryData<string> ObjectData()
    {
        var data = new TheoryData<string>();
        foreach (var o in AllObjects())
            data.Add(o);
        return data;
    }

    /// <summary>The facts testdata/objects/make_facts.py recorded from llvm-readobj, llvm-objdump and bpftool.</summary>
    public static JsonElement Facts(string relative)
    {
        string path = PathOf(relative)[..^2] + ".facts.json";
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }
}
