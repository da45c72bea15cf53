namespace SharpBpf.Runtime.Jit;

/// <summary>What <see cref="JitCompiler"/> produced: the entry, the IL size and, when asked for, the IL as text.</summary>
internal readonly record struct JitOutput(JitEntry Entry, int IlSize, string? Listing);
