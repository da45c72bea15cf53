using System.Runtime.CompilerServices;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Runtime.Maps;
using SharpBpf.Runtime.Memory;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Runtime;

/// <summary>
/// The userspace implementation of <see cref="IBpfBackend"/>: maps and programs live in this process, named by
/// descriptors of this backend's own table, with the kernel's argument conventions and errno for every command.
/// </summary>
/// <remarks>
/// <para>
/// This part holds the descriptor and object plumbing; the map commands are in <c>UserspaceBackend.Maps.cs</c> and
/// the program commands in <c>UserspaceBackend.Programs.cs</c>.
/// </para>
/// <para>
/// Thread-safe. Element operations resolve their descriptor without a lock and allocate nothing. Objects outlive
/// the backend when they are pinned or used by programs elsewhere; disposing the backend closes its descriptors.
/// </para>
/// </remarks>
public sealed partial class UserspaceBackend : IBpfBackend
{
    /// <summary>BPF_F_PATH_FD, accepted in file_flags / open_flags (paths here are always absolute).</summary>
    private const uint PathFdFlag = (uint)MapFlags.BPF_F_PATH_FD;

    /// <summary>Creates a backend.</summary>
    public UserspaceBackend(UserspaceBackendOptions? options = null)
    {
        options ??= new UserspaceBackendOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.PossibleCpus);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.PossibleCpus, UserspaceBackendOptions.MaxPossibleCpus);
        PossibleCpus = options.PossibleCpus;
        MemoryBudget = options.MemoryBudget ?? MemoryBudget.Shared;
        Registry = options.Registry ?? ObjectRegistry.Shared;
        Files = new FdTable(options.MaxFiles);
    }

    /// <inheritdoc/>
    public string Name => "userspace";

    /// <inheritdoc/>
    public int PossibleCpus { get; }

    /// <summary>The memory budget maps created here are charged to.</summary>
    public MemoryBudget MemoryBudget { get; }

    /// <summary>The id tables and pins this backend uses.</summary>
    public ObjectRegistry Registry { get; }

    /// <summary>This backend's descriptor table.</summary>
    public FdTable Files { get; }

    /// <summary>The map <paramref name="fd"/> refers to (for the loader: <c>lddw</c> map references).</summary>
    public bool TryGetMap(int fd, out MapObject? map)
    {
        map = Files.Get(fd)?.Map;
        return map is not null;
    }

    /// <summary>
    /// Installs a descriptor for <paramref name="obj"/>, handing it the user reference the caller holds (for
    /// commands that create objects). On failure the reference is released.
    /// </summary>
    public Errno InstallObject(BpfObject obj, AccessMode mode, out int fd)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var file = new OpenFile(obj, mode);
        var err = Files.Install(file, out fd);
        if (err != Errno.None)
            file.Release();
        return err;
    }

    /// <inheritdoc/>
    public Errno ObjPin(int fd, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        // bpf_fd_probe_obj: anything that is not a map, program or link is EINVAL, even a closed descriptor.
        var file = Files.Get(fd);
        if (file is null || file.Object.Kind is not (ObjectKind.Map or ObjectKind.Program or ObjectKind.Link))
            return Errno.EINVAL;
        return Registry.Pins.Pin(file.Object, path);
    }

    /// <inheritdoc/>
    public Errno ObjGet(string path, uint fileFlags, out int fd)
    {
        ArgumentNullException.ThrowIfNull(path);
        fd = -1;
        if ((fileFlags & ~((uint)(MapFlags.BPF_F_RDONLY | MapFlags.BPF_F_WRONLY) | PathFdFlag)) != 0)
            return Errno.EINVAL;
        if (OpenFile.ModeFromFlags(fileFlags, out var mode) != Errno.None)
            return Errno.EINVAL;
        var err = Registry.Pins.Get(path, out var obj);
        if (err != Errno.None)
            return err;
        if (obj!.Kind != ObjectKind.Map && mode != AccessMode.ReadWrite)
        {
            obj.ReleaseUserReference(); // programs and links open read-write only
            return Errno.EINVAL;
        }

        return InstallObject(obj, mode, out fd);
    }

    /// <inheritdoc/>
    public Errno ObjUnpin(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Registry.Pins.Unpin(path);
    }

    /// <inheritdoc/>
    public Errno MapGetFdById(uint id, uint openFlags, out int fd)
    {
        fd = -1;
        if ((openFlags & ~(uint)(MapFlags.BPF_F_RDONLY | MapFlags.BPF_F_WRONLY)) != 0)
            return Errno.EINVAL; // unlike BPF_OBJ_GET, BPF_F_PATH_FD is not accepted here
        if (OpenFile.ModeFromFlags(openFlags, out var mode) != Errno.None)
            return Errno.EINVAL;
        var err = Registry.TryOpen(ObjectKind.Map, id, out var obj);
        return err != Errno.None ? err : InstallObject(obj!, mode, out fd);
    }

    /// <inheritdoc/>
    public Errno ProgGetFdById(uint id, out int fd)
    {
        fd = -1;
        var err = Registry.TryOpen(ObjectKind.Program, id, out var obj);
        return err != Errno.None ? err : InstallObject(obj!, AccessMode.ReadWrite, out fd);
    }

    /// <inheritdoc/>
    public Errno MapGetNextId(uint startId, out uint nextId) => Registry.GetNextId(ObjectKind.Map, startId, out nextId);

    /// <inheritdoc/>
    public Errno ProgGetNextId(uint startId, out uint nextId) =>
        Registry.GetNextId(ObjectKind.Program, startId, out nextId);

    /// <inheritdoc/>
    public Errno Dup(int fd, out int newFd)
    {
        newFd = -1;
        if (fd < FdTable.FirstFd || Files.Get(fd) is not { } file)
            return Errno.EBADF;
        file.AddRef();
        var err = Files.Install(file, out newFd);
        if (err != Errno.None)
            file.Release();
        return err;
    }

    /// <inheritdoc/>
    public Errno Close(int fd)
    {
        if (Files.Remove(fd) is not { } file)
            return Errno.EBADF;
        file.Release();
        return Errno.None;
    }

    /// <summary>Closes every descriptor of this backend. Pinned objects and objects used elsewhere stay alive.</summary>
    public void Dispose()
    {
        foreach (var file in Files.RemoveAll())
            file.Release();
    }

    /// <summary>The open map behind <paramref name="fd"/>: EBADF if nothing is open there, EINVAL if it is not a map.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Errno ResolveMap(int fd, out OpenFile file, out MapObject map)
    {
        var f = Files.Get(fd);
        if (f?.Map is { } m)
        {
            file = f;
            map = m;
            return Errno.None;
        }

        file = null!;
        map = null!;
        return f is null ? Errno.EBADF : Errno.EINVAL;
    }
}
