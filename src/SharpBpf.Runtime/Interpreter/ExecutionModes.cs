namespace SharpBpf.Runtime.Interpreter;

/// <summary>
/// Compile-time switches of the interpreter loop. The loop is generic over a struct implementing this, so the JIT
/// produces one specialised copy per mode with the disabled checks removed entirely.
/// </summary>
internal interface IExecutionMode
{
    /// <summary>Bounds-check every memory access against the run's regions.</summary>
    static abstract bool Checked { get; }

    /// <summary>Count instructions against the program's budget.</summary>
    static abstract bool Budgeted { get; }
}

/// <summary>Checked memory, no budget: the default.</summary>
internal readonly struct CheckedMode : IExecutionMode
{
    public static bool Checked => true;

    public static bool Budgeted => false;
}

/// <summary>Checked memory and an instruction budget.</summary>
internal readonly struct CheckedBudgetedMode : IExecutionMode
{
    public static bool Checked => true;

    public static bool Budgeted => true;
}

/// <summary>No memory checks (verified programs), no budget.</summary>
internal readonly struct TrustedMode : IExecutionMode
{
    public static bool Checked => false;

    public static bool Budgeted => false;
}

/// <summary>No memory checks, with an instruction budget.</summary>
internal readonly struct TrustedBudgetedMode : IExecutionMode
{
    public static bool Checked => false;

    public static bool Budgeted => true;
}
