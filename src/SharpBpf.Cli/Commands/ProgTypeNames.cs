using SharpBpf.Abi;
using SharpBpf.Object;
using SharpBpf.Runtime.Contexts;

namespace SharpBpf.Cli.Commands;

/// <summary>Program and map type names as bpftool and libbpf spell them.</summary>
public static class ProgTypeNames
{
    private static readonly Dictionary<ProgramType, string> s_programs = new()
    {
        [ProgramType.SocketFilter] = "socket_filter",
        [ProgramType.Kprobe] = "kprobe",
        [ProgramType.SchedCls] = "sched_cls",
        [ProgramType.SchedAct] = "sched_act",
        [ProgramType.Tracepoint] = "tracepoint",
        [ProgramType.Xdp] = "xdp",
        [ProgramType.PerfEvent] = "perf_event",
        [ProgramType.CgroupSkb] = "cgroup_skb",
        [ProgramType.CgroupSock] = "cgroup_sock",
        [ProgramType.LwtIn] = "lwt_in",
        [ProgramType.LwtOut] = "lwt_out",
        [ProgramType.LwtXmit] = "lwt_xmit",
        [ProgramType.SockOps] = "sock_ops",
        [ProgramType.SkSkb] = "sk_skb",
        [ProgramType.CgroupDevice] = "cgroup_device",
        [ProgramType.SkMsg] = "sk_msg",
        [ProgramType.RawTracepoint] = "raw_tracepoint",
        [ProgramType.CgroupSockAddr] = "cgroup_sock_addr",
        [ProgramType.LwtSeg6Local] = "lwt_seg6local",
        [ProgramType.LircMode2] = "lirc_mode2",
        [ProgramType.SkReuseport] = "sk_reuseport",
        [ProgramType.FlowDissector] = "flow_dissector",
        [ProgramType.CgroupSysctl] = "cgroup_sysctl",
        [ProgramType.RawTracepointWritable] = "raw_tracepoint_writable",
        [ProgramType.CgroupSockopt] = "cgroup_sockopt",
        [ProgramType.Tracing] = "tracing",
        [ProgramType.StructOps] = "struct_ops",
        [ProgramType.Ext] = "ext",
        [ProgramType.Lsm] = "lsm",
        [ProgramType.SkLookup] = "sk_lookup",
        [ProgramType.Syscall] = "syscall",
        [ProgramType.Netfilter] = "netfilter",
        [RuntimeProgramTypes.Memory] = "memory",
    };

    private static readonly Dictionary<MapType, string> s_maps = new()
    {
        [MapType.Hash] = "hash",
        [MapType.Array] = "array",
        [MapType.ProgArray] = "prog_array",
        [MapType.PerfEventArray] = "perf_event_array",
        [MapType.PerCpuHash] = "percpu_hash",
        [MapType.PerCpuArray] = "percpu_array",
        [MapType.StackTrace] = "stack_trace",
        [MapType.CgroupArray] = "cgroup_array",
        [MapType.LruHash] = "lru_hash",
        [MapType.LruPerCpuHash] = "lru_percpu_hash",
        [MapType.LpmTrie] = "lpm_trie",
        [MapType.ArrayOfMaps] = "array_of_maps",
        [MapType.HashOfMaps] = "hash_of_maps",
        [MapType.DevMap] = "devmap",
        [MapType.SockMap] = "sockmap",
        [MapType.CpuMap] = "cpumap",
        [MapType.XskMap] = "xskmap",
        [MapType.SockHash] = "sockhash",
        [MapType.CgroupStorage] = "cgroup_storage",
        [MapType.ReuseportSockArray] = "reuseport_sockarray",
        [MapType.PerCpuCgroupStorage] = "percpu_cgroup_storage",
        [MapType.Queue] = "queue",
        [MapType.Stack] = "stack",
        [MapType.SkStorage] = "sk_storage",
        [MapType.DevMapHash] = "devmap_hash",
        [MapType.StructOps] = "struct_ops",
        [MapType.RingBuf] = "ringbuf",
        [MapType.InodeStorage] = "inode_storage",
        [MapType.TaskStorage] = "task_storage",
        [MapType.BloomFilter] = "bloom_filter",
        [MapType.UserRingBuf] = "user_ringbuf",
        [MapType.CgrpStorage] = "cgrp_storage",
        [MapType.Arena] = "arena",
    };

    /// <summary>bpftool's name of a program type (<c>xdp</c>, <c>sched_cls</c>, ...).</summary>
    public static string Of(ProgramType type) => s_programs.TryGetValue(type, out var name) ? name : $"type {(uint)type}";

    /// <summary>bpftool's name of a map type (<c>array</c>, <c>percpu_array</c>, ...).</summary>
    public static string Of(MapType type) => s_maps.TryGetValue(type, out var name) ? name : $"type {(uint)type}";

    /// <summary>
    /// A program type from a name: bpftool's type names (<c>xdp</c>, <c>socket_filter</c>, <c>sched_cls</c>), libbpf
    /// section names (<c>socket</c>, <c>tc</c>, <c>raw_tp</c>) or <c>memory</c> (the runtime's plain memory type).
    /// </summary>
    public static bool TryParse(string text, out ProgramType type)
    {
        foreach (var (t, name) in s_programs)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                type = t;
                return true;
            }
        }

        type = ProgramSectionTable.TypeOf(text.ToLowerInvariant());
        return type != ProgramType.Unspec;
    }

    /// <summary>The names <see cref="TryParse"/> accepts, for messages.</summary>
    public static string Known => "xdp, socket_filter (socket), sched_cls (tc), sched_act, cgroup_skb, lwt_in, lwt_out, lwt_xmit, raw_tracepoint (raw_tp), memory";
}
