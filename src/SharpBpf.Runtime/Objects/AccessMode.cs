namespace SharpBpf.Runtime.Objects;

/// <summary>The access mode of an open file description (<c>FMODE_READ</c> / <c>FMODE_WRITE</c>).</summary>
[Flags]
public enum AccessMode
{
    /// <summary>Neither (not produced by any command).</summary>
    None = 0,

    /// <summary>Reads allowed: lookups, GET_NEXT_KEY, lookup batches, mappings.</summary>
    Read = 1,

    /// <summary>Writes allowed: updates, deletes, freeze, writable mappings.</summary>
    Write = 2,

    /// <summary><c>O_RDWR</c>, the default.</summary>
    ReadWrite = Read | Write,
}
