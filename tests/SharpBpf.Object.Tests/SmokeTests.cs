namespace SharpBpf.Object.Tests;

public class SmokeTests
{
    [Theory]
    [MemberData(nameof(TestData.ObjectData), MemberType = typeof(TestData))]
    public void Read_EveryCheckedInObject_Parses(string obj)
    {
        var spec = TestData.Read(obj);
        Assert.NotEmpty(spec.Programs);
        foreach (var m in spec.Maps)
            Console.WriteLine($"{obj}: map {m} contents [{string.Join(",", m.Contents)}] inner {m.InnerMap}");
        foreach (var p in spec.Programs)
            Console.WriteLine($"{obj}: prog {p} relocs [{string.Join(",", p.MapRelocations)}] funcs [{string.Join(",", p.FuncInfos)}] lines {p.LineInfos.Count}");
    }
}
