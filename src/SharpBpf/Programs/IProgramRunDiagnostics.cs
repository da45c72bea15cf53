using System.Diagnostics.CodeAnalysis;

namespace SharpBpf.Programs;

/// <summary>
/// Implemented by backends that can say why a test run failed beyond its errno. The userspace runtime has no
/// verifier, so a program that breaks a rule at run time (memory outside its regions, a bad map pointer, its
/// instruction budget) stops with EFAULT; this gives the runtime's message for it (pc, address, what was wrong).
/// </summary>
public interface IProgramRunDiagnostics
{
    /// <summary>The message of the last failed run of the program behind <paramref name="progFd"/>, if any.</summary>
    bool TryGetLastRunError(int progFd, [NotNullWhen(true)] out string? message);
}
