using SharpBpf.Runtime.Memory;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Runtime.Tests.Api;

/// <summary>A private userspace backend (own registry and budget) for the public API tests.</summary>
internal static class ApiTestKit
{
    public static UserspaceBackend Backend(int cpus = 2) => new(new UserspaceBackendOptions
    {
        PossibleCpus = cpus,
        MemoryBudget = new MemoryBudget(1L << 30, 24L << 30),
        Registry = new ObjectRegistry(),
    });
}
