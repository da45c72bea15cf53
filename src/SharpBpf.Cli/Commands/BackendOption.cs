using System.CommandLine;
using SharpBpf.Backend;
using SharpBpf.Linux;
using SharpBpf.Runtime;

namespace SharpBpf.Cli.Commands;

/// <summary>
/// The one <c>--backend userspace|kernel</c> option every command that loads or runs something takes, and the one
/// place that turns its value into an <see cref="IBpfBackend"/>: an unknown name is a usage error (exit 2), a
/// kernel backend that cannot work here fails with the reason <see cref="LinuxBackend.IsSupported"/> gives (exit 1).
/// </summary>
public static class BackendOption
{
    /// <summary>The userspace runtime (the default: no privileges needed).</summary>
    public const string Userspace = "userspace";

    /// <summary>The Linux kernel through bpf(2).</summary>
    public const string Kernel = "kernel";

    /// <summary>A new <c>--backend</c> option (default <c>userspace</c>), validated at parse time.</summary>
    public static Option<string> Create()
    {
        var option = new Option<string>("--backend")
        {
            Description = "userspace (default: the SharpBPF runtime, no root needed) or kernel (the running Linux kernel through bpf(2): root or CAP_BPF)",
            DefaultValueFactory = _ => Userspace,
        };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (value is not (Userspace or Kernel))
                result.AddError($"--backend '{value}': use userspace or kernel");
        });
        return option;
    }

    /// <summary>True when <paramref name="name"/> is a backend name.</summary>
    public static bool IsKnown(string name) => name is Userspace or Kernel;

    /// <summary>
    /// Creates the backend named <paramref name="name"/>. <paramref name="possibleCpus"/> sets the userspace
    /// runtime's number of possible CPUs (to match a kernel it is compared with); null keeps its default.
    /// </summary>
    /// <exception cref="CliUsageException">The name is not a backend.</exception>
    /// <exception cref="CliFailureException">The kernel backend is not usable here.</exception>
    public static IBpfBackend CreateBackend(string name, int? possibleCpus = null)
    {
        switch (name)
        {
            case Userspace:
                return possibleCpus is { } cpus
                    ? new UserspaceBackend(new UserspaceBackendOptions { PossibleCpus = cpus })
                    : new UserspaceBackend();
            case Kernel:
                RequireKernel();
                return new LinuxBackend();
            default:
                throw new CliUsageException($"--backend '{name}': use userspace or kernel");
        }
    }

    /// <summary>Fails with the reason when bpf(2) is not usable here.</summary>
    /// <exception cref="CliFailureException">The kernel backend is not usable.</exception>
    public static void RequireKernel()
    {
        if (!LinuxBackend.IsSupported(out var reason))
            throw new CliFailureException($"the kernel backend is not usable here: {reason}");
    }
}
