using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Linux.Tests.Support;

namespace SharpBpf.Linux.Tests.Differential;

/// <summary>
/// The kernel and the userspace backend side by side, each with the same tiny XDP program loaded (its fd is what
/// PROG_ARRAY slot updates store, each backend its own).
/// </summary>
public sealed class BackendPair : IDisposable
{
    public BackendPair(IBpfBackend kernel, IBpfBackend user)
    {
        Kernel = kernel;
        User = user;
        KernelProg = kernel.LoadProgram(ProgramType.Xdp, Insn.ReturnConstant(2));
        UserProg = user.LoadProgram(ProgramType.Xdp, Insn.ReturnConstant(2));
        Assert.Equal(Errno.None, kernel.ProgGetInfo(KernelProg, out ProgInfo kInfo));
        Assert.Equal(Errno.None, user.ProgGetInfo(UserProg, out ProgInfo uInfo));
        KernelProgId = kInfo.Id;
        UserProgId = uInfo.Id;
    }

    /// <summary>Ids are per backend: an fd-array lookup reports the kernel's id on one side and ours on the other.</summary>
    public uint KernelProgId { get; }

    public uint UserProgId { get; }

    public IBpfBackend Kernel { get; }

    public IBpfBackend User { get; }

    public int KernelProg { get; }

    public int UserProg { get; }

    public void Dispose()
    {
        Kernel.Close(KernelProg);
        User.Close(UserProg);
    }
}
