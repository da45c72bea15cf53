using SharpBpf.Abi;
using SharpBpf.Maps;
using SharpBpf.Runtime.Tests.Programs;

namespace SharpBpf.Runtime.Tests.FdArrays;

/// <summary>The typed fd-array handles over the userspace backend.</summary>
public class TypedApiTests
{
    [Fact]
    public void ProgramArray_SetLookupClear_GivesIdThenEmpty()
    {
        using var kit = new ProgramTestKit();
        using var array = new ProgramArray(kit.Backend, 4);
        var fd = kit.Load(ProgramType.SocketFilter, ProgramAsm.ReturnConstant(0));

        array.Set(1, fd);

        Assert.Equal(kit.Backend.GetProgram(fd)!.Id, array.GetProgramId(1));
        Assert.Null(array.GetProgramId(0));
        Assert.True(array.Clear(1));
        Assert.False(array.Clear(1));
    }

    [Fact]
    public void PerfEventArray_WrongMapType_Throws()
    {
        using var kit = new ProgramTestKit();
        using var map = BpfMap.Create(kit.Backend, new Backend.MapCreateAttr
        {
            Type = MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = 1,
        });

        Assert.Throws<ArgumentException>(() => new PerfEventArray(map, ownsMap: false));
    }
}
