using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Maps;

/// <summary>
/// A map of any backend, named by a descriptor: the raw byte-span API with exceptions
/// (<see cref="BpfException"/>) and <c>Try*</c> twins for expected misses. Disposing it closes the descriptor.
/// </summary>
/// <remarks>
/// Works over any <see cref="IBpfBackend"/>; the typed views (<see cref="ArrayMap{T}"/>,
/// <see cref="PerCpuArrayMap{T}"/>) are built on it. Keys and values are the kernel's byte layouts; for per-CPU
/// maps a value buffer is <see cref="ValueBufferSize"/> bytes: <c>round_up(value_size, 8)</c> per possible CPU.
/// Thread-safe as far as the backend is.
/// </remarks>
public sealed class BpfMap : IDisposable
{
    private readonly bool _ownsFd;
    private int _fd;

    /// <summary>Wraps an open map descriptor and reads its info.</summary>
    /// <param name="backend">The backend the descriptor belongs to.</param>
    /// <param name="fd">The descriptor.</param>
    /// <param name="ownsFd">Whether <see cref="Dispose"/> closes the descriptor.</param>
    /// <exception cref="BpfException">The descriptor is not an open map.</exception>
    public BpfMap(IBpfBackend backend, int fd, bool ownsFd = true)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var err = backend.MapGetInfo(fd, out var info);
        if (err != Errno.None)
            throw new BpfException(err, $"{BpfCommand.BPF_OBJ_GET_INFO_BY_FD} on descriptor {fd}: {BpfException.ErrnoName(err)} (not an open map)");
        Backend = backend;
        _fd = fd;
        _ownsFd = ownsFd;
        Info = info;
        ValueBufferSize = IsPerCpuType(info.Type)
            ? checked((int)(((info.ValueSize + 7L) & ~7L) * backend.PossibleCpus))
            : (int)info.ValueSize;
    }

    /// <summary>The backend.</summary>
    public IBpfBackend Backend { get; }

    /// <summary>The descriptor (-1 after <see cref="Dispose"/>).</summary>
    public int Fd => Volatile.Read(ref _fd);

    /// <summary>What BPF_OBJ_GET_INFO_BY_FD reported when the map was opened.</summary>
    public MapInfo Info { get; }

    /// <summary>The map's name.</summary>
    public string Name => Info.Name;

    /// <summary>The map type.</summary>
    public MapType Type => Info.Type;

    /// <summary>The map's id.</summary>
    public uint Id => Info.Id;

    /// <summary><c>key_size</c>.</summary>
    public int KeySize => (int)Info.KeySize;

    /// <summary><c>value_size</c>.</summary>
    public int ValueSize => (int)Info.ValueSize;

    /// <summary><c>max_entries</c>.</summary>
    public uint MaxEntries => Info.MaxEntries;

    /// <summary>True for per-CPU map types.</summary>
    public bool IsPerCpu => IsPerCpuType(Info.Type);

    /// <summary>The bytes of a value buffer for lookup and update: value_size, or round_up(value_size, 8) per CPU.</summary>
    public int ValueBufferSize { get; }

    /// <summary>Creates a map (BPF_MAP_CREATE).</summary>
    /// <exception cref="BpfException">The backend refused the attributes.</exception>
    public static BpfMap Create(IBpfBackend backend, in MapCreateAttr attr)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var err = backend.MapCreate(attr, out var fd);
        if (err != Errno.None)
            throw MapErrorText.CreateException(attr, err);
        return new BpfMap(backend, fd);
    }

    /// <summary>Opens a pinned map (BPF_OBJ_GET); <paramref name="fileFlags"/> may be BPF_F_RDONLY or BPF_F_WRONLY.</summary>
    public static BpfMap OpenPinned(IBpfBackend backend, string path, uint fileFlags = 0)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var err = backend.ObjGet(path, fileFlags, out var fd);
        if (err != Errno.None)
            throw new BpfException(err, $"{BpfCommand.BPF_OBJ_GET} of '{path}': {BpfException.ErrnoName(err)}");
        return new BpfMap(backend, fd);
    }

    /// <summary>Opens a map by id (BPF_MAP_GET_FD_BY_ID).</summary>
    public static BpfMap FromId(IBpfBackend backend, uint id, uint openFlags = 0)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var err = backend.MapGetFdById(id, openFlags, out var fd);
        if (err != Errno.None)
            throw new BpfException(err, $"{BpfCommand.BPF_MAP_GET_FD_BY_ID} of id {id}: {BpfException.ErrnoName(err)}");
        return new BpfMap(backend, fd);
    }

    /// <summary>Copies the value of <paramref name="key"/> into <paramref name="value"/> (BPF_MAP_LOOKUP_ELEM).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Lookup(ReadOnlySpan<byte> key, Span<byte> value, ulong flags = 0)
    {
        var err = Backend.MapLookupElem(_fd, key, value, flags);
        if (err != Errno.None)
            ThrowFor(BpfCommand.BPF_MAP_LOOKUP_ELEM, err, key, flags);
    }

    /// <summary>Like <see cref="Lookup"/>, but false when there is no such element (ENOENT).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryLookup(ReadOnlySpan<byte> key, Span<byte> value, ulong flags = 0)
    {
        var err = Backend.MapLookupElem(_fd, key, value, flags);
        if (err == Errno.None)
            return true;
        if (err != Errno.ENOENT)
            ThrowFor(BpfCommand.BPF_MAP_LOOKUP_ELEM, err, key, flags);
        return false;
    }

    /// <summary>Writes the value of <paramref name="key"/> (BPF_MAP_UPDATE_ELEM, BPF_ANY unless <paramref name="flags"/> say otherwise).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags = ElemFlags.BPF_ANY)
    {
        var err = Backend.MapUpdateElem(_fd, key, value, flags);
        if (err != Errno.None)
            ThrowFor(BpfCommand.BPF_MAP_UPDATE_ELEM, err, key, flags);
    }

    /// <summary>Like <see cref="Update"/>, but false when BPF_NOEXIST or BPF_EXIST is not met (EEXIST, ENOENT).</summary>
    public bool TryUpdate(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ulong flags = ElemFlags.BPF_ANY)
    {
        var err = Backend.MapUpdateElem(_fd, key, value, flags);
        if (err == Errno.None)
            return true;
        if (err is not (Errno.EEXIST or Errno.ENOENT))
            ThrowFor(BpfCommand.BPF_MAP_UPDATE_ELEM, err, key, flags);
        return false;
    }

    /// <summary>Deletes <paramref name="key"/> (BPF_MAP_DELETE_ELEM; always EINVAL for ARRAY and PERCPU_ARRAY).</summary>
    public void Delete(ReadOnlySpan<byte> key)
    {
        var err = Backend.MapDeleteElem(_fd, key, 0);
        if (err != Errno.None)
            ThrowFor(BpfCommand.BPF_MAP_DELETE_ELEM, err, key, 0);
    }

    /// <summary>Like <see cref="Delete"/>, but false when there is no such element (ENOENT).</summary>
    public bool TryDelete(ReadOnlySpan<byte> key)
    {
        var err = Backend.MapDeleteElem(_fd, key, 0);
        if (err == Errno.None)
            return true;
        if (err != Errno.ENOENT)
            ThrowFor(BpfCommand.BPF_MAP_DELETE_ELEM, err, key, 0);
        return false;
    }

    /// <summary>
    /// Writes the key after <paramref name="key"/> (empty: the first key) into <paramref name="nextKey"/>
    /// (BPF_MAP_GET_NEXT_KEY); false at the end.
    /// </summary>
    public bool TryGetNextKey(ReadOnlySpan<byte> key, Span<byte> nextKey)
    {
        var err = Backend.MapGetNextKey(_fd, key, nextKey);
        if (err == Errno.None)
            return true;
        if (err != Errno.ENOENT)
            ThrowFor(BpfCommand.BPF_MAP_GET_NEXT_KEY, err, key, 0);
        return false;
    }

    /// <summary>The keys in the map's order (GET_NEXT_KEY from the start), each a new array.</summary>
    public IEnumerable<byte[]> Keys
    {
        get
        {
            var key = Array.Empty<byte>();
            while (true)
            {
                var next = new byte[KeySize];
                if (!TryGetNextKey(key, next))
                    yield break;
                yield return next;
                key = next;
            }
        }
    }

    /// <summary>
    /// BPF_MAP_LOOKUP_BATCH: copies up to <paramref name="count"/> elements after <paramref name="inBatch"/>
    /// (empty: from the start) into <paramref name="keys"/> and <paramref name="values"/>, and the cursor for the next
    /// call into <paramref name="outBatch"/>.
    /// </summary>
    /// <returns>The number of elements copied; <paramref name="done"/> is true when the end was reached (ENOENT).</returns>
    public uint LookupBatch(ReadOnlySpan<byte> inBatch, Span<byte> outBatch, Span<byte> keys, Span<byte> values,
        uint count, out bool done, ulong elemFlags = 0)
    {
        var err = Backend.MapLookupBatch(_fd, inBatch, outBatch, keys, values, ref count, elemFlags, 0);
        done = err == Errno.ENOENT;
        if (err is not (Errno.None or Errno.ENOENT))
            ThrowFor(BpfCommand.BPF_MAP_LOOKUP_BATCH, err, default, elemFlags, $"{count} elements copied");
        return count;
    }

    /// <summary>BPF_MAP_UPDATE_BATCH of <paramref name="count"/> elements; the exception says how many were written.</summary>
    /// <returns>The number of elements updated (all of them).</returns>
    public uint UpdateBatch(ReadOnlySpan<byte> keys, ReadOnlySpan<byte> values, uint count, ulong elemFlags = 0)
    {
        var requested = count;
        var err = Backend.MapUpdateBatch(_fd, keys, values, ref count, elemFlags, 0);
        if (err != Errno.None)
        {
            var failedKey = count < requested && (long)(count + 1) * KeySize <= keys.Length
                ? keys.Slice((int)count * KeySize, KeySize)
                : default;
            ThrowFor(BpfCommand.BPF_MAP_UPDATE_BATCH, err, failedKey, elemFlags, $"{count} of {requested} elements updated");
        }

        return count;
    }

    /// <summary>BPF_MAP_FREEZE: the syscall side can no longer write the map (programs still can).</summary>
    public void Freeze()
    {
        var err = Backend.MapFreeze(_fd);
        if (err != Errno.None)
            ThrowFor(BpfCommand.BPF_MAP_FREEZE, err, default, 0);
    }

    /// <summary>Pins the map at a bpffs path (BPF_OBJ_PIN).</summary>
    public void Pin(string path)
    {
        var err = Backend.ObjPin(_fd, path);
        if (err != Errno.None)
            throw new BpfException(err, $"{BpfCommand.BPF_OBJ_PIN} of map '{Name}' at '{path}': {BpfException.ErrnoName(err)}");
    }

    /// <summary>Maps the values of a BPF_F_MMAPABLE array (see <see cref="IBpfBackend.MapMmap"/>).</summary>
    public MappedRegion Mmap(long offset, long length, bool writable)
    {
        var err = Backend.MapMmap(_fd, offset, length, writable, out var region);
        if (err != Errno.None)
        {
            var what = writable ? "read-write" : "read-only";
            throw new BpfException(err, $"mmap of map '{Name}' ({what}, offset {offset}, length {length}): {BpfException.ErrnoName(err)}");
        }

        return region!;
    }

    /// <summary>Reads the map's info again (BPF_OBJ_GET_INFO_BY_FD).</summary>
    public MapInfo GetInfo()
    {
        var err = Backend.MapGetInfo(_fd, out var info);
        if (err != Errno.None)
            ThrowFor(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, err, default, 0);
        return info;
    }

    /// <summary>Closes the descriptor if this object owns it.</summary>
    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0 && _ownsFd)
            Backend.Close(fd);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Type} map '{Name}' (id {Id}, fd {Fd})";

    internal static bool IsPerCpuType(MapType type) =>
        type is MapType.PerCpuArray or MapType.PerCpuHash or MapType.LruPerCpuHash or MapType.PerCpuCgroupStorage;

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowFor(BpfCommand command, Errno err, ReadOnlySpan<byte> key, ulong flags, string? extra = null)
    {
        ObjectDisposedException.ThrowIf(Fd < 0, this);
        throw MapErrorText.Exception(command, Info, err, key, flags, extra);
    }
}
