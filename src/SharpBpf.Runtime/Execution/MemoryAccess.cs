namespace SharpBpf.Runtime.Execution;

/// <summary>What a program may do with a <see cref="MemoryRegion"/>.</summary>
[Flags]
public enum MemoryAccess : byte
{
    /// <summary>No access (a region with no access is never matched).</summary>
    None = 0,

    /// <summary>Loads are allowed.</summary>
    Read = 1,

    /// <summary>Stores are allowed.</summary>
    Write = 2,

    /// <summary>Loads, stores and atomic read-modify-write operations are allowed.</summary>
    ReadWrite = Read | Write,
}
