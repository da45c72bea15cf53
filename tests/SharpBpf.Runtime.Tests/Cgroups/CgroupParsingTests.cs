using SharpBpf.Runtime.Cgroups;

namespace SharpBpf.Runtime.Tests.Cgroups;

/// <summary>The pure parts: mountinfo, /proc/*/cgroup, and the "same or descendant" rule of spec F.1.</summary>
public class CgroupParsingTests
{
    // This machine's mountinfo (cgroup v1 controllers plus cgroup2 at /sys/fs/cgroup/unified), trimmed.
    private const string HybridMountInfo = """
        23 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw

        """;

    [Fact]
    public void ParseMounts_HybridLayout_OnlyTheCgroup2Mount()
    {
        var mounts = CgroupV2.ParseMounts(HybridMountInfo);

        Assert.Equal([new CgroupMount(41, "/sys/fs/cgroup/unified", "/")], mounts);
    }

    [Fact]
    public void ParseMounts_OptionalFieldsEscapesAndBindMount_Parsed()
    {
        const string text = """
            30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 master:1 - cgroup2 cgroup2 rw,nsdelegate
            90 30 0:26 /system.slice /mnt/my\040cgroups rw,relatime shared:4 - cgroup2 cgroup2 rw
            91 30 0:27 / /mnt/other rw - ext4 /dev/sda1 rw
            """;

        var mounts = CgroupV2.ParseMounts(text);

        Assert.Equal(
            [new CgroupMount(30, "/sys/fs/cgroup", "/"), new CgroupMount(90, "/mnt/my cgroups", "/system.slice")],
            mounts);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage\n")]
    [InlineData("1 2 3\n")]
    [InlineData("x 1 0:1 / /a rw - cgroup2 cgroup2 rw\n")]
    [InlineData("32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n")]
    public void ParseMounts_NoWellFormedCgroup2Line_Empty(string text)
    {
        Assert.Empty(CgroupV2.ParseMounts(text));
    }

    [Theory]
    [InlineData("0::/\n", "/")]
    [InlineData("9:name=systemd:/\n4:memory:/process_api/c5\n1:cpu:/\n0::/\n", "/")]
    [InlineData("0::/ksem_probe/child\n", "/ksem_probe/child")]
    [InlineData("0::/a b/c", "/a b/c")]
    [InlineData("12:pids:/x\n0::/user.slice/session-1.scope\n", "/user.slice/session-1.scope")]
    public void ParseUnifiedPath_ProcCgroupText_ThePathOfTheZeroLine(string text, string expected)
    {
        Assert.Equal(expected, CgroupV2.ParseUnifiedPath(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("4:memory:/a\n1:cpu:/\n")]
    [InlineData("10::/not-v2\n")]
    public void ParseUnifiedPath_NoCgroupV2Line_Null(string text)
    {
        Assert.Null(CgroupV2.ParseUnifiedPath(text));
    }

    /// <summary>Spec F.1's table as paths: the task's cgroup against slots root, ksem_probe, ksem_probe/child.</summary>
    public static TheoryData<string, string, bool> F1Table => new()
    {
        { "/", "/", true },
        { "/", "/ksem_probe", false },
        { "/", "/ksem_probe/child", false },
        { "/ksem_probe", "/", true },
        { "/ksem_probe", "/ksem_probe", true },
        { "/ksem_probe", "/ksem_probe/child", false },
        { "/ksem_probe/child", "/", true },
        { "/ksem_probe/child", "/ksem_probe", true },
        { "/ksem_probe/child", "/ksem_probe/child", true },
    };

    [Theory]
    [MemberData(nameof(F1Table))]
    public void IsSameOrDescendant_SpecF1Table(string taskCgroup, string slotCgroup, bool expected)
    {
        Assert.Equal(expected, CgroupV2.IsSameOrDescendant(taskCgroup, slotCgroup));
    }

    [Theory]
    [InlineData("/ab", "/a", false)]
    [InlineData("/a", "/ab", false)]
    [InlineData("/a/b/c/d", "/a/b", true)]
    [InlineData("/a/bc", "/a/b", false)]
    [InlineData("/a", "/a/b", false)]
    [InlineData("", "/", false)]
    [InlineData("/x", "", false)]
    public void IsSameOrDescendant_ComponentWise(string path, string ancestor, bool expected)
    {
        Assert.Equal(expected, CgroupV2.IsSameOrDescendant(path, ancestor));
    }
}
