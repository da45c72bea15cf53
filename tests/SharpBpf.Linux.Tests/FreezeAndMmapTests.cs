using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Linux.Tests.Support;
using static SharpBpf.Linux.Tests.Support.BackendExtensions;

namespace SharpBpf.Linux.Tests;

/// <summary>Spec B.2 (BPF_MAP_FREEZE) and B.3 (mmap of a BPF_F_MMAPABLE ARRAY).</summary>
public sealed class FreezeAndMmapTests : KernelTestBase
{
    private const uint MMAPABLE = (uint)MapFlags.BPF_F_MMAPABLE;

    [SkippableFact]
    public void MapFreeze_Array_WritesEPERMReadsOk() // B.2 rows
    {
        int fd = Backend.CreateMap(MapType.Array, 4, 8, 4);
        Assert.Equal(Errno.None, Backend.Update(fd, 1, U64(5)));

        Assert.Equal(Errno.None, Backend.MapFreeze(fd));

        Assert.Equal(Errno.EPERM, Backend.MapFreeze(fd)); // B.2 FREEZE again
        Assert.Equal(Errno.EPERM, Backend.Update(fd, 1, U64(6))); // B.2 update after freeze
        Assert.Equal(Errno.EPERM, Backend.Update(fd, 9, U64(6))); // B.2 out-of-range key: EPERM beats E2BIG
        Assert.Equal(Errno.EPERM, Backend.MapDeleteElem(fd, U32(1), 0)); // B.2 delete: EPERM beats EINVAL
        uint n = 1;
        Assert.Equal(Errno.EPERM, Backend.MapUpdateBatch(fd, U32(0), U64(1), ref n, 0, 0)); // B.2 UPDATE_BATCH
        Assert.Equal((Errno.None, 5ul), (Backend.Lookup(fd, 1, 8).Err, ReadU64(Backend.Lookup(fd, 1, 8).Value)));
        Assert.Equal((Errno.None, 1u), Backend.NextKey(fd, 0)); // B.2 GET_NEXT_KEY after freeze
    }

    [SkippableTheory]
    [InlineData("B.2 FREEZE PERCPU", MapType.PerCpuArray, 8u)]
    [InlineData("B.2 FREEZE PROG_ARRAY", MapType.ProgArray, 4u)]
    [InlineData("B.2 FREEZE PERF_EVENT_ARRAY", MapType.PerfEventArray, 4u)]
    [InlineData("B.2 FREEZE CGROUP_ARRAY", MapType.CgroupArray, 4u)]
    public void MapFreeze_OtherArrayTypes_OkThenDeleteEPERM(string row, MapType type, uint valueSize)
    {
        int fd = Backend.CreateMap(type, 4, valueSize, 4);

        Assert.True(Backend.MapFreeze(fd) == Errno.None, row);
        Assert.True(Backend.MapDeleteElem(fd, U32(0), 0) == Errno.EPERM, row);
    }

    [SkippableFact]
    public void MapFreeze_WhileWritableMmap_EBUSYThenOkAfterMunmap() // B.2 FREEZE while a writable mmap exists
    {
        int fd = Backend.CreateMap(MapType.Array, 4, 8, 4, MMAPABLE);
        Assert.Equal(Errno.None, Backend.MapMmap(fd, 0, 4096, writable: true, out MappedRegion? region));

        Assert.Equal(Errno.EBUSY, Backend.MapFreeze(fd));

        region!.Dispose();
        Assert.Equal(Errno.None, Backend.MapFreeze(fd)); // B.2 FREEZE after munmap
        Assert.Equal(Errno.EPERM, Backend.MapMmap(fd, 0, 4096, writable: true, out _)); // B.2 mmap RW after freeze
        Assert.Equal(Errno.None, Backend.MapMmap(fd, 0, 4096, writable: false, out MappedRegion? readOnly));
        readOnly!.Dispose();
    }

    [SkippableFact]
    public void MapMmap_Mmapable_CoherentWithSyscallsBothWays() // B.3 coherence
    {
        int fd = Backend.CreateMap(MapType.Array, 4, 12, 4, MMAPABLE);
        Assert.Equal(Errno.None, Backend.MapMmap(fd, 0, 4096, writable: true, out MappedRegion? region));
        using MappedRegion mapped = region!;
        Assert.Equal(4096, mapped.Length);

        Assert.Equal(Errno.None, Backend.MapUpdateElem(fd, U32(2), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 0));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, mapped.Span.Slice(2 * 16, 12).ToArray());

