using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Runtime.Tests.Maps;

/// <summary>
/// BPF_MAP_CREATE, spec section A: one case per row of <c>probe_a_create.c</c> (the row id is the first datum), the
/// expected result being what Linux 6.18 returned. Rows <c>K.c*</c> are extra orderings probed on the same kernel
/// with <c>probes/order_probe.c</c> where the spec is silent.
/// </summary>
public class CreateTests
{
    private const uint A = (uint)MapType.Array;
    private const uint P = (uint)MapType.PerCpuArray;

    public static TheoryData<string, uint, uint, uint, uint, Errno> SizeRows => new()
    {
        { "A.a1", A, 4, 8, 4, Errno.None },
        { "A.a2", A, 0, 8, 4, Errno.EINVAL },
        { "A.a3", A, 2, 8, 4, Errno.EINVAL },
        { "A.a4", A, 8, 8, 4, Errno.EINVAL },
        { "A.a5", A, 4, 0, 4, Errno.EINVAL },
        { "A.a6", A, 4, 8, 0, Errno.EINVAL },
        { "A.a7", A, 4, 1, 1, Errno.None },
        { "A.a8", A, 4, 1u << 20, 1, Errno.None },
        { "A.a9", A, 4, 32768, 1, Errno.None },
        { "A.a10", A, 4, 32761, 1, Errno.None },
        { "A.a11", A, 4, 32769, 1, Errno.None },
        { "A.a12", A, 4, 4u << 20, 1, Errno.None },
        { "A.a13", A, 4, (4u << 20) + 1, 1, Errno.None },
        { "A.a14", A, 4, 1u << 30, 1, Errno.None },
        { "A.a15", A, 4, 0x7fffffff, 1, Errno.None },
        { "A.a16", A, 4, 0x80000000, 1, Errno.E2BIG },
        { "A.a17", A, 4, 0xffffffff, 1, Errno.E2BIG },
        { "A.a18", A, 4, 8, 0xffffffff, Errno.ENOMEM },
        { "A.a19", A, 4, 0x7ffffff8, 0x10, Errno.ENOMEM },
        { "A.a20", A, 4, 0x7ffffff8, 0xffffffff, Errno.ENOMEM },
        { "A.a21", A, 4, 0x20, 0x08000001, Errno.None },
        { "A.p1", P, 4, 8, 4, Errno.None },
        { "A.p2", P, 0, 8, 4, Errno.EINVAL },
        { "A.p3", P, 2, 8, 4, Errno.EINVAL },
        { "A.p4", P, 8, 8, 4, Errno.EINVAL },
        { "A.p5", P, 4, 0, 4, Errno.EINVAL },
        { "A.p6", P, 4, 8, 0, Errno.EINVAL },
        { "A.p7", P, 4, 1, 1, Errno.None },
        { "A.p8", P, 4, 1u << 20, 1, Errno.E2BIG },
        { "A.p9", P, 4, 32768, 1, Errno.None },
        { "A.p10", P, 4, 32761, 1, Errno.None },
        { "A.p11", P, 4, 32769, 1, Errno.E2BIG },
        { "A.p12", P, 4, 4u << 20, 1, Errno.E2BIG },
        { "A.p13", P, 4, (4u << 20) + 1, 1, Errno.E2BIG },
        { "A.p16", P, 4, 0x80000000, 1, Errno.E2BIG },
        { "A.p17", P, 4, 0xffffffff, 1, Errno.E2BIG },
        { "A.p18", P, 4, 8, 0xffffffff, Errno.ENOMEM },
        { "A.p19", P, 4, 0x7ffffff8, 0x10, Errno.E2BIG },
        { "A.p20", P, 4, 0x7ffffff8, 0xffffffff, Errno.E2BIG },
        { "A.k1.pa", 3, 4, 4, 4, Errno.None },
        { "A.k2.pa", 3, 8, 4, 4, Errno.EINVAL },
        { "A.k3.pa", 3, 2, 4, 4, Errno.EINVAL },
        { "A.k4.pa", 3, 4, 0, 4, Errno.EINVAL },
        { "A.k5.pa", 3, 4, 8, 4, Errno.EINVAL },
        { "A.k6.pa", 3, 4, 4, 0, Errno.EINVAL },
        { "A.k1.pe", 4, 4, 4, 4, Errno.None },
        { "A.k2.pe", 4, 8, 4, 4, Errno.EINVAL },
        { "A.k3.pe", 4, 2, 4, 4, Errno.EINVAL },
        { "A.k4.pe", 4, 4, 0, 4, Errno.EINVAL },
        { "A.k5.pe", 4, 4, 8, 4, Errno.EINVAL },
        { "A.k6.pe", 4, 4, 4, 0, Errno.EINVAL },
        { "A.k1.cg", 8, 4, 4, 4, Errno.None },
        { "A.k2.cg", 8, 8, 4, 4, Errno.EINVAL },
        { "A.k3.cg", 8, 2, 4, 4, Errno.EINVAL },
        { "A.k4.cg", 8, 4, 0, 4, Errno.EINVAL },
        { "A.k5.cg", 8, 4, 8, 4, Errno.EINVAL },
        { "A.k6.cg", 8, 4, 4, 0, Errno.EINVAL },
        { "A.u7", 3, 4, 4, 0xffffffff, Errno.ENOMEM },
        { "A.mem10", A, 4, 0x40000000, 32, Errno.ENOMEM },
        { "K.c14", A, 4, 0x7ffffff8, 16, Errno.ENOMEM },
        { "K.c15", P, 4, 8, 0xffffffff, Errno.ENOMEM },
        { "K.c12", 3, 4, 0x80000000, 4, Errno.EINVAL },
        { "K.c10", A, 4, 0x80000000, 0, Errno.EINVAL },
        { "K.c5", A, 8, 0x80000000, 4, Errno.EINVAL },
    };

