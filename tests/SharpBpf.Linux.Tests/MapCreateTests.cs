using System.Runtime.InteropServices;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Linux.Interop;
using SharpBpf.Linux.Tests.Support;

namespace SharpBpf.Linux.Tests;

/// <summary>BPF_MAP_CREATE against section A of the kernel array-maps spec (row ids in the data).</summary>
public sealed class MapCreateTests : KernelTestBase
{
    private const uint U32Max = uint.MaxValue;
    private const uint IntMax = int.MaxValue;

    /// <summary>A.1 size validation. Rows that really allocate GiBs (v = INT_MAX, max = 0x08000001) are left out.</summary>
    public static TheoryData<string, MapType, uint, uint, uint, Errno> SizeRows => new()
    {
        { "A.1 ARRAY k=0", MapType.Array, 0, 8, 4, Errno.EINVAL },
        { "A.1 ARRAY k=2", MapType.Array, 2, 8, 4, Errno.EINVAL },
        { "A.1 ARRAY k=8", MapType.Array, 8, 8, 4, Errno.EINVAL },
        { "A.1 PERCPU k=8", MapType.PerCpuArray, 8, 8, 4, Errno.EINVAL },
        { "A.1 ARRAY v=0", MapType.Array, 4, 0, 4, Errno.EINVAL },
        { "A.1 PERCPU v=0", MapType.PerCpuArray, 4, 0, 4, Errno.EINVAL },
        { "A.1 ARRAY max=0", MapType.Array, 4, 8, 0, Errno.EINVAL },
        { "A.1 PERCPU max=0", MapType.PerCpuArray, 4, 8, 0, Errno.EINVAL },
        { "A.1 ARRAY v=1", MapType.Array, 4, 1, 4, Errno.None },
        { "A.1 ARRAY v=8", MapType.Array, 4, 8, 4, Errno.None },
        { "A.1 PERCPU v=8", MapType.PerCpuArray, 4, 8, 4, Errno.None },
        { "A.1 PERCPU v=32761", MapType.PerCpuArray, 4, 32761, 1, Errno.None },
        { "A.1 PERCPU v=32768", MapType.PerCpuArray, 4, 32768, 1, Errno.None },
        { "A.1 ARRAY v=32769", MapType.Array, 4, 32769, 1, Errno.None },
        { "A.1 PERCPU v=32769", MapType.PerCpuArray, 4, 32769, 1, Errno.E2BIG },
        { "A.1 ARRAY v=1MiB", MapType.Array, 4, 1 << 20, 1, Errno.None },
        { "A.1 PERCPU v=1MiB", MapType.PerCpuArray, 4, 1 << 20, 1, Errno.E2BIG },
        { "A.1 ARRAY v=2^31", MapType.Array, 4, IntMax + 1, 1, Errno.E2BIG },
        { "A.1 ARRAY v=U32_MAX", MapType.Array, 4, U32Max, 1, Errno.E2BIG },
        { "A.1 PERCPU v=U32_MAX", MapType.PerCpuArray, 4, U32Max, 1, Errno.E2BIG },
        { "A.1 ARRAY v=8 max=U32_MAX", MapType.Array, 4, 8, U32Max, Errno.ENOMEM },
        { "A.1 PERCPU v=8 max=U32_MAX", MapType.PerCpuArray, 4, 8, U32Max, Errno.ENOMEM },
        { "A.1 ARRAY v=0x7ffffff8 max=16", MapType.Array, 4, 0x7ffffff8, 16, Errno.ENOMEM },
        { "A.1 PERCPU v=0x7ffffff8 max=16", MapType.PerCpuArray, 4, 0x7ffffff8, 16, Errno.E2BIG },
        { "A.1 ARRAY v=0x7ffffff8 max=U32_MAX", MapType.Array, 4, 0x7ffffff8, U32Max, Errno.ENOMEM },
        { "A.k4 PROG_ARRAY v=8", MapType.ProgArray, 4, 8, 4, Errno.EINVAL },
        { "A.u7 PROG_ARRAY max=U32_MAX", MapType.ProgArray, 4, 4, U32Max, Errno.ENOMEM },
        { "E PERF_EVENT_ARRAY max=0", MapType.PerfEventArray, 4, 4, 0, Errno.EINVAL },
        { "F.c1 CGROUP_ARRAY v=8", MapType.CgroupArray, 4, 8, 4, Errno.EINVAL },
    };

    [SkippableTheory]
    [MemberData(nameof(SizeRows))]
    public void MapCreate_SizeRow_MatchesSpec(string row, MapType type, uint keySize, uint valueSize, uint maxEntries,
        Errno expected)
    {
        Errno err = Backend.TryCreateMap(new MapCreateAttr
        {
            Type = type, KeySize = keySize, ValueSize = valueSize, MaxEntries = maxEntries,
        });
        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
    }

