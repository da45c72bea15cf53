using SharpBpf.Abi;
using A = SharpBpf.Object.AttachType;
using T = SharpBpf.Abi.ProgramType;

namespace SharpBpf.Object;

/// <summary>
/// Section name to program type, following libbpf's <c>section_defs[]</c> (libbpf 1.x,
/// <c>src/libbpf.c</c>): the first matching row wins, so more specific rows come first. Names libbpf
/// does not know (for example <c>xdp/tail_0</c>, which libbpf 1.x rejects) give
/// <see cref="ProgramType.Unspec"/> and the caller must choose the type. A leading <c>?</c>
/// (libbpf's "do not autoload" marker) is ignored.
/// </summary>
public static class ProgramSectionTable
{
    private static readonly SectionDefinition[] Rows =
    [
        new("socket", T.SocketFilter, null),
        new("sk_reuseport/migrate", T.SkReuseport, A.SkReuseportSelectOrMigrate),
        new("sk_reuseport", T.SkReuseport, A.SkReuseportSelect),
        new("kprobe+", T.Kprobe, null),
        new("uprobe+", T.Kprobe, null),
        new("uprobe.s+", T.Kprobe, null),
        new("kretprobe+", T.Kprobe, null),
        new("uretprobe+", T.Kprobe, null),
        new("uretprobe.s+", T.Kprobe, null),
        new("kprobe.multi+", T.Kprobe, A.TraceKprobeMulti),
        new("kretprobe.multi+", T.Kprobe, A.TraceKprobeMulti),
        new("kprobe.session+", T.Kprobe, A.TraceKprobeSession),
        new("uprobe.multi+", T.Kprobe, A.TraceUprobeMulti),
        new("uretprobe.multi+", T.Kprobe, A.TraceUprobeMulti),
        new("uprobe.session+", T.Kprobe, A.TraceUprobeSession),
        new("uprobe.multi.s+", T.Kprobe, A.TraceUprobeMulti),
        new("uretprobe.multi.s+", T.Kprobe, A.TraceUprobeMulti),
        new("uprobe.session.s+", T.Kprobe, A.TraceUprobeSession),
        new("ksyscall+", T.Kprobe, null),
        new("kretsyscall+", T.Kprobe, null),
        new("usdt+", T.Kprobe, null),
        new("usdt.s+", T.Kprobe, null),
        new("tc/ingress", T.SchedCls, A.TcxIngress),
        new("tc/egress", T.SchedCls, A.TcxEgress),
        new("tcx/ingress", T.SchedCls, A.TcxIngress),
        new("tcx/egress", T.SchedCls, A.TcxEgress),
        new("tc", T.SchedCls, null),
        new("classifier", T.SchedCls, null),
        new("action", T.SchedAct, null),
        new("netkit/primary", T.SchedCls, A.NetkitPrimary),
        new("netkit/peer", T.SchedCls, A.NetkitPeer),
        new("tracepoint+", T.Tracepoint, null),
        new("tp+", T.Tracepoint, null),
        new("tracepoint.s+", T.Tracepoint, null),
        new("tp.s+", T.Tracepoint, null),
        new("raw_tracepoint+", T.RawTracepoint, null),
        new("raw_tp+", T.RawTracepoint, null),
        new("raw_tracepoint.s+", T.RawTracepoint, null),
        new("raw_tp.s+", T.RawTracepoint, null),
        new("raw_tracepoint.w+", T.RawTracepointWritable, null),
        new("raw_tp.w+", T.RawTracepointWritable, null),
        new("tp_btf+", T.Tracing, A.TraceRawTp),
        new("tp_btf.s+", T.Tracing, A.TraceRawTp),
        new("fentry+", T.Tracing, A.TraceFentry),
        new("fmod_ret+", T.Tracing, A.ModifyReturn),
        new("fexit+", T.Tracing, A.TraceFexit),
        new("fentry.s+", T.Tracing, A.TraceFentry),
        new("fmod_ret.s+", T.Tracing, A.ModifyReturn),
        new("fexit.s+", T.Tracing, A.TraceFexit),
        new("freplace+", T.Ext, null),
        new("lsm+", T.Lsm, A.LsmMac),
        new("lsm.s+", T.Lsm, A.LsmMac),
        new("lsm_cgroup+", T.Lsm, A.LsmCgroup),
        new("iter+", T.Tracing, A.TraceIter),
        new("iter.s+", T.Tracing, A.TraceIter),
        new("syscall", T.Syscall, null),
        new("xdp.frags/devmap", T.Xdp, A.XdpDevmap),
        new("xdp/devmap", T.Xdp, A.XdpDevmap),
        new("xdp.frags/cpumap", T.Xdp, A.XdpCpumap),
        new("xdp/cpumap", T.Xdp, A.XdpCpumap),
        new("xdp.frags", T.Xdp, A.Xdp),
        new("xdp", T.Xdp, A.Xdp),
        new("perf_event", T.PerfEvent, null),
        new("lwt_in", T.LwtIn, null),
        new("lwt_out", T.LwtOut, null),
        new("lwt_xmit", T.LwtXmit, null),
        new("lwt_seg6local", T.LwtSeg6Local, null),
        new("sockops", T.SockOps, A.CgroupSockOps),
        new("sk_skb/stream_parser", T.SkSkb, A.SkSkbStreamParser),
        new("sk_skb/stream_verdict", T.SkSkb, A.SkSkbStreamVerdict),
        new("sk_skb/verdict", T.SkSkb, A.SkSkbVerdict),
        new("sk_skb", T.SkSkb, null),
        new("sk_msg", T.SkMsg, A.SkMsgVerdict),
        new("lirc_mode2", T.LircMode2, A.LircMode2),
        new("flow_dissector", T.FlowDissector, A.FlowDissector),
        new("cgroup_skb/ingress", T.CgroupSkb, A.CgroupInetIngress),
        new("cgroup_skb/egress", T.CgroupSkb, A.CgroupInetEgress),
        new("cgroup/skb", T.CgroupSkb, null),
        new("cgroup/sock_create", T.CgroupSock, A.CgroupInetSockCreate),
        new("cgroup/sock_release", T.CgroupSock, A.CgroupInetSockRelease),
        new("cgroup/sock", T.CgroupSock, A.CgroupInetSockCreate),
        new("cgroup/post_bind4", T.CgroupSock, A.CgroupInet4PostBind),
        new("cgroup/post_bind6", T.CgroupSock, A.CgroupInet6PostBind),
        new("cgroup/bind4", T.CgroupSockAddr, A.CgroupInet4Bind),
        new("cgroup/bind6", T.CgroupSockAddr, A.CgroupInet6Bind),
        new("cgroup/connect4", T.CgroupSockAddr, A.CgroupInet4Connect),
        new("cgroup/connect6", T.CgroupSockAddr, A.CgroupInet6Connect),
        new("cgroup/connect_unix", T.CgroupSockAddr, A.CgroupUnixConnect),
        new("cgroup/sendmsg4", T.CgroupSockAddr, A.CgroupUdp4Sendmsg),
        new("cgroup/sendmsg6", T.CgroupSockAddr, A.CgroupUdp6Sendmsg),
        new("cgroup/sendmsg_unix", T.CgroupSockAddr, A.CgroupUnixSendmsg),
        new("cgroup/recvmsg4", T.CgroupSockAddr, A.CgroupUdp4Recvmsg),
        new("cgroup/recvmsg6", T.CgroupSockAddr, A.CgroupUdp6Recvmsg),
        new("cgroup/recvmsg_unix", T.CgroupSockAddr, A.CgroupUnixRecvmsg),
        new("cgroup/getpeername4", T.CgroupSockAddr, A.CgroupInet4Getpeername),
        new("cgroup/getpeername6", T.CgroupSockAddr, A.CgroupInet6Getpeername),
        new("cgroup/getpeername_unix", T.CgroupSockAddr, A.CgroupUnixGetpeername),
        new("cgroup/getsockname4", T.CgroupSockAddr, A.CgroupInet4Getsockname),
        new("cgroup/getsockname6", T.CgroupSockAddr, A.CgroupInet6Getsockname),
        new("cgroup/getsockname_unix", T.CgroupSockAddr, A.CgroupUnixGetsockname),
        new("cgroup/sysctl", T.CgroupSysctl, A.CgroupSysctl),
        new("cgroup/getsockopt", T.CgroupSockopt, A.CgroupGetsockopt),
        new("cgroup/setsockopt", T.CgroupSockopt, A.CgroupSetsockopt),
        new("cgroup/dev", T.CgroupDevice, A.CgroupDevice),
        new("struct_ops+", T.StructOps, null),
        new("struct_ops.s+", T.StructOps, null),
        new("sk_lookup", T.SkLookup, A.SkLookup),
        new("netfilter", T.Netfilter, A.Netfilter),
    ];

    /// <summary>The table, in match order.</summary>
    public static IReadOnlyList<SectionDefinition> Definitions => Rows;

    /// <summary>The first row matching <paramref name="sectionName"/>, or null when libbpf would not know it.</summary>
    public static SectionDefinition? Find(string sectionName)
    {
        ArgumentNullException.ThrowIfNull(sectionName);
        string name = sectionName.StartsWith('?') ? sectionName[1..] : sectionName;
        foreach (var row in Rows)
        {
            if (row.Matches(name))
                return row;
        }

        return null;
    }

    /// <summary>The program type libbpf gives <paramref name="sectionName"/>; <see cref="ProgramType.Unspec"/> if unknown.</summary>
    public static ProgramType TypeOf(string sectionName) => Find(sectionName)?.Type ?? ProgramType.Unspec;
}
