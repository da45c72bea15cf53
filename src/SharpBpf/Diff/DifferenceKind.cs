namespace SharpBpf.Diff;

/// <summary>What a <see cref="RunDifference"/> is about.</summary>
public enum DifferenceKind
{
    /// <summary>One side loaded or ran the program and the other refused or faulted, or both failed differently.</summary>
    Outcome,

    /// <summary>The return value of the last run.</summary>
    Retval,

    /// <summary>The packet after the last run (<c>data_out</c>).</summary>
    DataOut,

    /// <summary>The context after the last run (<c>ctx_out</c>).</summary>
    ContextOut,

    /// <summary>A map exists on one side only, or its attributes (type, sizes, flags, name) differ.</summary>
    MapAttributes,

    /// <summary>An element exists on one side only, or looking it up gives a different errno.</summary>
    MapElementPresence,

    /// <summary>The bytes of an element's value (for per-CPU maps: of one CPU's copy, or of the sum over CPUs).</summary>
    MapValue,

    /// <summary>A prog-array slot holds a different program (compared by program name, not descriptor or id).</summary>
    ProgArraySlot,
}
