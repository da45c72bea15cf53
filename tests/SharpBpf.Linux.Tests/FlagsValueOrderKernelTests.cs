using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Linux.Tests.Support;
using SharpBpf.Runtime;
using static SharpBpf.Linux.Tests.Support.BackendExtensions;

namespace SharpBpf.Linux.Tests;

/// <summary>
/// BPF_MAP_UPDATE_ELEM on ARRAY and PERCPU_ARRAY with bad element flags and a short value buffer, bad flags and a good
/// value, good flags and a short value: the kernel (through the Linux backend, which hands the kernel a faulting pointer
/// for a span shorter than the kernel copies) and the userspace backend must both give the errno of the V.* row of
/// tests/SharpBpf.Runtime.Tests/Maps/probes/flags_value_probe.out.md. The kernel refuses BPF_F_LOCK before it copies
/// anything, and every other bad flag only in the map type's update, after the whole value was copied.
/// </summary>
public sealed class FlagsValueOrderKernelTests : KernelTestBase
{
    /// <summary>The value is the whole <c>bpf_map_value_size</c> (every CPU's copy for PERCPU_ARRAY).</summary>
    private const int Whole = -1;

    /// <summary>Four bytes: shorter than value_size, so short for every map whatever flags the caller gives.</summary>
    private const int Four = 4;

    /// <summary>One byte short of the whole value.</summary>
    private const int OneShortOfWhole = -2;

    [SkippableTheory]
    // bad flags, short value: EFAULT, except BPF_F_LOCK, which is refused before the copy
    [InlineData("V.au3.2", MapType.Array, 3ul, Four, Errno.EFAULT)]
    [InlineData("V.au6.2", MapType.Array, ElemFlags.BPF_F_CPU, Four, Errno.EFAULT)]
    [InlineData("V.au7.2", MapType.Array, ElemFlags.BPF_F_ALL_CPUS, Four, Errno.EFAULT)]
    [InlineData("V.au9.2", MapType.Array, 1ul << 32, Four, Errno.EFAULT)]
    [InlineData("V.au4.2", MapType.Array, ElemFlags.BPF_F_LOCK, Four, Errno.EINVAL)]
    [InlineData("V.pu3.2", MapType.PerCpuArray, 3ul, Four, Errno.EFAULT)]
    [InlineData("V.pu6.2", MapType.PerCpuArray, ElemFlags.BPF_F_CPU, Four, Errno.EFAULT)]
    [InlineData("V.pu7.2", MapType.PerCpuArray, ElemFlags.BPF_F_ALL_CPUS, Four, Errno.EFAULT)]
    [InlineData("V.pu8.2", MapType.PerCpuArray, ElemFlags.BPF_F_CPU | ElemFlags.BPF_F_ALL_CPUS, Four, Errno.EFAULT)]
    [InlineData("V.pu4.2", MapType.PerCpuArray, ElemFlags.BPF_F_LOCK, Four, Errno.EINVAL)]
    // bad flags, good value: EINVAL
    [InlineData("V.au3.0", MapType.Array, 3ul, Whole, Errno.EINVAL)]
    [InlineData("V.au6.0", MapType.Array, ElemFlags.BPF_F_CPU, Whole, Errno.EINVAL)]
    [InlineData("V.au7.0", MapType.Array, ElemFlags.BPF_F_ALL_CPUS, Whole, Errno.EINVAL)]
    [InlineData("V.au4.0", MapType.Array, ElemFlags.BPF_F_LOCK, Whole, Errno.EINVAL)]
    [InlineData("V.pu3.0", MapType.PerCpuArray, 3ul, Whole, Errno.EINVAL)]
    [InlineData("V.pu6.0", MapType.PerCpuArray, ElemFlags.BPF_F_CPU, Whole, Errno.EINVAL)]
    [InlineData("V.pu7.0", MapType.PerCpuArray, ElemFlags.BPF_F_ALL_CPUS, Whole, Errno.EINVAL)]
    [InlineData("V.pu9.0", MapType.PerCpuArray, 1ul << 32, Whole, Errno.EINVAL)]
    [InlineData("V.pu4.0", MapType.PerCpuArray, ElemFlags.BPF_F_LOCK, Whole, Errno.EINVAL)]
    // good flags, short value: EFAULT (NOEXIST too: the copy comes before the type's EEXIST)
    [InlineData("V.au0.2", MapType.Array, ElemFlags.BPF_ANY, Four, Errno.EFAULT)]
    [InlineData("V.au1.2", MapType.Array, ElemFlags.BPF_NOEXIST, Four, Errno.EFAULT)]
    [InlineData("V.au2.2", MapType.Array, ElemFlags.BPF_EXIST, Four, Errno.EFAULT)]
    [InlineData("V.pu0.2", MapType.PerCpuArray, ElemFlags.BPF_ANY, Four, Errno.EFAULT)]
    [InlineData("V.pu1.2", MapType.PerCpuArray, ElemFlags.BPF_NOEXIST, Four, Errno.EFAULT)]
    [InlineData("V.pu2.2", MapType.PerCpuArray, ElemFlags.BPF_EXIST, Four, Errno.EFAULT)]
    // single-CPU flags with a value of one CPU's size or just short of all CPUs': 6.18 copies every CPU's value
    // whatever the flags, so the Linux backend must not size the copy for one CPU (it asked the kernel: HasCpuElemFlags)
    [InlineData("V.pu6.1", MapType.PerCpuArray, ElemFlags.BPF_F_CPU, OneShortOfWhole, Errno.EFAULT)]
    [InlineData("V.pu6.3", MapType.PerCpuArray, ElemFlags.BPF_F_CPU, 8, Errno.EFAULT)]
    [InlineData("V.pu7.1", MapType.PerCpuArray, ElemFlags.BPF_F_ALL_CPUS, OneShortOfWhole, Errno.EFAULT)]
    [InlineData("V.pu7.3", MapType.PerCpuArray, ElemFlags.BPF_F_ALL_CPUS, 8, Errno.EFAULT)]
    public void MapUpdateElem_FlagsAndValueLength_ProbeErrnoOnBothBackends(string row, MapType type, ulong flags,
        int valueBytes, Errno expected)
    {
        LinuxBackend kernel = Backend;
        using var user = new UserspaceBackend(new UserspaceBackendOptions { PossibleCpus = kernel.PossibleCpus });
        int whole = type == MapType.PerCpuArray ? 8 * kernel.PossibleCpus : 8;

        foreach (IBpfBackend backend in new IBpfBackend[] { kernel, user })
        {
            int fd = backend.CreateMap(type, 4, 8, 4);
            int length = valueBytes switch { Whole => whole, OneShortOfWhole => whole - 1, _ => valueBytes };
            Errno err = backend.Update(fd, 0, new byte[length], flags);
            Assert.Equal(Errno.None, backend.Close(fd));

            Assert.True(expected == err, $"{row} on {backend.Name}: expected {expected}, got {err}");
        }
    }
}
