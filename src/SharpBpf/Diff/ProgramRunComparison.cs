using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using SharpBpf.Abi;

namespace SharpBpf.Diff;

/// <summary>
/// Compares two backends' <see cref="RunSnapshot"/>s of the same program run (same object, inputs and map updates):
/// the outcome, retval, <c>data_out</c>, <c>ctx_out</c>, and every map element by key, byte for byte (per CPU for
/// per-CPU maps; prog-array slots by program name). Differences listed in <see cref="KnownDivergences"/> are
/// reported with their reason and do not make the runs disagree.
/// </summary>
public sealed class ProgramRunComparison
{
    /// <summary>At most this many differences are listed per compared item (a packet, a value), first ones first.</summary>
    public const int MaxDifferencesPerItem = 8;

    private readonly List<RunDifference> _differences = [];

    private ProgramRunComparison(RunSnapshot left, RunSnapshot right, bool exactPerCpu)
    {
        Left = left;
        Right = right;
        ExactPerCpu = exactPerCpu;
    }

    /// <summary>The left snapshot (by convention the userspace runtime).</summary>
    public RunSnapshot Left { get; }

    /// <summary>The right snapshot (by convention the kernel).</summary>
    public RunSnapshot Right { get; }

    /// <summary>Whether per-CPU values were compared CPU by CPU (both runs pinned to one CPU) rather than up to placement.</summary>
    public bool ExactPerCpu { get; }

    /// <summary>Every difference found, real ones and documented divergences, in the order compared.</summary>
    public IReadOnlyList<RunDifference> Differences => _differences;

    /// <summary>How many items were compared: the outcome, retval, data_out, ctx_out and each map and map element.</summary>
    public int Compared { get; private set; }

    /// <summary>True when every difference is a documented divergence.</summary>
    public bool Agree => !_differences.Exists(d => d.IsFailure);

