namespace SharpBpf.Runtime.Helpers;

/// <summary>
/// Where <c>bpf_trace_printk</c> writes: the runtime's counterpart of the kernel's global trace pipe. Every line
/// goes to <see cref="LineWritten"/> subscribers and to the captures open on the writing flow
/// (<see cref="Capture"/>), which is how a caller collects the lines of the runs it makes.
/// </summary>
public static class TracePipe
{
    private static readonly AsyncLocal<TraceCapture?> s_capture = new();

    /// <summary>Raised for every line, on the thread of the program that wrote it.</summary>
    public static event Action<string>? LineWritten;

    /// <summary>
    /// Starts collecting the lines written by programs run on this thread or async flow (a test run executes on the
    /// caller's thread) until the capture is disposed. Captures nest; every open one gets each line.
    /// </summary>
    public static TraceCapture Capture()
    {
        var capture = new TraceCapture(s_capture.Value);
        s_capture.Value = capture;
        return capture;
    }

    internal static void Write(string line)
    {
        for (var capture = s_capture.Value; capture is not null; capture = capture.Outer)
            capture.Add(line);
        LineWritten?.Invoke(line);
    }

    internal static void End(TraceCapture capture)
    {
        if (s_capture.Value == capture)
            s_capture.Value = capture.Outer;
    }
}
