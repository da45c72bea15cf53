namespace SharpBpf.Runtime.Contexts;

/// <summary>
/// The native buffers of one test run: the packet (a copy of <c>data_in</c>) and the context (a copy of
/// <c>ctx_in</c>). An address is 0 when the caller gave no such input.
/// </summary>
/// <param name="Data">The packet's first byte.</param>
/// <param name="DataLength">The packet's length.</param>
/// <param name="Context">The context's first byte.</param>
/// <param name="ContextLength">The context's length.</param>
internal readonly record struct TestRunBuffers(nint Data, int DataLength, nint Context, int ContextLength);
