using System.Buffers.Binary;
using SharpBpf.Abi;

namespace SharpBpf.Runtime.Tests.Maps;

/// <summary>
/// The program side of the map objects, which the helpers call: the return values a program sees from
/// <c>bpf_map_lookup_elem</c>, <c>bpf_map_update_elem</c>, <c>bpf_map_delete_elem</c> and
/// <c>bpf_map_lookup_percpu_elem</c> (probe rows B.h*, C.p*, C.lp*).
/// </summary>
public class HelperSemanticsTests
{
    // (row, key, flags, expected): ARRAY k=4 v=8 max=4.
    [Theory]
    [InlineData("B.h1", 0u, ElemFlags.BPF_ANY, Errno.None)]
    [InlineData("B.h2", 0u, ElemFlags.BPF_NOEXIST, Errno.EEXIST)]
    [InlineData("B.h3", 0u, ElemFlags.BPF_EXIST, Errno.None)]
    [InlineData("B.h4", 4u, ElemFlags.BPF_ANY, Errno.E2BIG)]
    [InlineData("B.h5", 0u, 3UL, Errno.EINVAL)]
    [InlineData("B.h6", 0u, ElemFlags.BPF_F_LOCK, Errno.EINVAL)]
    [InlineData("B.h7", 0u, 1UL << 32, Errno.EINVAL)]
    [InlineData("K.h-lock-oob", 4u, ElemFlags.BPF_F_LOCK, Errno.E2BIG)]
    public void UpdateFromProgram_Array_ReturnsKernelErrno(string row, uint key, ulong flags, Errno expected)
    {
        using var kit = new MapTestKit();
        var map = kit.MapOf(kit.CreateArray());

        var err = map.UpdateFromProgram(key, MapTestKit.U64(0x1234), flags, cpu: 0);

        Assert.True(expected == err, $"{row}: expected -{expected}, got {err}");
        if (err == Errno.None)
            Assert.Equal(0x1234UL, BinaryPrimitives.ReadUInt64LittleEndian(map.DebugView(key)));
    }

    [Theory]
    [InlineData("B.h8", 0u)]
    [InlineData("B.h9", 4u)]
    public void DeleteFromProgram_Array_AlwaysEinval(string row, uint key)
    {
        using var kit = new MapTestKit();
        var map = kit.MapOf(kit.CreateArray());

        Assert.True(map.DeleteFromProgram(key) == Errno.EINVAL, row);
    }

    [Theory]
    [InlineData("B.h10", 3u, true)]
    [InlineData("B.h11", 4u, false)]
    [InlineData("B.h11+", 0xffffffffu, false)]
    public void LookupForProgram_Array_NullOutOfRange(string row, uint key, bool found)
    {
        using var kit = new MapTestKit();
        var fd = kit.CreateArray();
        var map = kit.MapOf(fd);

        var p = map.LookupForProgram(key, cpu: 0);

        Assert.True(found == (p != 0), row);
        if (found)
            Assert.Equal(kit.MapOf(fd).LookupForProgram(0, 0) + (nint)(key * 8), p);
    }

    [Fact]
    public unsafe void PerCpu_ProgramSeesOnlyItsCpusCopy_C_p1_to_p3()
    {
        using var kit = new MapTestKit(cpus: 2);
        var fd = kit.CreatePerCpu(valueSize: 4, maxEntries: 2);
        Assert.Equal(Errno.None, kit.Update(fd, 0, U64s(10, 20)));
        var map = kit.MapOf(fd);
        var read = new uint[2];

        for (var cpu = 0; cpu < 2; cpu++)
        {
            // the probe's program: v = lookup(key 0); r = *(u32*)v; *(u32*)v = r + 1000; return r
            var v = (uint*)map.LookupForProgram(0, cpu);
            read[cpu] = *v;
            *v = read[cpu] + 1000;
        }

        Assert.Equal(new uint[] { 10, 20 }, read); // C.p1, C.p2
        var after = new byte[16];
        Assert.Equal(Errno.None, kit.Lookup(fd, 0, after));
        Assert.Equal(Convert.FromHexString("f203000000000000fc03000000000000"), after); // C.p3
    }

