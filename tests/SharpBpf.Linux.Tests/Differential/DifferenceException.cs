namespace SharpBpf.Linux.Tests.Differential;

/// <summary>A difference between the kernel and the userspace backend that is not in KnownDivergences.</summary>
public sealed class DifferenceException(string message) : Exception(message);
