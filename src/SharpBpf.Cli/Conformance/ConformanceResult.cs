namespace SharpBpf.Cli.Conformance;

/// <summary>The verdict on one conformance file.</summary>
public enum ConformanceVerdict
{
    /// <summary>The runtime did what the file expects.</summary>
    Passed,

    /// <summary>It did not.</summary>
    Failed,

    /// <summary>Not run: the file has no outcome to check, or it is a documented exception.</summary>
    Skipped,
}

/// <summary>The outcome of one conformance file.</summary>
/// <param name="Path">The file.</param>
/// <param name="Verdict">Passed, failed or skipped.</param>
/// <param name="Message">Why it failed or was skipped; what happened when it passed.</param>
public sealed record ConformanceResult(string Path, ConformanceVerdict Verdict, string Message);
