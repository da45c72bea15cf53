using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Linux;
using SharpBpf.Loading;
using SharpBpf.Object;
using SharpBpf.Runtime;

namespace SharpBpf.Cli.Commands;

/// <summary>
/// An object file read and loaded into a backend for one command: the spec, the backend (the userspace runtime by
/// default, the kernel with <c>--backend kernel</c>) and the live collection. Turns every expected failure into a
/// <see cref="CliUsageException"/> (bad arguments, malformed objects) or a <see cref="BpfException"/> (refusals).
/// </summary>
public sealed class ProgObjectSession : IDisposable
{
    private ProgObjectSession(CollectionSpec spec, IBpfBackend backend, BpfCollection collection)
    {
        Spec = spec;
        Backend = backend;
        Collection = collection;
    }

    /// <summary>The object's spec.</summary>
    public CollectionSpec Spec { get; }

    /// <summary>The backend the object was loaded into.</summary>
    public IBpfBackend Backend { get; }

    /// <summary>The loaded maps and programs.</summary>
    public BpfCollection Collection { get; }

    /// <summary>Reads the object at <paramref name="path"/> (exit 2 if missing or malformed).</summary>
    public static CollectionSpec Read(string path)
    {
        if (!File.Exists(path))
            throw new CliUsageException($"no such object file: {path}");
        try
        {
            return BpfObjectReader.Read(path);
        }
        catch (BpfObjectFormatException e)
        {
            throw new CliUsageException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Creates the backend named <paramref name="name"/> (<c>userspace</c> or <c>kernel</c>).</summary>
    public static IBpfBackend CreateBackend(string name)
    {
        switch (name)
        {
            case "userspace":
                return new UserspaceBackend();
            case "kernel":
                if (!LinuxBackend.IsSupported(out var reason))
                    throw new CliUsageException($"--backend kernel: bpf(2) is not usable here ({reason})");
                return new LinuxBackend();
            default:
                throw new CliUsageException($"--backend '{name}': use userspace or kernel");
        }
    }

    /// <summary>Reads and loads an object; <paramref name="loadPrograms"/> false creates only its maps.</summary>
    public static ProgObjectSession Open(string path, string backendName, ProgramType? forceType, bool loadPrograms)
    {
        var spec = Read(path);
        var options = new CollectionLoadOptions
        {
            ForceType = forceType,
            Programs = loadPrograms ? null : [],
        };
        if (loadPrograms)
        {
            foreach (var program in spec.Programs)
            {
                try
                {
                    CollectionLoader.ResolveType(program, options);
                }
                catch (BpfException)
                {
                    throw new CliUsageException(
                        $"program '{program.Name}' is in section '{program.SectionName}', which libbpf does not know: give its type with --type (e.g. --type xdp)");
                }
            }
        }

        var backend = CreateBackend(backendName);
        try
        {
            return new ProgObjectSession(spec, backend, CollectionLoader.Load(backend, spec, options));
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <summary>Closes the collection and the backend.</summary>
    public void Dispose()
    {
        Collection.Dispose();
        Backend.Dispose();
    }
}
