namespace SharpBpf.Object;

/// <summary>BTF line info rebased to a program: slot <paramref name="Slot"/> and the following
/// slots up to the next record come from <paramref name="Source"/>.</summary>
public readonly record struct LineInfo(int Slot, SourceLine Source)
{
    /// <summary>
    /// <c>file_name_off</c>: where the file name starts in the object's BTF string table (0 when the record was not
    /// read from an object). The kernel reads the strings from the BTF, so the records it gets carry offsets.
    /// </summary>
    public uint FileNameOffset { get; init; }

    /// <summary><c>line_off</c>: where the source line's text starts in the BTF string table (0 when unknown).</summary>
    public uint LineOffset { get; init; }
}
