using SharpBpf.Abi;

namespace SharpBpf.Backend;

/// <summary>The <c>BPF_MAP_CREATE</c> part of <c>union bpf_attr</c>.</summary>
public readonly record struct MapCreateAttr
{
    /// <summary><c>map_type</c>.</summary>
    public MapType Type { get; init; }

    /// <summary><c>key_size</c> in bytes.</summary>
    public uint KeySize { get; init; }

    /// <summary><c>value_size</c> in bytes.</summary>
    public uint ValueSize { get; init; }

    /// <summary><c>max_entries</c>.</summary>
    public uint MaxEntries { get; init; }

    /// <summary><c>map_flags</c> (see <see cref="Abi.MapFlags"/>).</summary>
    public uint MapFlags { get; init; }

    /// <summary><c>inner_map_fd</c> (map-in-map types).</summary>
    public int InnerMapFd { get; init; }

    /// <summary><c>numa_node</c>, only read with <c>BPF_F_NUMA_NODE</c>.</summary>
    public uint NumaNode { get; init; }

    /// <summary>
    /// <c>map_name</c>. Encoded as UTF-8 into the 16-byte field: bytes after the first NUL are ignored and a name
    /// whose encoding has no NUL within 16 bytes is invalid, exactly as the kernel sees it.
    /// </summary>
    public string? Name { get; init; }

    /// <summary><c>map_ifindex</c> (device offload; not supported by SharpBPF or this kernel's arrays).</summary>
    public uint MapIfIndex { get; init; }

    /// <summary><c>btf_fd</c>.</summary>
    public int BtfFd { get; init; }

    /// <summary><c>btf_key_type_id</c>.</summary>
    public uint BtfKeyTypeId { get; init; }

    /// <summary><c>btf_value_type_id</c>.</summary>
    public uint BtfValueTypeId { get; init; }

    /// <summary><c>btf_vmlinux_value_type_id</c>.</summary>
    public uint BtfVmlinuxValueTypeId { get; init; }

    /// <summary><c>map_extra</c>.</summary>
    public ulong MapExtra { get; init; }
}