    /// <summary>Compares <paramref name="left"/> with <paramref name="right"/>.</summary>
    /// <param name="left">One backend's run (by convention the userspace runtime).</param>
    /// <param name="right">The other backend's run of the same program with the same inputs.</param>
    /// <param name="exactPerCpu">
    /// Compare per-CPU copies CPU by CPU. Leave false unless both runs were pinned to the same CPU: a test run executes
    /// on the calling thread's CPU, which differs between the two backends' runs.
    /// </param>
    public static ProgramRunComparison Compare(RunSnapshot left, RunSnapshot right, bool exactPerCpu = false)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var comparison = new ProgramRunComparison(left, right, exactPerCpu);
        comparison.Run();
        return comparison;
    }

    private void Run()
    {
        Compared++;
        if (Left.Failure is not null || Right.Failure is not null)
        {
            if (Left.Failure is null || Right.Failure is null || Left.FailureErrno != Right.FailureErrno)
                Add(new RunDifference(DifferenceKind.Outcome, null, null, null, null, Outcome(Left), Outcome(Right)));
            return;
        }

        Compared++;
        if (Left.Retval != Right.Retval)
            Add(new RunDifference(DifferenceKind.Retval, null, null, null, null, Number(Left.Retval), Number(Right.Retval)));
        Compared++;
        CompareBytes(DifferenceKind.DataOut, null, null, null, Left.DataOut, Right.DataOut);
        Compared++;
        CompareBytes(DifferenceKind.ContextOut, null, null, null, Left.ContextOut, Right.ContextOut);

        var rightMaps = Right.Maps.ToDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var map in Left.Maps)
        {
            Compared++;
            if (!rightMaps.Remove(map.Name, out var other))
            {
                Add(new RunDifference(DifferenceKind.MapAttributes, map.Name, null, null, null, Attributes(map), "(no such map)"));
                continue;
            }

            if (Attributes(map) != Attributes(other))
            {
                Add(new RunDifference(DifferenceKind.MapAttributes, map.Name, null, null, null, Attributes(map), Attributes(other)));
                continue;
            }

            CompareElements(map, other);
        }

        foreach (var map in Right.Maps.Where(m => rightMaps.ContainsKey(m.Name)))
        {
            Compared++;
            Add(new RunDifference(DifferenceKind.MapAttributes, map.Name, null, null, null, "(no such map)", Attributes(map)));
        }
    }

    private void CompareElements(MapSnapshot left, MapSnapshot right)
    {
        var rightElements = new Dictionary<string, ElementSnapshot>(StringComparer.Ordinal);
        foreach (var e in right.Elements)
            rightElements[Hex(e.Key)] = e;
        foreach (var e in left.Elements)
        {
            Compared++;
            var key = Hex(e.Key);
            if (!rightElements.Remove(key, out var other))
            {
                Add(new RunDifference(DifferenceKind.MapElementPresence, left.Name, key, null, null, LookupText(e), "(no such key)"));
                continue;
            }

            CompareElement(left, right, key, e, other);
        }

        foreach (var e in right.Elements)
        {
            var key = Hex(e.Key);
            if (!rightElements.ContainsKey(key))
                continue;
            Compared++;
            Add(new RunDifference(DifferenceKind.MapElementPresence, left.Name, key, null, null, "(no such key)", LookupText(e)));
        }
    }

    private void CompareElement(MapSnapshot leftMap, MapSnapshot rightMap, string key, ElementSnapshot left, ElementSnapshot right)
    {
        if (left.LookupError != right.LookupError)
        {
            Add(new RunDifference(DifferenceKind.MapElementPresence, leftMap.Name, key, null, null, LookupText(left), LookupText(right)));
            return;
        }

        if (left.LookupError != Errno.None)
            return;
        if (leftMap.Info.Type == MapType.ProgArray)
        {
            if (left.Program != right.Program)
                Add(new RunDifference(DifferenceKind.ProgArraySlot, leftMap.Name, key, null, null, left.Program ?? "(empty)", right.Program ?? "(empty)"));
            return;
        }

        if (!IsPerCpu(leftMap.Info.Type))
        {
            CompareBytes(DifferenceKind.MapValue, leftMap.Name, key, null, left.Value, right.Value);
            return;
        }

        ComparePerCpu(leftMap, rightMap, key, left.Value, right.Value);
    }

    private void ComparePerCpu(MapSnapshot leftMap, MapSnapshot rightMap, string key, byte[] left, byte[] right)
    {
        var stride = leftMap.PerCpuStride;
        var size = (int)leftMap.Info.ValueSize;
        var leftCopies = Copies(left, stride, size);
        var rightCopies = Copies(right, stride, size);
        if (leftCopies.Count == rightCopies.Count && leftCopies.Zip(rightCopies).All(p => p.First.AsSpan().SequenceEqual(p.Second)))
            return;
        if (ExactPerCpu || leftCopies.Count != rightCopies.Count)
        {
            for (var cpu = 0; cpu < Math.Max(leftCopies.Count, rightCopies.Count); cpu++)
            {
                var l = cpu < leftCopies.Count ? leftCopies[cpu] : null;
                var r = cpu < rightCopies.Count ? rightCopies[cpu] : null;
                if (l is null || r is null)
                    Add(new RunDifference(DifferenceKind.MapValue, leftMap.Name, key, null, cpu, l is null ? "(no such CPU)" : Hex(l), r is null ? "(no such CPU)" : Hex(r)));
                else
                    CompareBytes(DifferenceKind.MapValue, leftMap.Name, key, cpu, l, r);
            }

            return;
        }

        // The same copies on other CPUs (each run landed on the caller's CPU), or counters with the same totals.
        var leftSorted = leftCopies.Select(Hex).Order(StringComparer.Ordinal).ToList();
        var rightSorted = rightCopies.Select(Hex).Order(StringComparer.Ordinal).ToList();
        if (leftSorted.SequenceEqual(rightSorted, StringComparer.Ordinal))
        {
            Add(new RunDifference(DifferenceKind.MapValue, leftMap.Name, key, null, null, PerCpuText(leftCopies),
                PerCpuText(rightCopies), KnownDivergences.PerCpuPlacement));
            return;
        }

        var leftSums = WordSums(leftCopies, stride);
        var rightSums = WordSums(rightCopies, stride);
        var failed = false;
        for (var w = 0; w < leftSums.Length; w++)
        {
            if (leftSums[w] == rightSums[w])
                continue;
            failed = true;
            Add(new RunDifference(DifferenceKind.MapValue, leftMap.Name, key, w * 8, null,
                FormattableString.Invariant($"sum over CPUs {leftSums[w]} ({PerCpuWords(leftCopies, w)})"),
                FormattableString.Invariant($"sum over CPUs {rightSums[w]} ({PerCpuWords(rightCopies, w)})")));
        }

        if (!failed)
        {
            Add(new RunDifference(DifferenceKind.MapValue, leftMap.Name, key, null, null, PerCpuText(leftCopies),
                PerCpuText(rightCopies), KnownDivergences.PerCpuPlacement));
        }
    }

    private void CompareBytes(DifferenceKind kind, string? map, string? key, int? cpu, byte[] left, byte[] right)
    {
        if (left.AsSpan().SequenceEqual(right))
            return;
        if (left.Length != right.Length)
        {
            var common = Math.Min(left.Length, right.Length);
            var first = left.AsSpan(0, common).CommonPrefixLength(right.AsSpan(0, common));
            Add(new RunDifference(kind, map, key, first, cpu,
                FormattableString.Invariant($"{left.Length} bytes{Window(left, first)}"),
                FormattableString.Invariant($"{right.Length} bytes{Window(right, first)}")));
            return;
        }

        var listed = 0;
        foreach (var (offset, length) in DifferingRuns(left, right))
        {
            if (listed++ == MaxDifferencesPerItem)
            {
                var more = DifferingRuns(left, right).Count() - MaxDifferencesPerItem;
                Add(new RunDifference(kind, map, key, offset, cpu, FormattableString.Invariant($"... {more} more differing ranges"), "..."));
                return;
            }

            Add(new RunDifference(kind, map, key, offset, cpu, Hex(left.AsSpan(offset, Math.Min(length, 16))) + (length > 16 ? " ..." : ""),
                Hex(right.AsSpan(offset, Math.Min(length, 16))) + (length > 16 ? " ..." : "")));
        }
    }

    /// <summary>Ranges of differing bytes; ranges closer than 4 equal bytes are merged into one.</summary>
    private static IEnumerable<(int Offset, int Length)> DifferingRuns(byte[] left, byte[] right)
    {
        var i = 0;
        while (i < left.Length)
        {
            if (left[i] == right[i])
            {
                i++;
                continue;
            }

            var start = i;
            var end = i + 1;
            for (var j = i + 1; j < left.Length && j < end + 4; j++)
            {
                if (left[j] != right[j])
                    end = j + 1;
            }

            yield return (start, end - start);
            i = end;
        }
    }

    private void Add(RunDifference difference) => _differences.Add(difference);

    private static string Outcome(RunSnapshot snapshot) =>
        snapshot.Failure ?? FormattableString.Invariant($"ran, retval {Number(snapshot.Retval)}");

    private static string Number(uint value) => FormattableString.Invariant($"{value} (0x{value:x})");

    private static string LookupText(ElementSnapshot e) =>
        e.LookupError == Errno.None ? "present" : $"lookup {BpfException.ErrnoName(e.LookupError)}";

    private static string Attributes(MapSnapshot map) => string.Create(CultureInfo.InvariantCulture,
        $"{map.Info.Type} key {map.Info.KeySize}B value {map.Info.ValueSize}B max_entries {map.Info.MaxEntries} flags 0x{map.Info.MapFlags:x} map_extra {map.Info.MapExtra} name '{map.Info.Name}'");

    private static bool IsPerCpu(MapType type) =>
        type is MapType.PerCpuArray or MapType.PerCpuHash or MapType.LruPerCpuHash or MapType.PerCpuCgroupStorage;

    private static List<byte[]> Copies(byte[] value, int stride, int size)
    {
        var copies = new List<byte[]>();
        for (var offset = 0; offset + stride <= value.Length; offset += stride)
            copies.Add(value.AsSpan(offset, size).ToArray());
        return copies;
    }

    private static ulong[] WordSums(List<byte[]> copies, int stride)
    {
        var sums = new ulong[stride / 8];
        foreach (var copy in copies)
        {
            var padded = new byte[stride];
            copy.CopyTo(padded, 0);
            for (var w = 0; w < sums.Length; w++)
                sums[w] = unchecked(sums[w] + BinaryPrimitives.ReadUInt64LittleEndian(padded.AsSpan(w * 8)));
        }

        return sums;
    }

    private static string PerCpuWords(List<byte[]> copies, int word)
    {
        var parts = new List<string>();
        for (var cpu = 0; cpu < copies.Count; cpu++)
        {
            var padded = new byte[(word + 1) * 8];
            copies[cpu].AsSpan(0, Math.Min(copies[cpu].Length, padded.Length)).CopyTo(padded);
            var value = BinaryPrimitives.ReadUInt64LittleEndian(padded.AsSpan(word * 8));
            if (value != 0)
                parts.Add(FormattableString.Invariant($"CPU {cpu}: {value}"));
        }

        return parts.Count == 0 ? "all CPUs 0" : string.Join(", ", parts);
    }

    private static string PerCpuText(List<byte[]> copies)
    {
        var parts = new List<string>();
        for (var cpu = 0; cpu < copies.Count; cpu++)
        {
            if (copies[cpu].AsSpan().ContainsAnyExcept((byte)0))
                parts.Add(FormattableString.Invariant($"CPU {cpu}: {Hex(copies[cpu])}"));
        }

        return parts.Count == 0 ? "all CPUs zero" : string.Join("; ", parts);
    }

    private static string Window(byte[] bytes, int offset) =>
        offset >= bytes.Length ? "" : $" ({Hex(bytes.AsSpan(offset, Math.Min(16, bytes.Length - offset)))}{(bytes.Length - offset > 16 ? " ..." : "")} at {offset})";

    /// <summary>Bytes as bpftool prints them: <c>00 01 ff</c>.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (text.Length != 0)
                text.Append(' ');
            text.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private static string Hex(byte[] bytes) => Hex(bytes.AsSpan());
}
