namespace SharpBpf.Object;

/// <summary>
/// A BPF ELF object is malformed or uses a feature the reader does not support.
/// <see cref="Section"/> names where the problem is (an ELF section name, or <c>ELF header</c> /
/// <c>section headers</c> for the file's own structures) and <see cref="Offset"/> is the byte offset
/// inside that section (for the header pseudo-sections: inside the file).
/// </summary>
public sealed class BpfObjectFormatException : Exception
{
    /// <summary>Creates an exception for a problem at <paramref name="offset"/> in <paramref name="section"/>.</summary>
    public BpfObjectFormatException(string section, long offset, string problem)
        : base($"malformed BPF object: section '{section}' at offset {offset} (0x{offset:x}): {problem}")
    {
        Section = section;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>Creates an exception without a location (prefer the located constructor).</summary>
    public BpfObjectFormatException()
        : this("?", 0, "malformed BPF object")
    {
    }

    /// <summary>Creates an exception without a location (prefer the located constructor).</summary>
    public BpfObjectFormatException(string message)
        : this("?", 0, message)
    {
    }

    /// <summary>Creates an exception without a location (prefer the located constructor).</summary>
    public BpfObjectFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Section = "?";
        Problem = message;
    }

    /// <summary>The ELF section (or header pseudo-section) the problem was found in.</summary>
    public string Section { get; }

    /// <summary>Byte offset of the problem inside <see cref="Section"/>.</summary>
    public long Offset { get; }

    /// <summary>The problem itself, without the location prefix.</summary>
    public string Problem { get; }
}
