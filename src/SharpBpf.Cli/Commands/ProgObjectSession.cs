using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Loading;
using SharpBpf.Object;

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

    /// <summary>
    /// Reads and loads an object into the backend named <paramref name="backendName"/>; <paramref name="loadPrograms"/>
    /// false creates only its maps. <paramref name="mode"/> is how the userspace runtime executes the programs.
    /// </summary>
    public static ProgObjectSession Open(string path, string backendName, ProgramType? forceType, bool loadPrograms,
        ExecutionMode mode = ExecutionMode.Default)
    {
        var spec = Read(path);
        var options = Options(spec, forceType, loadPrograms, mode);
        return Load(spec, BackendOption.CreateBackend(backendName), options);
    }

    /// <summary>
    /// The load options for <paramref name="spec"/>, checked before any backend is created: a program in a section
    /// libbpf does not know needs <c>--type</c> (exit 2).
    /// </summary>
    public static CollectionLoadOptions Options(CollectionSpec spec, ProgramType? forceType, bool loadPrograms, ExecutionMode mode)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var options = new CollectionLoadOptions
        {
            ForceType = forceType,
            Programs = loadPrograms ? null : [],
            ExecutionMode = mode,
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

        return options;
    }

    /// <summary>Loads <paramref name="spec"/> into <paramref name="backend"/>, which the session then owns (disposed on failure too).</summary>
    public static ProgObjectSession Load(CollectionSpec spec, IBpfBackend backend, CollectionLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(backend);
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
