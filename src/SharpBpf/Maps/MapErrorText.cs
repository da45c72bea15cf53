using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Maps;

/// <summary>
/// Turns a map command's errno into the message of a <see cref="BpfException"/>: the command, the map's name and
/// what the errno means for that command and map (the one place per subsystem where errno becomes meaning).
/// </summary>
internal static class MapErrorText
{
    public static BpfException Exception(BpfCommand command, in MapInfo info, Errno errno, ReadOnlySpan<byte> key = default,
        ulong flags = 0, string? extra = null)
    {
        var detail = Detail(command, info, errno, key, flags);
        if (extra is not null)
            detail = detail is null ? extra : $"{detail}; {extra}";
        var text = $"{command} on map '{info.Name}': {BpfException.ErrnoName(errno)}";
        return new BpfException(errno, detail is null ? text : $"{text} ({detail})");
    }

    public static BpfException CreateException(in MapCreateAttr attr, Errno errno)
    {
        var detail = errno switch
        {
            Errno.EINVAL => "invalid attributes for this map type",
            Errno.E2BIG => "value_size too large for this map type",
            Errno.ENOMEM => "not enough memory: over the memory budget or larger than the machine",
            Errno.EOPNOTSUPP => "device offload is not supported",
            Errno.EPERM => "not permitted",
            _ => null,
        };
        var text = $"{BpfCommand.BPF_MAP_CREATE} of {attr.Type} map '{attr.Name}' (key_size {attr.KeySize}, value_size {attr.ValueSize}, max_entries {attr.MaxEntries}, flags 0x{attr.MapFlags:x}): {BpfException.ErrnoName(errno)}";
        return new BpfException(errno, detail is null ? text : $"{text} ({detail})");
    }

    private static string? Detail(BpfCommand command, in MapInfo info, Errno errno, ReadOnlySpan<byte> key, ulong flags)
    {
        var isArray = info.Type is MapType.Array or MapType.PerCpuArray or MapType.ProgArray or MapType.PerfEventArray
            or MapType.CgroupArray or MapType.ArrayOfMaps;
        uint? index = isArray && key.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(key) : null;
        var writes = command is BpfCommand.BPF_MAP_UPDATE_ELEM or BpfCommand.BPF_MAP_DELETE_ELEM
            or BpfCommand.BPF_MAP_UPDATE_BATCH or BpfCommand.BPF_MAP_DELETE_BATCH or BpfCommand.BPF_MAP_FREEZE;
        return errno switch
        {
            Errno.E2BIG when index is { } i => $"index {i} >= max_entries {info.MaxEntries}",
            Errno.ENOENT when command == BpfCommand.BPF_MAP_GET_NEXT_KEY =>
                key.IsEmpty ? "the map is empty" : index is { } i ? $"no key after {i}" : "no next key",
            Errno.ENOENT when index is { } i && i >= info.MaxEntries => $"index {i} >= max_entries {info.MaxEntries}",
            Errno.ENOENT when index is { } i => $"no element at index {i}",
            Errno.EEXIST when index is { } i => $"BPF_NOEXIST but element {i} exists (array elements always exist)",
            Errno.EPERM when writes => "the map is frozen or the descriptor is read-only",
            Errno.EPERM => "the descriptor is write-only",
            Errno.EINVAL when command == BpfCommand.BPF_MAP_DELETE_ELEM && info.Type is MapType.Array or MapType.PerCpuArray =>
                "array elements cannot be deleted",
            Errno.EINVAL when flags != 0 => $"flags 0x{flags:x} are not valid here",
            Errno.ENOTSUPP or Errno.EOPNOTSUPP => $"not supported by {info.Type} maps",
            Errno.EFAULT => "a buffer is too small",
            Errno.EBUSY when command == BpfCommand.BPF_MAP_FREEZE => "a writable mapping exists",
            Errno.EBADF => "the descriptor is not open",
            _ => null,
        };
    }
}
