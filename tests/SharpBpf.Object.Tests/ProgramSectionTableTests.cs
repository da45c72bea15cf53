using SharpBpf.Abi;

namespace SharpBpf.Object.Tests;

public class ProgramSectionTableTests
{
    [Theory]
    [InlineData("socket", ProgramType.SocketFilter)]
    [InlineData("xdp", ProgramType.Xdp)]
    [InlineData("xdp.frags", ProgramType.Xdp)]
    [InlineData("xdp/devmap", ProgramType.Xdp)]
    [InlineData("xdp/tail_0", ProgramType.Unspec)]
    [InlineData("xdp_foo", ProgramType.Unspec)]
    [InlineData("tc", ProgramType.SchedCls)]
    [InlineData("tc/ingress", ProgramType.SchedCls)]
    [InlineData("classifier", ProgramType.SchedCls)]
    [InlineData("action", ProgramType.SchedAct)]
    [InlineData("kprobe/do_nanosleep", ProgramType.Kprobe)]
    [InlineData("kprobe", ProgramType.Kprobe)]
    [InlineData("kprobefoo", ProgramType.Unspec)]
    [InlineData("kretprobe/x", ProgramType.Kprobe)]
    [InlineData("uprobe/bin:sym", ProgramType.Kprobe)]
    [InlineData("uretprobe/bin:sym", ProgramType.Kprobe)]
    [InlineData("tracepoint/syscalls/sys_enter_write", ProgramType.Tracepoint)]
    [InlineData("tp/sched/sched_switch", ProgramType.Tracepoint)]
    [InlineData("raw_tracepoint/sys_enter", ProgramType.RawTracepoint)]
    [InlineData("raw_tp/sys_enter", ProgramType.RawTracepoint)]
    [InlineData("raw_tp.w/sys_enter", ProgramType.RawTracepointWritable)]
    [InlineData("perf_event", ProgramType.PerfEvent)]
    [InlineData("cgroup_skb/ingress", ProgramType.CgroupSkb)]
    [InlineData("cgroup_skb/egress", ProgramType.CgroupSkb)]
    [InlineData("cgroup/skb", ProgramType.CgroupSkb)]
    [InlineData("cgroup/sock", ProgramType.CgroupSock)]
    [InlineData("cgroup/connect4", ProgramType.CgroupSockAddr)]
    [InlineData("sk_skb", ProgramType.SkSkb)]
    [InlineData("sk_skb/stream_parser", ProgramType.SkSkb)]
    [InlineData("sk_msg", ProgramType.SkMsg)]
    [InlineData("lwt_in", ProgramType.LwtIn)]
    [InlineData("lwt_xmit", ProgramType.LwtXmit)]
    [InlineData("fentry/do_unlinkat", ProgramType.Tracing)]
    [InlineData("fexit/do_unlinkat", ProgramType.Tracing)]
    [InlineData("lsm/file_open", ProgramType.Lsm)]
    [InlineData("syscall", ProgramType.Syscall)]
    [InlineData("?xdp", ProgramType.Xdp)]
    [InlineData(".text", ProgramType.Unspec)]
    [InlineData("", ProgramType.Unspec)]
    public void TypeOf_SectionName_FollowsLibbpf(string section, ProgramType expected)
    {
        Assert.Equal(expected, ProgramSectionTable.TypeOf(section));
    }

    [Theory]
    [InlineData("xdp", AttachType.Xdp)]
    [InlineData("xdp/cpumap", AttachType.XdpCpumap)]
    [InlineData("cgroup_skb/egress", AttachType.CgroupInetEgress)]
    [InlineData("sk_skb/stream_verdict", AttachType.SkSkbStreamVerdict)]
    [InlineData("fentry/x", AttachType.TraceFentry)]
    [InlineData("tp_btf/sched_switch", AttachType.TraceRawTp)]
    public void Find_AttachableSection_GivesExpectedAttachType(string section, AttachType expected)
    {
        Assert.Equal(expected, ProgramSectionTable.Find(section)?.ExpectedAttachType);
    }

    [Theory]
    [InlineData("socket")]
    [InlineData("kprobe/x")]
    [InlineData("tracepoint/a/b")]
    [InlineData("cgroup/skb")]
    public void Find_SectionWithoutAttachType_IsNull(string section)
    {
        Assert.NotNull(ProgramSectionTable.Find(section));
        Assert.Null(ProgramSectionTable.Find(section)!.ExpectedAttachType);
    }

    [Fact]
    public void Definitions_NoRowIsShadowedByAnEarlierOne()
    {
        // A row that can never match (an earlier row matches every name it matches) would be dead data.
        var rows = ProgramSectionTable.Definitions;
        for (int i = 0; i < rows.Count; i++)
        {
            string example = rows[i].Pattern.TrimEnd('+');
            Assert.Same(rows[i], ProgramSectionTable.Find(example));
        }
    }
}