        mapped.Span[16 + 0] = 0x42;
        mapped.Span[16 + 12] = 0x99; // padding: not part of the value
        (Errno err, byte[] value) = Backend.Lookup(fd, 1, 12);
        Assert.Equal((Errno.None, (byte)0x42), (err, value[0]));

        Assert.All(mapped.Span[64..].ToArray(), b => Assert.Equal(0, b)); // rest of the page readable and zero
    }

    [SkippableTheory]
    [InlineData("B.3 length 100 (rounded up to a page)", 12u, 4u, 0L, 100L, Errno.None)]
    [InlineData("B.3 length 8192 past PAGE_ALIGN(64 B)", 12u, 4u, 0L, 8192L, Errno.EINVAL)]
    [InlineData("B.3 offset 4096 past PAGE_ALIGN(64 B)", 12u, 4u, 4096L, 4096L, Errno.EINVAL)]
    [InlineData("B.3 8 KiB map: len 8192 at 0", 8u, 1024u, 0L, 8192L, Errno.None)]
    [InlineData("B.3 8 KiB map: len 4096 at 4096", 8u, 1024u, 4096L, 4096L, Errno.None)]
    [InlineData("B.3 8 KiB map: len 8192 at 4096", 8u, 1024u, 4096L, 8192L, Errno.EINVAL)]
    public void MapMmap_Range_MatchesSpec(string row, uint valueSize, uint maxEntries, long offset, long length, Errno expected)
    {
        int fd = Backend.CreateMap(MapType.Array, 4, valueSize, maxEntries, MMAPABLE);

        Errno err = Backend.MapMmap(fd, offset, length, writable: true, out MappedRegion? region);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
        Assert.Equal(err == Errno.None, region is not null);
        region?.Dispose();
    }

    [SkippableFact]
    public void MapMmap_SecondPage_StartsAtKey512() // B.3 key 512 appears at offset 0 of that mapping
    {
        int fd = Backend.CreateMap(MapType.Array, 4, 8, 1024, MMAPABLE);
        Assert.Equal(Errno.None, Backend.Update(fd, 512, U64(0xabcdef)));

        Assert.Equal(Errno.None, Backend.MapMmap(fd, 4096, 4096, writable: false, out MappedRegion? region));
        using MappedRegion mapped = region!;

        Assert.Equal(0xabcdeful, ReadU64(mapped.Span));
    }

    [SkippableTheory]
    [InlineData("B.3 non-MMAPABLE ARRAY", MapType.Array, 8u, 0u, true, Errno.EINVAL)]
    [InlineData("B.3 PERCPU_ARRAY", MapType.PerCpuArray, 8u, 0u, true, Errno.ENOTSUPP)]
    [InlineData("B.3 PROG_ARRAY", MapType.ProgArray, 4u, 0u, true, Errno.ENOTSUPP)]
    [InlineData("B.3 MMAPABLE|RDONLY_PROG RW", MapType.Array, 8u, MMAPABLE | (uint)MapFlags.BPF_F_RDONLY_PROG, true, Errno.EACCES)]
    [InlineData("B.3 MMAPABLE|RDONLY_PROG RO", MapType.Array, 8u, MMAPABLE | (uint)MapFlags.BPF_F_RDONLY_PROG, false, Errno.None)]
    [InlineData("B.3 fd BPF_F_RDONLY RW", MapType.Array, 8u, MMAPABLE | (uint)MapFlags.BPF_F_RDONLY, true, Errno.EACCES)]
    [InlineData("B.3 fd BPF_F_RDONLY RO", MapType.Array, 8u, MMAPABLE | (uint)MapFlags.BPF_F_RDONLY, false, Errno.EINVAL)]
    [InlineData("B.3 fd BPF_F_WRONLY RW", MapType.Array, 8u, MMAPABLE | (uint)MapFlags.BPF_F_WRONLY, true, Errno.EACCES)]
    public void MapMmap_MapKindOrMode_MatchesSpec(string row, MapType type, uint valueSize, uint flags, bool writable, Errno expected)
    {
        int fd = Backend.CreateMap(type, 4, valueSize, 4, flags);

        Errno err = Backend.MapMmap(fd, 0, 4096, writable, out MappedRegion? region);
        region?.Dispose();

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
    }
}
