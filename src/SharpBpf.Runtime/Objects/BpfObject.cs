using System.Diagnostics;

namespace SharpBpf.Runtime.Objects;

/// <summary>
/// A reference-counted object of the userspace runtime (a map, a program, ...), the counterpart of the kernel's
/// <c>struct bpf_map</c> / <c>struct bpf_prog</c> with their <c>refcnt</c> and <c>usercnt</c>.
/// </summary>
/// <remarks>
/// <para>
/// Two counts, as in the kernel. <em>References</em> keep the object alive: every user reference is also a
/// reference, and so is every program that uses a map. <em>User references</em> (urefs) are the open file
/// descriptions (descriptors, <c>dup</c>s and mappings share one) and the pins. When the last uref goes,
/// <see cref="OnLastUserReferenceReleased"/> runs (a PROG_ARRAY clears its slots there, breaking
/// program/map reference cycles); when the last reference goes, the object is unpublished from its id table and
/// <see cref="OnFree"/> runs.
/// </para>
/// <para>A new object starts with one reference and one user reference, owned by whoever created it.</para>
/// </remarks>
public abstract class BpfObject
{
    private long _refs = 1;
    private long _urefs = 1;

    /// <summary>What the object is.</summary>
    public abstract ObjectKind Kind { get; }

    /// <summary>The object's id (maps and programs), 0 if it has none or has not been published yet.</summary>
    public uint Id { get; private set; }

    /// <summary>True once the last reference has gone.</summary>
    public bool IsFreed => Volatile.Read(ref _refs) == 0;

    /// <summary>The current reference count (for diagnostics and tests).</summary>
    public long ReferenceCount => Volatile.Read(ref _refs);

    /// <summary>The current user reference count (for diagnostics and tests).</summary>
    public long UserReferenceCount => Volatile.Read(ref _urefs);

    internal ObjectRegistry? Registry { get; private set; }

    /// <summary>Takes a reference that is not a user reference (a program using a map, a slot of a prog array).</summary>
    public void AcquireReference()
    {
        var before = Interlocked.Increment(ref _refs) - 1;
        Debug.Assert(before > 0, "reference taken on a freed object");
    }

    /// <summary>Takes a reference unless the object is already being freed (the kernel's <c>inc_not_zero</c>).</summary>
    public bool TryAcquireReference()
    {
        while (true)
        {
            var refs = Volatile.Read(ref _refs);
            if (refs == 0)
                return false;
            if (Interlocked.CompareExchange(ref _refs, refs + 1, refs) == refs)
                return true;
        }
    }

    /// <summary>Drops a reference taken with <see cref="AcquireReference"/>.</summary>
    public void ReleaseReference()
    {
        var after = Interlocked.Decrement(ref _refs);
        Debug.Assert(after >= 0, "reference count below zero");
        if (after == 0)
            Free();
    }

    /// <summary>Takes a user reference (and the reference that goes with it).</summary>
    public void AcquireUserReference()
    {
        AcquireReference();
        Interlocked.Increment(ref _urefs);
    }

    /// <summary>Takes a user reference unless the object is already being freed (BPF_*_GET_FD_BY_ID).</summary>
    public bool TryAcquireUserReference()
    {
        if (!TryAcquireReference())
            return false;
        Interlocked.Increment(ref _urefs);
        return true;
    }

    /// <summary>Drops a user reference (and its reference).</summary>
    public void ReleaseUserReference()
    {
        var after = Interlocked.Decrement(ref _urefs);
        Debug.Assert(after >= 0, "user reference count below zero");
        if (after == 0)
            OnLastUserReferenceReleased();
        ReleaseReference();
    }

    /// <summary>Called when the last open file description of this object is released (before its uref goes).</summary>
    /// <remarks>PERF_EVENT_ARRAY drops the entries that file installed here (the kernel's <c>map_release</c>).</remarks>
    protected internal virtual void OnFileReleased(OpenFile file)
    {
    }

    /// <summary>Called when the user reference count reaches zero (the kernel's <c>map_release_uref</c>).</summary>
    protected virtual void OnLastUserReferenceReleased()
    {
    }

    /// <summary>Called once, when the reference count reaches zero, after the object left its id table.</summary>
    protected abstract void OnFree();

    internal void Publish(ObjectRegistry registry, uint id)
    {
        Registry = registry;
        Id = id;
    }

    private void Free()
    {
        Registry?.Unpublish(this);
        OnFree();
    }
}
