namespace SharpBpf.Cli;

/// <summary>The process exit codes of <c>sharpbpf</c>.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>The work failed: a program was refused or faulted, a conformance file failed.</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong.</summary>
    public const int Usage = 2;
}
