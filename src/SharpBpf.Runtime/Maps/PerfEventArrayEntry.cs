using SharpBpf.Runtime.Objects;
using SharpBpf.Runtime.Perf;

namespace SharpBpf.Runtime.Maps;

/// <summary>
/// A perf event as a descriptor-table object (the kernel's perf event <c>struct file</c>): what a
/// PERF_EVENT_ARRAY slot holds. It holds one reference on the <see cref="PerfEvent"/>, dropped when its own last
/// reference (descriptors and slots) goes.
/// </summary>
public sealed class PerfEventArrayEntry : BpfObject
{
    /// <summary>Wraps <paramref name="perfEvent"/>, taking a reference on it.</summary>
    public PerfEventArrayEntry(PerfEvent perfEvent)
    {
        ArgumentNullException.ThrowIfNull(perfEvent);
        perfEvent.AddRef();
        Event = perfEvent;
    }

    /// <inheritdoc/>
    public override ObjectKind Kind => ObjectKind.PerfEvent;

    /// <summary>The event.</summary>
    public PerfEvent Event { get; }

    /// <inheritdoc/>
    protected override void OnFree() => Event.Release();
}
