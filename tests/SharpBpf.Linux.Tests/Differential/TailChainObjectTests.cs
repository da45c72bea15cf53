using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Linux.Tests.Support;
using SharpBpf.Loading;
using SharpBpf.Maps;
using SharpBpf.Object;
using SharpBpf.Programs;
using SharpBpf.Runtime;
using Xunit.Abstractions;

namespace SharpBpf.Linux.Tests.Differential;

/// <summary>
/// testdata/bench/tail_chain.o through CollectionLoader: the <c>xdp/tail_N</c> programs (a section libbpf does not
/// know, typed by <see cref="CollectionLoadOptions.UnknownSectionType"/>) must be loadable next to the
/// <c>SEC("xdp")</c> entry that owns the prog array, and the filled chain must run the same on both backends
/// (EXPECTED.md: every run returns XDP_PASS and adds 1 to each of chain_hits[0..7]).
/// </summary>
public sealed class TailChainObjectTests(ITestOutputHelper output)
{
    private static readonly string ObjectPath = Path.Combine(TestData.Root, "bench", "tail_chain.o");

    private static readonly CollectionLoadOptions XdpOptions = new() { UnknownSectionType = ProgramType.Xdp };

    [Fact]
    public void AttachTypeFor_UnknownSectionTypedXdp_SameAsEntryProgram()
    {
        // Linux >= 6.17 refuses a tail-call target whose expected_attach_type differs from the prog array owner's:
        // the loader gave the xdp/tail_N programs 0 next to the entry's BPF_XDP, and the kernel said EINVAL.
        CollectionSpec spec = BpfObjectReader.Read(ObjectPath);
        ProgramSpec entry = spec.Programs.Single(p => p.Name == "tail_entry");
        uint entryAttach = CollectionLoader.AttachTypeFor(entry, CollectionLoader.ResolveType(entry, XdpOptions));
        Assert.Equal((uint)AttachType.Xdp, entryAttach);

        foreach (ProgramSpec slot in spec.Programs.Where(p => p.Name != "tail_entry"))
        {
            ProgramType type = CollectionLoader.ResolveType(slot, XdpOptions);
            Assert.True(entryAttach == CollectionLoader.AttachTypeFor(slot, type),
                $"{slot.Name} (section {slot.SectionName}) as {type}: expected_attach_type {CollectionLoader.AttachTypeFor(slot, type)}, entry {entryAttach}");
        }
    }

    [SkippableFact]
    public void CollectionLoader_TailChainOnKernel_EveryProgramLoadsAndChainRuns()
    {
        KernelTestBase.RequireKernel();
        using var kernel = new LinuxBackend();

        using BpfCollection k = CollectionLoader.LoadFile(kernel, ObjectPath, XdpOptions);
        Fill(k);

        Assert.Equal(9, k.Programs.Count);
        Assert.Equal(2u, k.Program("tail_entry").TestRun(new byte[64]).ReturnValue); // XDP_PASS from tail_7
        for (uint i = 0; i < 8; i++)
            Assert.Equal(1UL, Hits(k, i));
    }

    [SkippableFact]
    public void TailChain_OneAndThousandRuns_SameRetvalAndMapsOnBothBackends()
    {
        KernelTestBase.RequireKernel();
        using var kernel = new LinuxBackend();
        using var user = new UserspaceBackend(new UserspaceBackendOptions { PossibleCpus = kernel.PossibleCpus });
        using BpfCollection k = CollectionLoader.LoadFile(kernel, ObjectPath, XdpOptions);
        using BpfCollection u = CollectionLoader.LoadFile(user, ObjectPath, XdpOptions);
        Fill(k);
        Fill(u);

        int compared = 0;
        foreach ((uint repeat, ulong total) in new[] { (1u, 1UL), (999u, 1000UL) })
        {
            ProgramRunResult kr = k.Program("tail_entry").TestRun(new byte[64], repeat);
            ProgramRunResult ur = u.Program("tail_entry").TestRun(new byte[64], repeat);

            Assert.Equal((2u, 2u), (kr.ReturnValue, ur.ReturnValue));
            for (uint i = 0; i < 8; i++)
            {
                Assert.True((total, total) == (Hits(k, i), Hits(u, i)), $"after {total} runs chain_hits[{i}]: kernel {Hits(k, i)} userspace {Hits(u, i)}");
                (Errno kErr, _) = kernel.Lookup(k.Map("chain_progs").Fd, i, 4);
                (Errno uErr, _) = user.Lookup(u.Map("chain_progs").Fd, i, 4);
                Assert.Equal((Errno.None, Errno.None), (kErr, uErr)); // values are per-backend program ids
                compared += 2;
            }

            compared++;
        }

        output.WriteLine($"tail_chain.o (chain filled): {compared} comparisons (retvals and map entries)");
    }

    /// <summary>chain_progs[i] = tail_i, as EXPECTED.md's loader does.</summary>
    private static void Fill(BpfCollection collection)
    {
        using var chain = new ProgramArray(collection.Map("chain_progs"), ownsMap: false);
        for (uint i = 0; i < 8; i++)
            chain.Set(i, collection.Program($"tail_{i}").Fd);
    }

    private static ulong Hits(BpfCollection collection, uint index)
    {
        (Errno err, byte[] value) = collection.Backend.Lookup(collection.Map("chain_hits").Fd, index, 8);
        Assert.Equal(Errno.None, err);
        return BackendExtensions.ReadU64(value);
    }
}
