namespace SharpBpf.Backend;

/// <summary>How the userspace runtime executes a program.</summary>
public enum ExecutionMode
{
    /// <summary>The backend's default: the JIT where dynamic code is supported, else the interpreter.</summary>
    Default = 0,

    /// <summary>The bounds-checked interpreter.</summary>
    Interpreter = 1,

    /// <summary>IL compiled code with the interpreter's checks.</summary>
    Jit = 2,

    /// <summary>IL compiled code without the bounds checks the compiler cannot prove (the caller vouches for the program).</summary>
    JitTrusted = 3,
}
