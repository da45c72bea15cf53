using SharpBpf.Abi;
using SharpBpf.Runtime.Objects;
using static SharpBpf.Runtime.Tests.Programs.ProgramAsm;

namespace SharpBpf.Runtime.Tests.Programs;

/// <summary>
/// Programs are reference-counted objects with ids (issue 4 point 1): a program holds a reference on every map it
/// uses, and is freed when its last descriptor, pin and plain reference (a prog array slot) are gone.
/// </summary>
public class LifetimeTests
{
    [Fact]
    public void CloseMapFd_ProgramStillUsesIt_MapFreedOnlyAfterProgramClosed()
    {
        using var kit = new ProgramTestKit();
        var mapFd = kit.CreateArray();
        var map = kit.MapOf(mapFd);
        var prog = kit.LoadXdp(CounterIncrement(mapFd));
        var mapId = map.Id;

        Assert.Equal(Errno.None, kit.Backend.Close(mapFd));

        Assert.False(map.IsFreed);
        Assert.Equal(0u, kit.Run(prog, repeat: 3).Retval);
        Assert.Equal(3ul, map.DebugView(0)[0]);
        Assert.Equal(Errno.None, kit.Backend.MapGetFdById(mapId, 0, out var reopened)); // still findable by id
        Assert.Equal(Errno.None, kit.Backend.Close(reopened));
        Assert.Equal(Errno.None, kit.Backend.Close(prog));
        Assert.True(map.IsFreed);
        Assert.Equal(0, kit.Registry.Count(ObjectKind.Map));
        Assert.Equal(0, kit.Registry.Count(ObjectKind.Program));
    }

    [Fact]
    public void LoadProgram_TakesOneReferencePerMap_ReleasedWhenFreed()
    {
        using var kit = new ProgramTestKit();
        var mapFd = kit.CreateArray();
        var map = kit.MapOf(mapFd);
        // three references to the same map: the program holds one reference
        var prog = kit.LoadXdp([.. LdMapFd(R1, mapFd), .. LdMapFd(R2, mapFd), .. LdMapFd(R3, mapFd), .. ReturnConstant(2)]);

        Assert.Equal(2, map.ReferenceCount);
        Assert.Equal(1, map.UserReferenceCount);
        kit.Backend.Close(prog);
        Assert.Equal(1, map.ReferenceCount);
    }

    [Fact]
    public void FailedLoad_AfterMapsResolved_ReleasesTheirReferences()
    {
        using var kit = new ProgramTestKit();
        var mapFd = kit.CreateArray();
        var map = kit.MapOf(mapFd);

        var err = kit.TryLoad(ProgramType.Xdp, [.. LdMapFd(R1, mapFd), Call(9999), Exit()], out _, out _);

        Assert.Equal(Errno.EINVAL, err);
        Assert.Equal(1, map.ReferenceCount);
        Assert.Equal(0, kit.Registry.Count(ObjectKind.Program));
    }

    [Fact]
    public void PinnedProgram_AllFdsClosed_StaysUntilUnpinned()
    {
        using var kit = new ProgramTestKit();
        var mapFd = kit.CreateArray();
        var map = kit.MapOf(mapFd);
        var prog = kit.LoadXdp(CounterIncrement(mapFd));
        var program = kit.Backend.GetProgram(prog)!;
        Assert.Equal(Errno.None, kit.Backend.ObjPin(prog, "/sys/fs/bpf/test_prog"));
        kit.Backend.Close(prog);
        kit.Backend.Close(mapFd);

        Assert.False(program.IsFreed);
        Assert.Equal(Errno.None, kit.Backend.ObjGet("/sys/fs/bpf/test_prog", 0, out var again));
        Assert.Equal(0u, kit.Run(again).Retval);
        Assert.Equal(Errno.EINVAL, kit.Backend.ObjGet("/sys/fs/bpf/test_prog", (uint)MapFlags.BPF_F_RDONLY, out _));
        kit.Backend.Close(again);
        Assert.Equal(Errno.None, kit.Backend.ObjUnpin("/sys/fs/bpf/test_prog"));

        Assert.True(program.IsFreed);
        Assert.True(map.IsFreed);
    }

    [Fact]
    public void ProgArrayStyleReference_OutlivesTheLastFd()
    {
        using var kit = new ProgramTestKit();
        var prog = kit.LoadXdp(ReturnConstant(2));
        var program = kit.Backend.GetProgram(prog)!;
        var id = program.Id;

        program.AcquireReference(); // what a PROG_ARRAY slot holds
        kit.Backend.Close(prog);

        Assert.False(program.IsFreed);
        Assert.Equal(Errno.None, kit.Backend.ProgGetFdById(id, out var byId));
        kit.Backend.Close(byId);
        program.ReleaseReference();
        Assert.True(program.IsFreed);
        Assert.Equal(Errno.ENOENT, kit.Backend.ProgGetFdById(id, out _));
    }

    [Fact]
    public void DisposeBackend_ClosesPrograms()
    {
        var kit = new ProgramTestKit();
        var mapFd = kit.CreateArray();
        var map = kit.MapOf(mapFd);
        var program = kit.Backend.GetProgram(kit.LoadXdp(CounterIncrement(mapFd)))!;

        kit.Dispose();

        Assert.True(program.IsFreed);
        Assert.True(map.IsFreed);
    }
}