    [Theory]
    [MemberData(nameof(SizeRows))]
    public void MapCreate_Sizes_MatchKernel(string row, uint type, uint keySize, uint valueSize, uint maxEntries, Errno expected)
    {
        using var kit = new MapTestKit();
        var err = kit.Backend.MapCreate(MapTestKit.Attr((MapType)type, keySize, valueSize, maxEntries), out var fd);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        if (expected == Errno.None)
        {
            Assert.Equal(Errno.None, kit.Backend.MapGetInfo(fd, out var info));
            Assert.Equal(new MapInfo((MapType)type, info.Id, keySize, valueSize, maxEntries, 0, "", 0, 0), info);
            Assert.Equal(Errno.None, kit.Backend.Close(fd));
        }
    }

    // One row per flag of probe_a_create.c's F[] table; the expected column order is ARRAY, PERCPU_ARRAY,
    // PROG_ARRAY, PERF_EVENT_ARRAY, CGROUP_ARRAY ("ok" or an errno name).
    public static TheoryData<string, uint, string> FlagRows => new()
    {
        { "A.f0", 0x1, "EINVAL EINVAL EINVAL EINVAL EINVAL" },
        { "A.f1", 0x2, "EINVAL EINVAL EINVAL EINVAL EINVAL" },
        { "A.f2", 0x8, "ok ok ok ok ok" },
        { "A.f3", 0x10, "ok ok ok ok ok" },
        { "A.f4", 0x18, "EINVAL EINVAL EINVAL EINVAL EINVAL" },
        { "A.f5", 0x20, "EINVAL EINVAL EINVAL EINVAL EINVAL" },
        { "A.f6", 0x40, "EINVAL EINVAL EINVAL EINVAL EINVAL" },
        { "A.f7", 0x80, "ok ok EINVAL EINVAL EINVAL" },
        { "A.f8", 0x100, "ok ok EINVAL EINVAL EINVAL" },
        { "A.f9", 0x180, "EINVAL EINVAL EINVAL EINVAL EINVAL" },
        { "A.f10", 0x200, "EINVAL EINVAL EINVAL EINVAL EINVAL" },
        { "A.f11", 0x400, "ok EINVAL EINVAL EINVAL EINVAL" },
        { "A.f12", 0x800, "EINVAL EINVAL EINVAL ok EINVAL" },
        { "A.f13", 0x1000, "ok EINVAL EINVAL EINVAL EINVAL" },
        { "A.f14", 0x2000, "EINVAL EINVAL EINVAL EINVAL EINVAL" },
        { "A.f15", 0x10000, "EINVAL EINVAL EINVAL EINVAL EINVAL" },
        { "A.f16", 0x20000, "EINVAL EINVAL EINVAL EINVAL EINVAL" },
        { "A.f17", 0x40000, "EINVAL EINVAL EINVAL EINVAL EINVAL" },
        { "A.f18", 0x100000, "EINVAL EINVAL EINVAL EINVAL EINVAL" },
        { "A.f19", 0x80000000, "EINVAL EINVAL EINVAL EINVAL EINVAL" },
        { "A.f20", 0x480, "ok EINVAL EINVAL EINVAL EINVAL" },
        { "A.f21", 0x1400, "ok EINVAL EINVAL EINVAL EINVAL" },
    };

