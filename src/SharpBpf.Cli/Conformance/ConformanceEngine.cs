namespace SharpBpf.Cli.Conformance;

/// <summary>What executes conformance programs (<c>--mode</c>).</summary>
public enum ConformanceEngine
{
    /// <summary>The interpreter.</summary>
    Interpreter,

    /// <summary>The IL JIT, checked mode (falls back to the interpreter where dynamic code is unsupported).</summary>
    Jit,
}
