using SharpBpf.Linux;

namespace SharpBpf.Linux.Tests.Support;

/// <summary>
/// Base of the tests that need the real kernel. <see cref="Backend"/> skips the test with the probe's one-line reason
/// where <c>bpf(2)</c> is unusable, and runs it everywhere else (the capability is checked, never guessed). Each test
/// gets its own backend, disposed after the test, so every map and program it made is closed.
/// </summary>
public abstract class KernelTestBase : IDisposable
{
    private LinuxBackend? _backend;

    /// <summary>The kernel backend; skips the calling test where <c>bpf(2)</c> is not usable.</summary>
    protected LinuxBackend Backend
    {
        get
        {
            RequireKernel();
            return _backend ??= new LinuxBackend();
        }
    }

    /// <summary>Skips the calling test, with the reason, unless <c>bpf(2)</c> works here.</summary>
    public static void RequireKernel() => Skip.IfNot(LinuxBackend.IsSupported(out string reason), reason);

    public void Dispose()
    {
        _backend?.Dispose();
        GC.SuppressFinalize(this);
    }
}