    [Theory]
    [MemberData(nameof(FlagRows))]
    public void MapCreate_FlagMatrix_MatchesKernel(string row, uint flags, string expected)
    {
        MapType[] types = [MapType.Array, MapType.PerCpuArray, MapType.ProgArray, MapType.PerfEventArray, MapType.CgroupArray];
        string[] suffix = ["a", "p", "pa", "pe", "cg"];
        var want = expected.Split(' ');
        using var kit = new MapTestKit();
        for (var i = 0; i < types.Length; i++)
        {
            var valueSize = i < 2 ? 8u : 4u;
            var err = kit.Backend.MapCreate(MapTestKit.Attr(types[i], 4, valueSize, 4, flags), out var fd);
            var got = err == Errno.None ? "ok" : err.ToString();
            Assert.True(want[i] == got, $"{row}.{suffix[i]} (flags 0x{flags:x}): expected {want[i]}, got {got}");
            if (err != Errno.None)
                continue;
            Assert.Equal(Errno.None, kit.Backend.MapGetInfo(fd, out var info));
            // BPF_OBJ_GET_INFO_BY_FD reports the flags without BPF_F_RDONLY / BPF_F_WRONLY.
            Assert.Equal(flags & ~0x18u, info.MapFlags);
            kit.Backend.Close(fd);
        }
    }

    public static TheoryData<string, uint, uint, uint, Errno> NumaRows => new()
    {
        { "A.n1", A, 0x4, 0, Errno.None },
        { "A.n2", A, 0x4, 1, Errno.EINVAL },
        { "A.n3", A, 0x4, 1000, Errno.EINVAL },
        { "A.n4", A, 0x4, 0xffffffff, Errno.None },
        { "A.n5", A, 0, 1000, Errno.None },
        { "A.n6", P, 0x4, 0, Errno.EINVAL },
        { "A.n7", P, 0x4, 0xffffffff, Errno.None },
        { "A.n8", 3, 0x4, 0, Errno.None },
        { "K.c8", A, 0x4, 0xfffffffe, Errno.EINVAL },
        { "K.c13", 4, 0x4 | 0x800, 0, Errno.None },
    };

    [Theory]
    [MemberData(nameof(NumaRows))]
    public void MapCreate_NumaNode_MatchesKernel(string row, uint type, uint flags, uint node, Errno expected)
    {
        using var kit = new MapTestKit();
        var attr = MapTestKit.Attr((MapType)type, 4, type is 3 or 4 ? 4u : 8u, 4, flags) with { NumaNode = node };

        var err = kit.Backend.MapCreate(attr, out var fd);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        if (err == Errno.None)
        {
            Assert.Equal(Errno.None, kit.Backend.MapGetInfo(fd, out var info));
            Assert.Equal(flags, info.MapFlags); // BPF_F_NUMA_NODE is reported as given
        }
    }

    public static TheoryData<string, string, Errno, string> NameRows => new()
    {
        { "A.m1", "", Errno.None, "" },
        { "A.m2", "ok_name.1", Errno.None, "ok_name.1" },
        { "A.m3", "A_Z.09", Errno.None, "A_Z.09" },
        { "A.m4", "bad-name", Errno.EINVAL, "" },
        { "A.m5", "bad name", Errno.EINVAL, "" },
        { "A.m6", "bad/name", Errno.EINVAL, "" },
        { "A.m7", "bad:name", Errno.EINVAL, "" },
        { "A.m8", "bad\u00e9", Errno.EINVAL, "" },
        { "A.m9", "abcdefghijklmno", Errno.None, "abcdefghijklmno" },
        { "A.m10", "abcdefghijklmnop", Errno.EINVAL, "" },
        { "A.m11", "ab\0cd!!", Errno.None, "ab" },
    };

    [Theory]
    [MemberData(nameof(NameRows))]
    public void MapCreate_Name_MatchesKernel(string row, string name, Errno expected, string reported)
    {
        using var kit = new MapTestKit();

        var err = kit.Backend.MapCreate(MapTestKit.Attr(MapType.Array, 4, 8, 4) with { Name = name }, out var fd);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        if (err == Errno.None)
        {
            Assert.Equal(Errno.None, kit.Backend.MapGetInfo(fd, out var info));
            Assert.Equal(reported, info.Name);
        }
    }

