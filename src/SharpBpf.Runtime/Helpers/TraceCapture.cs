namespace SharpBpf.Runtime.Helpers;

/// <summary>The lines collected by <see cref="TracePipe.Capture"/>.</summary>
public sealed class TraceCapture : IDisposable
{
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();

    internal TraceCapture(TraceCapture? outer) => Outer = outer;

    /// <summary>The lines so far, in order.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
                return [.. _lines];
        }
    }

    internal TraceCapture? Outer { get; }

    /// <summary>Stops collecting.</summary>
    public void Dispose() => TracePipe.End(this);

    internal void Add(string line)
    {
        lock (_gate)
            _lines.Add(line);
    }
}
