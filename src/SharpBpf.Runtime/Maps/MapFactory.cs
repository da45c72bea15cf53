using System.Text;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Runtime.Memory;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Runtime.Maps;

/// <summary>
/// BPF_MAP_CREATE for the userspace runtime: validates the attributes exactly as Linux 6.18 does for the array
/// family (spec section A), in the kernel's order, charges the memory budget and builds the map object.
/// </summary>
/// <remarks>
/// The order of checks is <c>map_create</c>'s: BTF type ids, map_extra, BPF_F_RDONLY|BPF_F_WRONLY, the NUMA
/// node, the map type, the type's <c>map_alloc_check</c> (sizes, flags, E2BIG), a BPF token, device offload
/// (map_ifindex), then allocation (ENOMEM), then the name, then the BTF descriptor. Types other than the array
/// family are not implemented by the userspace runtime and give EINVAL, as an unknown type does.
/// </remarks>
public static class MapFactory
{
    /// <summary><c>sizeof(struct bpf_array)</c> on the reference kernel: the fixed part of every array map's charge.</summary>
    public const ulong ArrayHeaderBytes = 312;

    /// <summary>PCPU_MIN_UNIT_SIZE: the largest per-CPU element.</summary>
    public const uint PerCpuMaxElemSize = 32768;

    private const uint ArrayCreateFlagMask =
        (uint)(MapFlags.BPF_F_NUMA_NODE | MapFlags.BPF_F_MMAPABLE | MapFlags.BPF_F_RDONLY | MapFlags.BPF_F_WRONLY
            | MapFlags.BPF_F_RDONLY_PROG | MapFlags.BPF_F_WRONLY_PROG | MapFlags.BPF_F_PRESERVE_ELEMS
            | MapFlags.BPF_F_INNER_MAP);

    private const uint ProgAccessFlags = (uint)(MapFlags.BPF_F_RDONLY_PROG | MapFlags.BPF_F_WRONLY_PROG);

    /// <summary>Creates a map; on success the caller owns its first reference and user reference.</summary>
    /// <param name="attr">The attributes.</param>
    /// <param name="possibleCpus">The number of per-CPU copies.</param>
    /// <param name="budget">The budget to charge.</param>
    /// <param name="fds">The caller's descriptors, to resolve <c>btf_fd</c> (null: none are open).</param>
    /// <param name="map">The new map.</param>
    public static Errno Create(in MapCreateAttr attr, int possibleCpus, MemoryBudget budget, FdTable? fds, out MapObject? map)
    {
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(possibleCpus);
        map = null;
        var err = Validate(attr, out var flags);
        if (err != Errno.None)
            return err;

        var usage = MemoryUsage(attr.Type, attr.ValueSize, attr.MaxEntries, flags, possibleCpus);
        if (usage == ulong.MaxValue || !budget.TryCharge(usage))
            return Errno.ENOMEM;
        var charged = true;
        NativeBuffer? header = null, storage = null;
        try
        {
            header = NativeBuffer.TryAllocate(MapHeader.Size, MapHeader.Size);
            if (header is null)
                return Errno.ENOMEM;
            err = AllocateValues(attr, flags, possibleCpus, out storage, out var extent, out var slots);
            if (err != Errno.None)
                return err;

            err = ParseName(attr.Name, out var name);
            if (err != Errno.None)
                return err;
            err = ResolveBtf(attr, fds, out var btfId);
            if (err != Errno.None)
                return err;

            // BPF_F_RDONLY / BPF_F_WRONLY describe the creating descriptor, not the map (bpf_map_flags_retain_permanent).
            var kept = flags & ~(uint)(MapFlags.BPF_F_RDONLY | MapFlags.BPF_F_WRONLY);
            var p = new MapParameters(attr.Type, attr.KeySize, attr.ValueSize, attr.MaxEntries, kept, name,
                attr.MapExtra, btfId, attr.Type == MapType.PerCpuArray ? possibleCpus : 1, usage, budget);
            map = attr.Type switch
            {
                MapType.Array => new ArrayMapObject(p, header, storage!, extent),
                MapType.PerCpuArray => new PerCpuArrayMapObject(p, header, storage!, extent),
                MapType.ProgArray => new ProgArrayMapObject(p, header, slots!),
                MapType.PerfEventArray => new PerfEventArrayMapObject(p, header, slots!),
                MapType.CgroupArray => new CgroupArrayMapObject(p, header, slots!),
                _ => new FdArrayMapObject(p, header, slots!),
            };
            charged = false; // the map owns the charge and the buffers now
            return Errno.None;
        }
        finally
        {
            if (charged)
            {
                storage?.Dispose();
                header?.Dispose();
                budget.Release(usage);
            }
        }
    }