    public static TheoryData<string, MapCreateAttr, Errno> OtherFieldRows => new()
    {
        { "A.o1", MapTestKit.Attr(MapType.Array, 4, 8, 4) with { MapExtra = 1 }, Errno.EINVAL },
        { "A.o2", MapTestKit.Attr(MapType.Array, 4, 8, 4) with { InnerMapFd = 12345 }, Errno.None },
        { "A.o6", MapTestKit.Attr(MapType.Array, 4, 8, 4) with { BtfKeyTypeId = 1 }, Errno.EINVAL },
        { "A.o7", MapTestKit.Attr(MapType.Array, 4, 8, 4) with { MapIfIndex = 1 }, Errno.EOPNOTSUPP },
        { "A.o8", MapTestKit.Attr(MapType.Unspec, 4, 8, 4), Errno.EINVAL },
        { "A.o9", MapTestKit.Attr((MapType)1000, 4, 8, 4), Errno.EINVAL },
        { "K.c1", MapTestKit.Attr(MapType.PerCpuArray, 4, 40000, 4, 0x400), Errno.EINVAL },
        { "K.c2", MapTestKit.Attr(MapType.PerCpuArray, 4, 40000, 4) with { Name = "bad-" }, Errno.E2BIG },
        { "K.c3", MapTestKit.Attr(MapType.Array, 4, 0x80000000, 4, 0x1), Errno.EINVAL },
        { "K.c4", MapTestKit.Attr(MapType.Array, 4, 8, 0xffffffff) with { Name = "bad-" }, Errno.ENOMEM },
        { "K.c6", MapTestKit.Attr((MapType)1000, 4, 8, 4, 0x18), Errno.EINVAL },
        { "K.c7", MapTestKit.Attr((MapType)1000, 4, 8, 4) with { MapExtra = 1 }, Errno.EINVAL },
        { "K.c9", MapTestKit.Attr(MapType.Array, 4, 8, 4, 0x4 | 0x180), Errno.EINVAL },
        { "K.c11", MapTestKit.Attr(MapType.ProgArray, 4, 4, 4, 0x400), Errno.EINVAL },
        { "K.c16", MapTestKit.Attr(MapType.Array, 4, 8, 4, 0x10000 | 0x8), Errno.EINVAL },
        { "K.c17", MapTestKit.Attr(MapType.Array, 4, 0, 4, 0x10000), Errno.EINVAL },
        { "K.c20", MapTestKit.Attr(MapType.PerCpuArray, 4, 8, 4) with { MapIfIndex = 1 }, Errno.EINVAL },
        { "K.c22", MapTestKit.Attr(MapType.Array, 4, 8, 4) with { MapIfIndex = 1, Name = "bad-" }, Errno.EOPNOTSUPP },
        { "K.c23", MapTestKit.Attr(MapType.Array, 8, 8, 4) with { MapIfIndex = 1 }, Errno.EINVAL },
        { "K.c24", MapTestKit.Attr(MapType.ProgArray, 4, 4, 4) with { MapIfIndex = 1 }, Errno.EINVAL },
        { "K.c25", MapTestKit.Attr(MapType.Array, 4, 8, 4) with { BtfKeyTypeId = 1, BtfValueTypeId = 2 }, Errno.EINVAL },
        { "K.c26", MapTestKit.Attr(MapType.Array, 4, 8, 4) with { BtfKeyTypeId = 1, BtfValueTypeId = 2, BtfFd = 9999 }, Errno.EBADF },
        { "K.c27", MapTestKit.Attr(MapType.Array, 4, 8, 4) with { BtfValueTypeId = 2 }, Errno.EINVAL },
        { "K.c28", MapTestKit.Attr(MapType.Array, 4, 8, 4) with { BtfVmlinuxValueTypeId = 5 }, Errno.EINVAL },
        { "K.c29", MapTestKit.Attr(MapType.Array, 4, 8, 4) with { BtfFd = 9999 }, Errno.None },
        { "K.c30", MapTestKit.Attr(MapType.Array, 8, 8, 4) with { BtfValueTypeId = 2 }, Errno.EINVAL },
        { "K.c31", MapTestKit.Attr(MapType.Array, 4, 8, 0xffffffff) with { BtfValueTypeId = 2 }, Errno.ENOMEM },
        { "K.c32", MapTestKit.Attr(MapType.Array, 4, 8, 4, 0x1000) with { InnerMapFd = 9999 }, Errno.None },
    };

    [Theory]
    [MemberData(nameof(OtherFieldRows))]
    public void MapCreate_OtherFieldsAndOrder_MatchKernel(string row, MapCreateAttr attr, Errno expected)
    {
        using var kit = new MapTestKit();

        var err = kit.Backend.MapCreate(attr, out _);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
    }

