using SharpBpf.Abi;
using SharpBpf.Linux.Tests.Support;
using static SharpBpf.Linux.Tests.Support.BackendExtensions;

namespace SharpBpf.Linux.Tests;

/// <summary>Spec section C: PERCPU_ARRAY from the syscall side.</summary>
public sealed class PerCpuArrayTests : KernelTestBase
{
    [SkippableFact]
    public void PossibleCpus_MatchesSysfs()
    {
        int expected = CpuList.Count(File.ReadAllText("/sys/devices/system/cpu/possible"));

        Assert.Equal(expected, Backend.PossibleCpus);
    }

    [SkippableTheory]
    [InlineData("C.l v=4", 4u)]
    [InlineData("C.l v=8", 8u)]
    [InlineData("C.l v=12", 12u)]
    [InlineData("A.3 PERCPU v=5", 5u)]
    public void MapUpdateLookup_PerCpu_RoundedSlotPerCpuWithPaddingAsWritten(string row, uint valueSize)
    {
        int slot = (int)((valueSize + 7) & ~7u);
        int fd = Backend.CreateMap(MapType.PerCpuArray, 4, valueSize, 4);
        byte[] written = new byte[slot * Backend.PossibleCpus];
        for (int i = 0; i < written.Length; i++)
            written[i] = (byte)(i + 1);

        Assert.Equal(Errno.None, Backend.Update(fd, 2, written));
        (Errno err, byte[] read) = Backend.Lookup(fd, 2, written.Length);

        Assert.True(err == Errno.None, $"{row}: {err}");
        Assert.Equal(written, read);
    }

    [SkippableFact]
    public void MapLookupElem_PerCpuBufferOneCpuShort_EFAULTAndBufferUntouched()
    {
        // The kernel copies round_up(v,8) × nr_possible bytes; a shorter span must never be written past its end.
        int fd = Backend.CreateMap(MapType.PerCpuArray, 4, 8, 4);
        byte[] tooShort = new byte[8 * (Backend.PossibleCpus - 1) + 7];
        Array.Fill(tooShort, (byte)0xEE);

        Assert.Equal(Errno.EFAULT, Backend.MapLookupElem(fd, U32(0), tooShort, 0));
        Assert.All(tooShort, b => Assert.Equal(0xEE, b));
    }

    [SkippableTheory]
    [InlineData("C update NOEXIST", 0u, ElemFlags.BPF_NOEXIST, Errno.EEXIST)]
    [InlineData("C update EXIST", 0u, ElemFlags.BPF_EXIST, Errno.None)]
    [InlineData("C update F_LOCK", 0u, ElemFlags.BPF_F_LOCK, Errno.EINVAL)]
    [InlineData("C update key out of range", 4u, 0ul, Errno.E2BIG)]
    [InlineData("C update BPF_F_CPU|cpu<<32 (not in 6.18)", 0u, ElemFlags.BPF_F_CPU | (1ul << 32), Errno.EINVAL)]
    [InlineData("C update BPF_F_ALL_CPUS (not in 6.18)", 0u, ElemFlags.BPF_F_ALL_CPUS, Errno.EINVAL)]
    public void MapUpdateElem_PerCpuRow_MatchesSpec(string row, uint key, ulong flags, Errno expected)
    {
        int fd = Backend.CreateMap(MapType.PerCpuArray, 4, 8, 4);

        Errno err = Backend.Update(fd, key, new byte[8 * Backend.PossibleCpus], flags);

        Assert.True(expected == err, $"{row}: expected {expected}, got {err}");
    }

    [SkippableFact]
    public void MapCommands_PerCpuOtherRows_MatchSpec()
    {
        int fd = Backend.CreateMap(MapType.PerCpuArray, 4, 8, 4);
        int bytes = 8 * Backend.PossibleCpus;

        Assert.Equal(Errno.ENOENT, Backend.Lookup(fd, 4, bytes).Err); // C lookup key out of range
        Assert.Equal(Errno.EINVAL, Backend.Lookup(fd, 0, bytes, ElemFlags.BPF_F_CPU).Err); // C lookup BPF_F_CPU
        Assert.Equal(Errno.EINVAL, Backend.MapDeleteElem(fd, U32(0), 0)); // C delete
        Assert.Equal(Errno.ENOTSUPP, Backend.MapLookupAndDeleteElem(fd, U32(0), new byte[bytes], 0)); // C LOOKUP_AND_DELETE
        Assert.Equal((Errno.None, 0u), Backend.NextKey(fd, null)); // C GET_NEXT_KEY NULL
    }
}
