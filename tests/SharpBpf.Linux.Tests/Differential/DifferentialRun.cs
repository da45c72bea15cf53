using SharpBpf.Backend;
using SharpBpf.Linux.Tests.Support;
using SharpBpf.Runtime;

namespace SharpBpf.Linux.Tests.Differential;

/// <summary>Runs one scenario on a fresh kernel backend and a fresh userspace backend (same CPU count) and compares them.</summary>
public static class DifferentialRun
{
    /// <summary>
    /// Runs <paramref name="scenario"/> on both backends, fails on the first difference, and returns the two
    /// observation lists (for checks against the kernel's documented result) and the number of compared entries.
    /// </summary>
    public static (Observations Kernel, Observations User, int Compared) Compare(string name, Action<IBpfBackend, Observations> scenario)
    {
        KernelTestBase.RequireKernel();
        using var kernel = new LinuxBackend();
        using var user = new UserspaceBackend(new UserspaceBackendOptions { PossibleCpus = kernel.PossibleCpus });
        var k = new Observations(kernel.Name);
        var u = new Observations(user.Name);
        scenario(kernel, k);
        scenario(user, u);
        return (k, u, Observations.AssertSame(name, k, u));
    }
}
