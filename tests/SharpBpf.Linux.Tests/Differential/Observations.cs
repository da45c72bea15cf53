using System.Globalization;

namespace SharpBpf.Linux.Tests.Differential;

/// <summary>
/// What one backend showed during a scenario: an ordered list of labelled results (return values, errnos, map
/// words, ring bytes). A scenario runs once per backend; <see cref="AssertSame"/> then compares the two lists entry
/// by entry, so a difference names the step where the backends first parted.
/// </summary>
public sealed class Observations(string backend)
{
    private readonly List<(string Label, string Value)> _entries = [];

    public string Backend { get; } = backend;

    public int Count => _entries.Count;

    public void Add(string label, string value) => _entries.Add((label, value));

    public void Add(string label, long value) => Add(label, value.ToString(CultureInfo.InvariantCulture));

    public void Add(string label, ulong value) => Add(label, value.ToString(CultureInfo.InvariantCulture));

    public void Add(string label, ReadOnlySpan<byte> bytes) => Add(label, Convert.ToHexString(bytes));

    /// <summary>The value recorded under <paramref name="label"/> (for checks against the kernel's documented result).</summary>
    public string this[string label] => _entries.Single(e => e.Label == label).Value;

    /// <summary>Fails on the first entry where the two backends differ; returns how many entries were compared.</summary>
    public static int AssertSame(string scenario, Observations kernel, Observations user)
    {
        int n = Math.Min(kernel.Count, user.Count);
        for (int i = 0; i < n; i++)
        {
            var (kLabel, kValue) = kernel._entries[i];
            var (uLabel, uValue) = user._entries[i];
            Assert.True(kLabel == uLabel, $"{scenario}: step {i} is '{kLabel}' on {kernel.Backend} but '{uLabel}' on {user.Backend}");
            Assert.True(kValue == uValue, $"{scenario}: {kLabel}: {kernel.Backend} {kValue}, {user.Backend} {uValue}");
        }

        Assert.True(kernel.Count == user.Count, $"{scenario}: {kernel.Backend} recorded {kernel.Count} results, {user.Backend} {user.Count}");
        Assert.True(n > 0, $"{scenario}: nothing was compared");
        return n;
    }
}
