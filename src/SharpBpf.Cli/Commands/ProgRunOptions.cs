using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Cli.Commands;

/// <summary>What <c>sharpbpf prog run</c> was asked to do.</summary>
public sealed record ProgRunOptions
{
    /// <summary>The object file.</summary>
    public required string ObjectPath { get; init; }

    /// <summary><c>--program NAME</c>.</summary>
    public string? Program { get; init; }

    /// <summary><c>--section SEC</c>.</summary>
    public string? Section { get; init; }

    /// <summary><c>--type TYPE</c>: every program of the object is loaded as this type (bpftool <c>loadall ... type</c>).</summary>
    public ProgramType? Type { get; init; }

    /// <summary><c>--data-in FILE</c>.</summary>
    public string? DataIn { get; init; }

    /// <summary><c>--data-out FILE</c>.</summary>
    public string? DataOut { get; init; }

    /// <summary><c>--ctx-in FILE</c>.</summary>
    public string? CtxIn { get; init; }

    /// <summary><c>--repeat N</c>.</summary>
    public uint Repeat { get; init; } = 1;

    /// <summary><c>--cpu K</c>.</summary>
    public uint? Cpu { get; init; }

    /// <summary><c>--map-update MAP KEY VALUE</c>, in order.</summary>
    public IReadOnlyList<(string Map, string Key, string Value)> MapUpdates { get; init; } = [];

    /// <summary><c>--json</c>.</summary>
    public bool Json { get; init; }

    /// <summary><c>--backend userspace|kernel</c>.</summary>
    public string Backend { get; init; } = "userspace";

    /// <summary><c>--mode</c> and <c>--trusted</c>: how the userspace runtime executes the programs (the kernel ignores it).</summary>
    public ExecutionMode Mode { get; init; } = ExecutionMode.Default;

    /// <summary><c>--histogram MAP</c>: draw this log2 histogram map instead of dumping every map.</summary>
    public string? Histogram { get; init; }
}