    private const uint RDONLY = (uint)MapFlags.BPF_F_RDONLY, WRONLY = (uint)MapFlags.BPF_F_WRONLY;
    private const uint RDONLY_PROG = (uint)MapFlags.BPF_F_RDONLY_PROG, WRONLY_PROG = (uint)MapFlags.BPF_F_WRONLY_PROG;
    private const uint MMAPABLE = (uint)MapFlags.BPF_F_MMAPABLE, INNER_MAP = (uint)MapFlags.BPF_F_INNER_MAP;
    private const uint PRESERVE = (uint)MapFlags.BPF_F_PRESERVE_ELEMS;

    /// <summary>A.2 map_flags: (row, flags, ARRAY, PERCPU_ARRAY, PROG_ARRAY, PERF_EVENT_ARRAY, CGROUP_ARRAY).</summary>
    public static TheoryData<string, uint, Errno, Errno, Errno, Errno, Errno> FlagRows => new()
    {
        { "A.2 NO_PREALLOC", 0x1, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL },
        { "A.2 NO_COMMON_LRU", 0x2, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL },
        { "A.2 STACK_BUILD_ID", 0x20, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL },
        { "A.2 ZERO_SEED", 0x40, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL },
        { "A.2 CLONE", 0x200, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL },
        { "A.2 bit13 F_LINK", 1u << 13, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL },
        { "A.2 bit16 TOKEN_FD", 1u << 16, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL },
        { "A.2 bit31", 1u << 31, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL },
        { "A.2 RDONLY", RDONLY, Errno.None, Errno.None, Errno.None, Errno.None, Errno.None },
        { "A.2 WRONLY", WRONLY, Errno.None, Errno.None, Errno.None, Errno.None, Errno.None },
        { "A.2 RDONLY|WRONLY", RDONLY | WRONLY, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL },
        { "A.2 RDONLY_PROG", RDONLY_PROG, Errno.None, Errno.None, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL },
        { "A.2 WRONLY_PROG", WRONLY_PROG, Errno.None, Errno.None, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL },
        { "A.2 RDONLY_PROG|WRONLY_PROG", RDONLY_PROG | WRONLY_PROG, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL },
        { "A.2 MMAPABLE", MMAPABLE, Errno.None, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL },
        { "A.2 PRESERVE_ELEMS", PRESERVE, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.None, Errno.EINVAL },
        { "A.2 INNER_MAP", INNER_MAP, Errno.None, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL },
        { "A.2 MMAPABLE|RDONLY_PROG", MMAPABLE | RDONLY_PROG, Errno.None, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL },
        { "A.2 MMAPABLE|INNER_MAP", MMAPABLE | INNER_MAP, Errno.None, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL, Errno.EINVAL },
    };

    [SkippableTheory]
    [MemberData(nameof(FlagRows))]
    public void MapCreate_FlagRow_MatchesSpecForEveryArrayType(string row, uint flags, Errno array, Errno perCpu,
        Errno progArray, Errno perfEventArray, Errno cgroupArray)
    {
        (MapType Type, uint ValueSize, Errno Expected)[] cases =
        [
            (MapType.Array, 8, array), (MapType.PerCpuArray, 8, perCpu), (MapType.ProgArray, 4, progArray),
            (MapType.PerfEventArray, 4, perfEventArray), (MapType.CgroupArray, 4, cgroupArray),
        ];
        foreach ((MapType type, uint valueSize, Errno expected) in cases)
        {
            Errno err = Backend.TryCreateMap(new MapCreateAttr
            {
                Type = type, KeySize = 4, ValueSize = valueSize, MaxEntries = 4, MapFlags = flags,
            });
            Assert.True(expected == err, $"{row} on {type}: expected {expected}, got {err}");
        }
    }

    [SkippableTheory]
    [InlineData("A.2 info drops RDONLY", RDONLY, 0u)]
    [InlineData("A.2 info drops WRONLY", WRONLY, 0u)]
    [InlineData("A.2 info keeps RDONLY_PROG", RDONLY_PROG, RDONLY_PROG)]
    [InlineData("A.2 info keeps MMAPABLE", MMAPABLE, MMAPABLE)]
    [InlineData("A.2 info keeps INNER_MAP", INNER_MAP, INNER_MAP)]
    [InlineData("A.2 info keeps NUMA_NODE", (uint)MapFlags.BPF_F_NUMA_NODE, (uint)MapFlags.BPF_F_NUMA_NODE)]
    public void MapGetInfo_CreatedWithFlags_ReportsKernelFlags(string row, uint flags, uint reported)
    {
        int fd = Backend.CreateMap(MapType.Array, 4, 8, 4, flags, name: "info_probe");

        Assert.Equal(Errno.None, Backend.MapGetInfo(fd, out MapInfo info));

        Assert.True(reported == info.MapFlags, $"{row}: expected 0x{reported:x}, got 0x{info.MapFlags:x}");
        Assert.Equal((MapType.Array, 4u, 8u, 4u, "info_probe"), (info.Type, info.KeySize, info.ValueSize, info.MaxEntries, info.Name));
        Assert.NotEqual(0u, info.Id);
    }