    [Fact]
    public void MapCreate_ValueSize5_LookupWritesExactly5Bytes_A_v1()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(valueSize: 5);
        byte[] input = [0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0x11, 0x11, 0x11];
        Assert.Equal(Errno.None, kit.Update(fd, 1, input));
        var output = MapTestKit.Filled(24, 0xee);

        Assert.Equal(Errno.None, kit.Lookup(fd, 1, output));

        Assert.Equal(Convert.FromHexString("a0a1a2a3a4eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"), output);
    }

    [Fact]
    public void MapCreate_PerCpuValueSize5_LookupWritesPaddedSlots_A_v2()
    {
        using var kit = new MapTestKit(cpus: 2);
        var fd = kit.CreatePerCpu(valueSize: 5);
        var input = new byte[16];
        for (var i = 0; i < 16; i++)
            input[i] = (byte)(0xa0 + i);
        Assert.Equal(Errno.None, kit.Update(fd, 1, input));
        var output = MapTestKit.Filled(24, 0xee);

        Assert.Equal(Errno.None, kit.Lookup(fd, 1, output));

        Assert.Equal(Convert.FromHexString("a0a1a2a3a4a5a6a7a8a9aaabacadaeafeeeeeeeeeeeeeeee"), output);
    }

    [Theory]
    [InlineData("A.r1")]
    [InlineData("A.r2")]
    [InlineData("A.r3")]
    public void MapCreate_Rdonly_DescriptorIsReadOnly(string row)
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(flags: (uint)MapFlags.BPF_F_RDONLY);
        var value = new byte[8];

        var result = row switch
        {
            "A.r1" => kit.UpdateU64(fd, 0, 7),
            "A.r2" => kit.Lookup(fd, 0, value),
            _ => kit.Backend.MapFreeze(fd),
        };

        Assert.Equal(row == "A.r2" ? Errno.None : Errno.EPERM, result);
    }

    [Theory]
    [InlineData("A.r4")]
    [InlineData("A.r5")]
    [InlineData("A.r6")]
    public void MapCreate_Wronly_DescriptorIsWriteOnly(string row)
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(flags: (uint)MapFlags.BPF_F_WRONLY);
        var value = new byte[8];

        var result = row switch
        {
            "A.r4" => kit.UpdateU64(fd, 0, 7),
            "A.r5" => kit.Lookup(fd, 0, value),
            _ => kit.Backend.MapGetNextKey(fd, default, new byte[4]),
        };

        Assert.Equal(row == "A.r4" ? Errno.None : Errno.EPERM, result);
    }

    [Fact]
    public void MapCreate_RdonlyProg_SyscallUpdateStillWorks_A_r7()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(flags: (uint)MapFlags.BPF_F_RDONLY_PROG);

        Assert.Equal(Errno.None, kit.UpdateU64(fd, 0, 7));
        Assert.Equal(7UL, kit.LookupU64(fd, 0));
    }

    [Fact]
    public void MapCreate_WronlyProg_SyscallLookupStillWorks_A_r8()
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray(flags: (uint)MapFlags.BPF_F_WRONLY_PROG);

        Assert.Equal(0UL, kit.LookupU64(fd, 0));
    }

    [Fact]
    public void MapCreate_UnsupportedMapTypes_AreEinvalLikeUnknownTypes()
    {
        using var kit = new MapTestKit();

        Assert.Equal(Errno.EINVAL, kit.Backend.MapCreate(MapTestKit.Attr(MapType.Hash, 4, 8, 4), out _));
        Assert.Equal(Errno.EINVAL, kit.Backend.MapCreate(MapTestKit.Attr(MapType.ArrayOfMaps, 4, 4, 4), out _));
    }

    [Fact]
    public void MapCreate_Descriptors_StartAt3AndReuseLowestFree()
    {
        using var kit = new MapTestKit();
        var a = kit.CreateArray();
        var b = kit.CreateArray();
        var c = kit.CreateArray();
        Assert.Equal([3, 4, 5], new[] { a, b, c });

        kit.Backend.Close(b);
        var d = kit.CreateArray();

        Assert.Equal(4, d);
    }

    [Fact]
    public void MapCreate_Ids_IncreaseFromOne()
    {
        using var kit = new MapTestKit();
        var a = kit.CreateArray();
        var b = kit.CreateArray();
        kit.Backend.Close(a);
        var c = kit.CreateArray();

        kit.Backend.MapGetInfo(b, out var ib);
        kit.Backend.MapGetInfo(c, out var ic);

        Assert.Equal(2u, ib.Id);
        Assert.Equal(3u, ic.Id); // ids are not reused while they could still be mistaken for the old map
    }
}
