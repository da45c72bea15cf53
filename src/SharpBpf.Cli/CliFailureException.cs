namespace SharpBpf.Cli;

/// <summary>
/// The work cannot be done here (for example the kernel backend is not usable): exit code 1 and one line, without a
/// stack trace. Bad arguments are a <see cref="CliUsageException"/> (exit 2) instead.
/// </summary>
public sealed class CliFailureException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CliFailureException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public CliFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public CliFailureException()
        : this("the command failed")
    {
    }
}
