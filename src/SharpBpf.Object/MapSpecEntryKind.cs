namespace SharpBpf.Object;

/// <summary>What a static map initialiser slot refers to.</summary>
public enum MapSpecEntryKind
{
    /// <summary>A program of the same object (PROG_ARRAY <c>.values</c>).</summary>
    Program,

    /// <summary>A map of the same object (ARRAY_OF_MAPS / HASH_OF_MAPS <c>.values</c>).</summary>
    Map,
}
