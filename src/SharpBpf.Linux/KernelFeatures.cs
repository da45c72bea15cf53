using System.Collections.Concurrent;
using SharpBpf.Features;

namespace SharpBpf.Linux;

/// <summary>
/// The running kernel's features, probed as bpftool does (<see cref="BackendProbe"/> over a <see cref="LinuxBackend"/>)
/// and cached: in memory for the process (per cache file) and in a file per kernel release,
/// <c>$XDG_CACHE_HOME/sharpbpf/features-&lt;release&gt;.json</c> (<c>~/.cache/sharpbpf</c> without XDG_CACHE_HOME).
/// </summary>
public sealed class KernelFeatures : IFeatureProbe
{
    private static readonly ConcurrentDictionary<string, FeatureSet> s_memory = new(StringComparer.Ordinal);

    /// <summary>Creates a probe caching under <paramref name="cacheDirectory"/> (null: <see cref="DefaultCacheDirectory"/>).</summary>
    /// <param name="cacheDirectory">Where the cache file lives.</param>
    /// <param name="useCache">False ignores both caches and probes again (the new answers still replace the cached ones).</param>
    public KernelFeatures(string? cacheDirectory = null, bool useCache = true)
    {
        CacheDirectory = cacheDirectory ?? DefaultCacheDirectory;
        UseCache = useCache;
    }

    /// <inheritdoc/>
    public string Backend => "kernel";

    /// <summary>The cache directory.</summary>
    public string CacheDirectory { get; }

    /// <summary>Whether cached answers are used.</summary>
    public bool UseCache { get; }

    /// <summary>The cache file for the running kernel.</summary>
    public string CacheFile => Path.Combine(CacheDirectory, $"features-{KernelRelease}.json");

    /// <summary>Where the last <see cref="Probe"/> answer came from: <c>memory</c>, <c>file</c> or <c>probe</c>.</summary>
    public string? Source { get; private set; }

    /// <summary><c>$XDG_CACHE_HOME/sharpbpf</c>, or <c>~/.cache/sharpbpf</c>.</summary>
    public static string DefaultCacheDirectory
    {
        get
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "sharpbpf");
        }
    }

    /// <summary>The running kernel's release (<c>uname -r</c>), from /proc/sys/kernel/osrelease.</summary>
    public static string KernelRelease
    {
        get
        {
            try
            {
                return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Environment.OSVersion.Version.ToString();
            }
        }
    }

    /// <inheritdoc/>
    /// <exception cref="BpfException">bpf(2) is not usable here (the message gives the reason).</exception>
    public FeatureSet Probe()
    {
        var release = KernelRelease;
        var file = CacheFile;
        if (UseCache)
        {
            if (s_memory.TryGetValue(file, out var remembered))
            {
                Source = "memory";
                return remembered;
            }

            if (TryReadCache(release) is { } cached)
            {
                Source = "file";
                return s_memory.GetOrAdd(file, cached);
            }
        }

        if (!LinuxBackend.IsSupported(out var reason))
            throw new BpfException(Abi.Errno.EPERM, $"the kernel backend is not usable here: {reason}");
        FeatureSet probed;
        using (var backend = new LinuxBackend())
            probed = BackendProbe.ProbeAll(backend, release);
        Source = "probe";
        s_memory[file] = probed;
        TryWriteCache(probed);
        return probed;
    }

    private FeatureSet? TryReadCache(string release)
    {
        try
        {
            if (!File.Exists(CacheFile))
                return null;
            var set = FeatureSet.FromJson(File.ReadAllText(CacheFile));
            return set.Backend == Backend && set.KernelRelease == release ? set : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null; // an unreadable or stale cache is probed again and rewritten
        }
    }

    private void TryWriteCache(FeatureSet set)
    {
        try
        {
            Directory.CreateDirectory(CacheDirectory);
            // Write then rename, so a concurrent reader never sees half a file.
            var temp = CacheFile + $".{Environment.ProcessId}.tmp";
            File.WriteAllText(temp, set.ToJson());
            File.Move(temp, CacheFile, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The cache is an optimisation: a read-only home still gets answers.
        }
    }
}