    [Fact]
    public void PerCpu_UpdateFromProgram_ChangesOnlyThatCpu_C_p6()
    {
        using var kit = new MapTestKit(cpus: 2);
        var fd = kit.CreatePerCpu(valueSize: 4, maxEntries: 2);
        var map = kit.MapOf(fd);

        Assert.Equal(Errno.None, map.UpdateFromProgram(1, BitConverter.GetBytes(0x55u), ElemFlags.BPF_ANY, cpu: 1));

        var after = new byte[16];
        Assert.Equal(Errno.None, kit.Lookup(fd, 1, after));
        Assert.Equal(Convert.FromHexString("00000000000000005500000000000000"), after);
    }

    [Fact]
    public void PerCpu_UpdateFromProgramNoExist_Eexist_C_p7()
    {
        using var kit = new MapTestKit(cpus: 2);
        var map = kit.MapOf(kit.CreatePerCpu(valueSize: 4, maxEntries: 2));

        Assert.Equal(Errno.EEXIST, map.UpdateFromProgram(1, BitConverter.GetBytes(0x66u), ElemFlags.BPF_NOEXIST, cpu: 0));
    }

    // bpf_map_lookup_percpu_elem with values cpu0=111, cpu1=222: (row, key, cpu, expected value or null for NULL).
    [Theory]
    [InlineData("C.lp1", 0u, 0, 111u)]
    [InlineData("C.lp2", 0u, 1, 222u)]
    [InlineData("C.lp3", 0u, 2, null)]
    [InlineData("C.lp4", 0u, 255, null)]
    [InlineData("C.lp5", 0u, -1, null)]
    [InlineData("C.lp6", 2u, 0, null)]
    public unsafe void LookupForProgram_PerCpuAnyCpu_NullForBadCpuOrKey(string row, uint key, int cpu, uint? expected)
    {
        using var kit = new MapTestKit(cpus: 2);
        var fd = kit.CreatePerCpu(valueSize: 4, maxEntries: 2);
        Assert.Equal(Errno.None, kit.Update(fd, 0, U64s(111, 222)));

        var p = (uint*)kit.MapOf(fd).LookupForProgram(key, cpu); // cpu 0xffffffff is -1 as an int

        Assert.True(expected is null ? p == null : p != null && *p == expected, row);
    }

    [Fact]
    public void ValueRegion_FollowsProgramAccessFlags()
    {
        using var kit = new MapTestKit();
        var rw = kit.MapOf(kit.CreateArray(maxEntries: 3));
        var ro = kit.MapOf(kit.CreateArray(flags: (uint)MapFlags.BPF_F_RDONLY_PROG));
        var wo = kit.MapOf(kit.CreateArray(flags: (uint)MapFlags.BPF_F_WRONLY_PROG));

        Assert.Equal(Execution.MemoryAccess.ReadWrite, rw.ValueRegion.Access);
        Assert.Equal(24UL, rw.ValueRegion.Length);
        Assert.Equal((ulong)rw.LookupForProgram(0, 0), rw.ValueRegion.Start);
        Assert.Equal(Execution.MemoryAccess.Read, ro.ValueRegion.Access);
        Assert.Equal(Execution.MemoryAccess.Write, wo.ValueRegion.Access);
    }

    [Fact]
    public unsafe void Header_DescribesTheMapForInlinedLookups()
    {
        using var kit = new MapTestKit(cpus: 2);
        var array = kit.MapOf(kit.CreateArray(valueSize: 12, maxEntries: 5));
        var percpu = Assert.IsType<Runtime.Maps.PerCpuArrayMapObject>(kit.MapOf(kit.CreatePerCpu(valueSize: 8, maxEntries: 3)));

        var h = (Runtime.Maps.MapHeader*)array.Header;
        Assert.Equal(0, array.Header % 64);
        Assert.Equal((uint)MapType.Array, h->Type);
        Assert.Equal((12u, 16u, 5u, 4), (h->ValueSize, h->ElemSize, h->MaxEntries, h->ElemShift));
        Assert.Equal((ulong)array.LookupForProgram(0, 0), h->Values);
        Assert.Equal(array.Id, h->Id);
        Assert.Same(array, Runtime.Maps.MapObject.FromHeader(array.Header));

        var p = (Runtime.Maps.MapHeader*)percpu.Header;
        Assert.Equal(percpu.PerCpuStride, p->PerCpuStride);
        Assert.Equal(2u, p->PossibleCpus);
        // the inline formula from MapHeader's docs
        Assert.Equal(percpu.LookupForProgram(2, 1), (nint)(p->Values + p->PerCpuStride + 2 * p->ElemSize));
    }

    private static byte[] U64s(params ulong[] values)
    {
        var b = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(i * 8), values[i]);
        return b;
    }
}
