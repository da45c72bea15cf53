using System.Diagnostics;
using SharpBpf.Abi;
using SharpBpf.Runtime.Maps;
using SharpBpf.Runtime.Memory;

namespace SharpBpf.Runtime.Tests.Maps;

/// <summary>
/// Spec A.4: every map is charged the kernel's map_mem_usage (A.mem0-2) against a budget, the userspace
/// counterpart of the memcg limit (A.mem5-7); requests over the budget or larger than the machine fail at once
/// with ENOMEM (A.mem10, A.a18-20).
/// </summary>
public class MemoryBudgetTests
{
    [Theory]
    [InlineData("A.mem0", MapType.Array, 8u, 1000u, 0u, 8312UL)]
    [InlineData("A.mem1", MapType.Array, 8u, 1000u, (uint)MapFlags.BPF_F_MMAPABLE, 12288UL)]
    [InlineData("A.mem2", MapType.PerCpuArray, 12u, 1000u, 0u, 40312UL)]
    [InlineData("A.mem-pa", MapType.ProgArray, 4u, 1000u, 0u, 8312UL)]
    public void MapCreate_ChargesKernelFormula(string row, MapType type, uint valueSize, uint maxEntries, uint flags, ulong expected)
    {
        using var kit = new MapTestKit(cpus: 2);
        var fd = kit.Create(type, 4, valueSize, maxEntries, flags);

        Assert.True(expected == kit.MapOf(fd).MemoryUsage, row);
        Assert.Equal((long)expected, kit.Budget.Used);
        kit.Backend.Close(fd);
        Assert.Equal(0, kit.Budget.Used);
    }

    [Fact]
    public void MapCreate_OverBudget_EnomemAndNothingCharged_A_mem5_to_mem7()
    {
        using var kit = new MapTestKit(budgetLimit: 256L << 20);

        Assert.Equal(Errno.None, kit.Backend.MapCreate(MapTestKit.Attr(MapType.Array, 4, 4096, 48 * 1024), out var first)); // A.mem5
        var used = kit.Budget.Used;
        Assert.Equal(Errno.ENOMEM, kit.Backend.MapCreate(MapTestKit.Attr(MapType.Array, 4, 4096, 48 * 1024), out _)); // A.mem6
        Assert.Equal(Errno.ENOMEM, kit.Backend.MapCreate(MapTestKit.Attr(MapType.Array, 4, 4096, 128 * 1024), out _)); // A.mem7
        Assert.Equal(used, kit.Budget.Used);

        kit.Backend.Close(first);
        Assert.Equal(Errno.None, kit.Backend.MapCreate(MapTestKit.Attr(MapType.Array, 4, 4096, 48 * 1024), out _));
    }

    [Fact]
    public void MapCreate_PerCpuIsChargedToo_DeliberateDifferenceFrom_A_mem8()
    {
        // The kernel did not charge percpu memory to a cgroup-v1 limit; the budget charges it, so the same
        // 512 MiB PERCPU_ARRAY that passed a 256 MiB memcg fails here.
        using var kit = new MapTestKit(cpus: 2, budgetLimit: 256L << 20);

        Assert.Equal(Errno.ENOMEM, kit.Backend.MapCreate(MapTestKit.Attr(MapType.PerCpuArray, 4, 32768, 8192), out _));
    }

    [Fact]
    public void MapCreate_LargerThanTheMachine_EnomemWithoutTouchingMemory()
    {
        // A real budget: the default limit and this machine's memory.
        var budget = new MemoryBudget(long.MaxValue);
        using var backend = new UserspaceBackend(new UserspaceBackendOptions
        {
            MemoryBudget = budget,
            Registry = new Objects.ObjectRegistry(),
            PossibleCpus = 2,
        });
        var before = Process.GetCurrentProcess().WorkingSet64;

        // ~2^62 bytes: larger than any machine.
        Assert.Equal(Errno.ENOMEM, backend.MapCreate(MapTestKit.Attr(MapType.Array, 4, 0x7ffffff8, 0xffffffff), out _));
        Assert.Equal(Errno.ENOMEM, backend.MapCreate(MapTestKit.Attr(MapType.PerCpuArray, 4, 32768, 0xffffffff), out _));

        Assert.Equal(0, budget.Used);
        Assert.True(Process.GetCurrentProcess().WorkingSet64 - before < 64L << 20);
    }

    [Fact]
    public void MapCreate_EightByU32Max_Enomem_A_a18()
    {
        // 32 GiB on a machine of the reference size (24 GiB): refused before any allocation, budget or not.
        using var kit = new MapTestKit(budgetLimit: long.MaxValue);

        Assert.Equal(Errno.ENOMEM, kit.Backend.MapCreate(MapTestKit.Attr(MapType.Array, 4, 8, 0xffffffff), out _));
        Assert.Equal(0, kit.Budget.Used);
    }

    [Fact]
    public void MapCreate_BigButAllowed_AllocatesLazily_A_mem9()
    {
        using var kit = new MapTestKit();

        var fd = kit.CreateArray(valueSize: 4096, maxEntries: 1u << 20); // 4 GiB
        var map = Assert.IsType<ArrayMapObject>(kit.MapOf(fd));

        Assert.Equal(4294967608UL, map.MemoryUsage);
        var value = MapTestKit.Filled(4096, 9);
        Assert.Equal(Errno.None, kit.Update(fd, (1u << 20) - 1, value));
        var back = new byte[4096];
        Assert.Equal(Errno.None, kit.Lookup(fd, (1u << 20) - 1, back));
        Assert.Equal(value, back);
    }

    [Fact]
    public void MemoryBudget_ChargeAndRelease_Arithmetic()
    {
        var budget = new MemoryBudget(100, physicalMemoryBytes: 1000);

        Assert.True(budget.TryCharge(60));
        Assert.False(budget.TryCharge(41));
        Assert.True(budget.TryCharge(40));
        Assert.False(budget.TryCharge(1));
        budget.Release(100);
        budget.Limit = 5000;
        Assert.False(budget.TryCharge(1001)); // larger than the machine, whatever the limit
        Assert.True(budget.TryCharge(1000));
        Assert.Equal(1000, budget.Used);
    }

    [Fact]
    public void MemoryBudget_Shared_IsAFractionOfTheMachine()
    {
        Assert.True(MemoryBudget.Shared.Limit > 0);
        Assert.True(MemoryBudget.Shared.Limit <= MemoryBudget.Shared.PhysicalMemory);
    }

    [Fact]
    public void MapCreate_BadNameAfterAllocation_ReleasesCharge()
    {
        using var kit = new MapTestKit();

        Assert.Equal(Errno.EINVAL, kit.Backend.MapCreate(MapTestKit.Attr(MapType.Array, 4, 8, 1000) with { Name = "bad-name" }, out _));

        Assert.Equal(0, kit.Budget.Used);
    }
}
