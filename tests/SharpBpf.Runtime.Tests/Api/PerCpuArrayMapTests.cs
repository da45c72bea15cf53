using SharpBpf.Maps;

namespace SharpBpf.Runtime.Tests.Api;

public class PerCpuArrayMapTests
{
    [Fact]
    public void UpdateThenLookup_PerCpuValuesAndSum()
    {
        using var backend = ApiTestKit.Backend(cpus: 3);
        using var map = new PerCpuArrayMap<long>(backend, 4, "pc");
        var values = map.CreateValues();
        values[0] = 1;
        values[1] = 20;
        values[2] = 300;

        map.Update(2, values);
        var back = map.Lookup(2);

        Assert.Equal(3, back.Count);
        Assert.Equal([1L, 20L, 300L], back);
        Assert.Equal(321, back.Sum());
        Assert.Equal(321, back.Sum((a, b) => a + b));
    }

    [Fact]
    public void ProgramUpdates_OnlyThatCpu_SeenInPerCpuValues()
    {
        using var backend = ApiTestKit.Backend(cpus: 2);
        using var map = new PerCpuArrayMap<int>(backend, 2);
        Assert.True(backend.TryGetMap(map.Map.Fd, out var obj));

        Assert.Equal(Abi.Errno.None, obj!.UpdateFromProgram(1, BitConverter.GetBytes(0x55), 0, cpu: 1));

        Assert.Equal([0, 0x55], map.Lookup(1));
    }

    [Fact]
    public void SmallValue_PaddingKeptAsWritten()
    {
        using var backend = ApiTestKit.Backend(cpus: 2);
        using var map = new PerCpuArrayMap<int>(backend, 1);
        var values = map.CreateValues();
        values.AsBytes().Fill(0xab);
        values[0] = 1;

        map.Update(0, values);
        var back = map.Lookup(0);

        Assert.Equal(8, back.Stride);
        Assert.Equal(values.AsBytes().ToArray(), back.AsBytes().ToArray());
    }

    [Fact]
    public void UpdateAll_Enumerate()
    {
        using var backend = ApiTestKit.Backend(cpus: 2);
        using var map = new PerCpuArrayMap<ulong>(backend, 3);

        map.UpdateAll(1, 5);

        var all = map.ToList();
        Assert.Equal([0u, 1u, 2u], all.Select(p => p.Key));
        Assert.Equal(10UL, all[1].Value.Sum());
        Assert.Equal(0UL, all[2].Value.Sum());
    }

    [Fact]
    public void Lookup_OutOfRange_BpfExceptionTryFalse()
    {
        using var backend = ApiTestKit.Backend(cpus: 2);
        using var map = new PerCpuArrayMap<long>(backend, 2, "pc");

        Assert.False(map.TryLookup(2, map.CreateValues()));
        var ex = Assert.Throws<BpfException>(() => map.Lookup(2));
        Assert.Equal("BPF_MAP_LOOKUP_ELEM on map 'pc': ENOENT (index 2 >= max_entries 2)", ex.Message);
    }

    [Fact]
    public void Wrap_WrongSize_ClearArgumentException()
    {
        using var backend = ApiTestKit.Backend(cpus: 2);
        using var raw = new PerCpuArrayMap<long>(backend, 2, "pc");

        var ex = Assert.Throws<ArgumentException>(() => new PerCpuArrayMap<int>(raw.Map, ownsMap: false));

        Assert.Contains("needs value_size 4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrap_WrongType_ClearArgumentException()
    {
        using var backend = ApiTestKit.Backend(cpus: 2);
        using var raw = new ArrayMap<long>(backend, 2, "plain");

        var ex = Assert.Throws<ArgumentException>(() => new PerCpuArrayMap<long>(raw.Map, ownsMap: false));

        Assert.Equal("PerCpuArrayMap<Int64> needs a PerCpuArray map, but map 'plain' is a Array map. (Parameter 'map')", ex.Message);
    }
}
