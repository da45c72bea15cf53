namespace SharpBpf.Cli;

/// <summary>The command line was wrong (a bad value, a missing file): exit code 2, message without a stack trace.</summary>
public sealed class CliUsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CliUsageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public CliUsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public CliUsageException()
        : this("invalid arguments")
    {
    }
}