    /// <summary>
    /// The kernel's <c>array_map_mem_usage</c>: what a map of these attributes is charged (fdinfo <c>memlock</c>);
    /// <see cref="ulong.MaxValue"/> if it does not fit in 64 bits.
    /// </summary>
    public static ulong MemoryUsage(MapType type, uint valueSize, uint maxEntries, uint mapFlags, int possibleCpus)
    {
        ulong elem = type is MapType.Array or MapType.PerCpuArray ? RoundUp8(valueSize) : 8;
        ulong entries = maxEntries;
        if (type == MapType.PerCpuArray)
        {
            var total = (UInt128)ArrayHeaderBytes + (UInt128)entries * 8 + (UInt128)elem * entries * (ulong)possibleCpus;
            return total > ulong.MaxValue ? ulong.MaxValue : (ulong)total;
        }

        var data = entries * elem; // < 2^63: elem <= 2^31, entries < 2^32
        if ((mapFlags & (uint)MapFlags.BPF_F_MMAPABLE) != 0)
            return PageAlign(ArrayHeaderBytes) + PageAlign(data);
        return ArrayHeaderBytes + data;
    }

    /// <summary>The kernel's <c>bpf_obj_name_cpy</c>: <c>[A-Za-z0-9_.]</c>, NUL within 16 bytes, bytes after the NUL ignored.</summary>
    public static Errno ParseName(string? name, out string parsed)
    {
        parsed = "";
        if (string.IsNullOrEmpty(name))
            return Errno.None;
        var bytes = Encoding.UTF8.GetBytes(name);
        var end = Array.IndexOf(bytes, (byte)0);
        if (end < 0)
            end = bytes.Length;
        if (end >= 16)
            return Errno.EINVAL; // no NUL within BPF_OBJ_NAME_LEN
        for (var i = 0; i < end; i++)
        {
            var c = bytes[i];
            if (!(char.IsAsciiLetterOrDigit((char)c) || c == '_' || c == '.'))
                return Errno.EINVAL;
        }

        parsed = Encoding.ASCII.GetString(bytes, 0, end);
        return Errno.None;
    }

    private static Errno Validate(in MapCreateAttr attr, out uint flags)
    {
        flags = attr.MapFlags;
        // BPF_F_TOKEN_FD is taken off before anything looks at the flags, and acted on after map_alloc_check.
        var tokenFlag = (flags & (uint)MapFlags.BPF_F_TOKEN_FD) != 0;
        flags &= ~(uint)MapFlags.BPF_F_TOKEN_FD;

        if (attr.BtfVmlinuxValueTypeId != 0)
        {
            if (attr.Type != MapType.StructOps || attr.BtfKeyTypeId != 0 || attr.BtfValueTypeId != 0)
                return Errno.EINVAL;
        }
        else if (attr.BtfKeyTypeId != 0 && attr.BtfValueTypeId == 0)
        {
            return Errno.EINVAL;
        }

        if (attr.MapExtra != 0 && attr.Type is not (MapType.BloomFilter or MapType.Arena))
            return Errno.EINVAL;
        if (OpenFile.ModeFromFlags(flags, out _) != Errno.None)
            return Errno.EINVAL;
        var numaNode = (flags & (uint)MapFlags.BPF_F_NUMA_NODE) != 0 ? attr.NumaNode : NumaNode.NoNode;
        if (numaNode != NumaNode.NoNode && numaNode >= 1)
            return Errno.EINVAL; // the userspace runtime has one node, node 0
        if (attr.Type is not (MapType.Array or MapType.PerCpuArray or MapType.ProgArray or MapType.PerfEventArray
            or MapType.CgroupArray))
            return Errno.EINVAL;

        var err = ArrayAllocCheck(attr, flags, numaNode);
        if (err != Errno.None)
            return err;
        if (tokenFlag)
            return Errno.EINVAL; // token_fd 0 is not a BPF token
        if (attr.MapIfIndex != 0)
            // bpf_map_offload_map_alloc: only ARRAY and HASH can be offloaded, and no device here can.
            return attr.Type == MapType.Array ? Errno.EOPNOTSUPP : Errno.EINVAL;
        return Errno.None;
    }

