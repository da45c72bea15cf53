namespace SharpBpf.Asm.Tests;

internal static class SlotAssert
{
    /// <summary>Fast slot-array equality that names the first differing slot (xunit's collection Equal is slow on 64k-slot programs).</summary>
    public static void Equal(ReadOnlySpan<Instruction> expected, ReadOnlySpan<Instruction> actual, string? context = null)
    {
        if (expected.SequenceEqual(actual))
            return;
        var i = 0;
        while (i < expected.Length && i < actual.Length && expected[i] == actual[i])
            i++;
        var want = i < expected.Length ? expected[i].ToString() : "<end>";
        var got = i < actual.Length ? actual[i].ToString() : "<end>";
        Assert.Fail($"{context}: programs differ at slot {i} (lengths {expected.Length} and {actual.Length}): expected {want}, got {got}");
    }
}