    [SkippableTheory]
    [InlineData("A.m empty", "", Errno.None, "")]
    [InlineData("A.m allowed characters", "Ab_9.z", Errno.None, "Ab_9.z")]
    [InlineData("A.m 15 characters + NUL", "abcdefghijklmno", Errno.None, "abcdefghijklmno")]
    [InlineData("A.m 16 bytes, no NUL", "abcdefghijklmnop", Errno.EINVAL, null)]
    [InlineData("A.m bytes after 16 dropped: still no NUL", "abcdefghijklmnopqrstu", Errno.EINVAL, null)]
    [InlineData("A.m dash", "a-b", Errno.EINVAL, null)]
    [InlineData("A.m space", "a b", Errno.EINVAL, null)]
    [InlineData("A.m slash", "a/b", Errno.EINVAL, null)]
    [InlineData("A.m colon", "a:b", Errno.EINVAL, null)]
    [InlineData("A.m non-ASCII", "caf\u00e9", Errno.EINVAL, null)]
    [InlineData("A.m bytes after the first NUL ignored", "ab\0cd!!", Errno.None, "ab")]
    public void MapCreate_Name_KernelDecides(string row, string name, Errno expected, string? reported)
    {
        Errno err = Backend.MapCreate(new MapCreateAttr
        {
            Type = MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = 1, Name = name,
        }, out int fd);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        if (reported is not null)
        {
            Assert.Equal(Errno.None, Backend.MapGetInfo(fd, out MapInfo info));
            Assert.Equal(reported, info.Name);
        }
    }

    [SkippableTheory]
    [InlineData("A.n NUMA node 0", (uint)MapFlags.BPF_F_NUMA_NODE, 0u, MapType.Array, Errno.None)]
    [InlineData("A.n NUMA node 1000", (uint)MapFlags.BPF_F_NUMA_NODE, 1000u, MapType.Array, Errno.EINVAL)]
    [InlineData("A.n NUMA_NO_NODE", (uint)MapFlags.BPF_F_NUMA_NODE, 0xffffffffu, MapType.Array, Errno.None)]
    [InlineData("A.n node ignored without the flag", 0u, 1000u, MapType.Array, Errno.None)]
    [InlineData("A.n PERCPU with node 0", (uint)MapFlags.BPF_F_NUMA_NODE, 0u, MapType.PerCpuArray, Errno.EINVAL)]
    [InlineData("A.n PERCPU with node -1", (uint)MapFlags.BPF_F_NUMA_NODE, 0xffffffffu, MapType.PerCpuArray, Errno.None)]
    public void MapCreate_NumaNode_MatchesSpec(string row, uint flags, uint node, MapType type, Errno expected)
    {
        Errno err = Backend.TryCreateMap(new MapCreateAttr
        {
            Type = type, KeySize = 4, ValueSize = 8, MaxEntries = 4, MapFlags = flags, NumaNode = node,
        });
        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
    }

    [SkippableTheory]
    [InlineData("A.o map_extra = 1", Errno.EINVAL)]
    [InlineData("A.o btf_key_type_id without btf_fd", Errno.EINVAL)]
    [InlineData("A.o map_ifindex = 1", Errno.EOPNOTSUPP)]
    [InlineData("A.o map_type 1000", Errno.EINVAL)]
    public void MapCreate_OtherField_MatchesSpec(string row, Errno expected)
    {
        var attr = new MapCreateAttr { Type = MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = 4 };
        attr = row switch
        {
            "A.o map_extra = 1" => attr with { MapExtra = 1 },
            "A.o btf_key_type_id without btf_fd" => attr with { BtfKeyTypeId = 1 },
            "A.o map_ifindex = 1" => attr with { MapIfIndex = 1 },
            _ => attr with { Type = (MapType)1000 },
        };

        Assert.Equal(expected, Backend.TryCreateMap(attr));
    }

    [SkippableTheory]
    [InlineData("A.o attr size 4096, tail all zero", 4096, -1, Errno.None)]
    [InlineData("A.o attr size 4096, one non-zero byte in the tail", 4096, 4000, Errno.E2BIG)]
    [InlineData("A.o attr size 8 (fields past it read as 0)", 8, -1, Errno.EINVAL)]
    public void MapCreate_RawAttrSize_MatchesSpec(string row, int size, int dirtyByte, Errno expected)
    {
        RequireKernel();
        byte[] attr = new byte[Math.Max(size, Marshal.SizeOf<MapCreateAttrNative>())];
        var native = default(MapCreateAttrNative);
        native.MapType = (uint)MapType.Array;
        native.KeySize = 4;
        native.ValueSize = 8;
        native.MaxEntries = 4;
        MemoryMarshal.Write(attr, in native);
        if (dirtyByte >= 0)
            attr[dirtyByte] = 1;

        Errno err = BpfSyscall.Raw(BpfCommand.BPF_MAP_CREATE, attr.AsSpan(0, size), out long fd);
        if (err == Errno.None)
            new SafeBpfFd((int)fd, ownsHandle: true).Dispose();

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
    }
}