    /// <summary><c>fd_array_map_alloc_check</c> and <c>array_map_alloc_check</c>.</summary>
    private static Errno ArrayAllocCheck(in MapCreateAttr attr, uint flags, uint numaNode)
    {
        var type = attr.Type;
        if (type is MapType.ProgArray or MapType.PerfEventArray or MapType.CgroupArray)
        {
            if (attr.ValueSize != sizeof(uint) || (flags & ProgAccessFlags) != 0)
                return Errno.EINVAL;
        }

        var percpu = type == MapType.PerCpuArray;
        if (attr.MaxEntries == 0 || attr.KeySize != 4 || attr.ValueSize == 0 || (flags & ~ArrayCreateFlagMask) != 0
            || (flags & ProgAccessFlags) == ProgAccessFlags || (percpu && numaNode != NumaNode.NoNode))
            return Errno.EINVAL;
        if (type != MapType.Array && (flags & (uint)(MapFlags.BPF_F_MMAPABLE | MapFlags.BPF_F_INNER_MAP)) != 0)
            return Errno.EINVAL;
        if (type != MapType.PerfEventArray && (flags & (uint)MapFlags.BPF_F_PRESERVE_ELEMS) != 0)
            return Errno.EINVAL;
        if (attr.ValueSize > int.MaxValue)
            return Errno.E2BIG;
        if (percpu && RoundUp8(attr.ValueSize) > PerCpuMaxElemSize)
            return Errno.E2BIG;
        return Errno.None;
    }

    private static Errno AllocateValues(in MapCreateAttr attr, uint flags, int possibleCpus, out NativeBuffer? storage,
        out ulong extent, out BpfObject?[]? slots)
    {
        storage = null;
        slots = null;
        extent = 0;
        var elem = RoundUp8(attr.ValueSize);
        switch (attr.Type)
        {
            case MapType.Array:
            {
                var area = attr.MaxEntries * elem;
                var mmapable = (flags & (uint)MapFlags.BPF_F_MMAPABLE) != 0;
                if (mmapable)
                    area = PageAlign(area);
                storage = NativeBuffer.TryAllocate(area, mmapable ? (uint)Environment.SystemPageSize : PerCpuArrayMapObject.CacheLine);
                extent = area;
                return storage is null ? Errno.ENOMEM : Errno.None;
            }

            case MapType.PerCpuArray:
            {
                var stride = RoundUp((ulong)attr.MaxEntries * elem, PerCpuArrayMapObject.CacheLine);
                var total = (UInt128)stride * (ulong)possibleCpus;
                if (total > long.MaxValue)
                    return Errno.ENOMEM;
                storage = NativeBuffer.TryAllocate((ulong)total, PerCpuArrayMapObject.CacheLine);
                extent = stride;
                return storage is null ? Errno.ENOMEM : Errno.None;
            }

            default:
                if (attr.MaxEntries > (uint)Array.MaxLength)
                    return Errno.ENOMEM;
                try
                {
                    slots = new BpfObject?[attr.MaxEntries];
                    return Errno.None;
                }
                catch (OutOfMemoryException)
                {
                    return Errno.ENOMEM;
                }
        }
    }

    private static Errno ResolveBtf(in MapCreateAttr attr, FdTable? fds, out uint btfId)
    {
        btfId = 0;
        if (attr.BtfKeyTypeId == 0 && attr.BtfValueTypeId == 0 && attr.BtfVmlinuxValueTypeId == 0)
            return Errno.None; // btf_fd is not looked at
        var file = fds?.Get(attr.BtfFd);
        if (file is null) // without a table, 0..2 are still the standard streams: open, but not BTF
            return fds is null && attr.BtfFd is >= 0 and < FdTable.FirstFd ? Errno.EINVAL : Errno.EBADF;
        if (file.Object.Kind != ObjectKind.Btf)
            return Errno.EINVAL;
        btfId = file.Object.Id;
        return Errno.None;
    }

    private static ulong RoundUp8(uint value) => ((ulong)value + 7) & ~7UL;

    private static ulong RoundUp(ulong value, ulong multiple) => (value + multiple - 1) / multiple * multiple;

    private static ulong PageAlign(ulong value) => RoundUp(value, (ulong)Environment.SystemPageSize);
}
