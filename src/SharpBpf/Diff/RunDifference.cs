namespace SharpBpf.Diff;

/// <summary>
/// One difference between two backends' results of the same program run: what differs, where (map, key, byte
/// offset, CPU), the left and the right value as text, and, for a documented deliberate divergence, why it is
/// accepted.
/// </summary>
/// <param name="Kind">What differs.</param>
/// <param name="Map">The map's name, for map differences.</param>
/// <param name="Key">The element's key as hex bytes (<c>00 00 00 00</c>), for element differences.</param>
/// <param name="Offset">The byte offset of the first differing byte in the value, packet or context, if any.</param>
/// <param name="Cpu">The CPU whose per-CPU copy differs; null for the whole value or a sum over CPUs.</param>
/// <param name="Left">The left side's value, as text.</param>
/// <param name="Right">The right side's value, as text.</param>
/// <param name="KnownDivergence">
/// Null for a real difference; else the reason from <see cref="KnownDivergences"/> why the two backends are allowed
/// to differ here (such a difference is reported but does not fail a comparison).
/// </param>
public sealed record RunDifference(
    DifferenceKind Kind,
    string? Map,
    string? Key,
    int? Offset,
    int? Cpu,
    string Left,
    string Right,
    string? KnownDivergence = null)
{
    /// <summary>True unless the difference is a documented divergence.</summary>
    public bool IsFailure => KnownDivergence is null;

    /// <summary>Where the difference is, as one phrase: <c>map 'counts' key 00 00 00 00 offset 8 CPU 1</c>.</summary>
    public string Where
    {
        get
        {
            var parts = new List<string>();
            parts.Add(Kind switch
            {
                DifferenceKind.Outcome => "outcome",
                DifferenceKind.Retval => "retval",
                DifferenceKind.DataOut => "data_out",
                DifferenceKind.ContextOut => "ctx_out",
                _ => $"map '{Map}'",
            });
            if (Kind == DifferenceKind.MapAttributes && Key is null)
                parts.Add("attributes");
            if (Key is not null)
                parts.Add(Kind == DifferenceKind.ProgArraySlot ? $"slot {Key}" : $"key {Key}");
            if (Offset is { } offset)
                parts.Add(FormattableString.Invariant($"offset {offset}"));
            if (Cpu is { } cpu)
                parts.Add(FormattableString.Invariant($"CPU {cpu}"));
            return string.Join(' ', parts);
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Where}: {Left} vs {Right}{(KnownDivergence is null ? "" : $" (known divergence: {KnownDivergence})")}";
}
