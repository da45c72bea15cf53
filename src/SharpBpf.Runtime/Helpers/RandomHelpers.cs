using SharpBpf.Abi;
using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Helpers;

/// <summary><c>bpf_get_prandom_u32</c> (7): a pseudo-random 32-bit number, not for cryptography (as in the kernel).</summary>
public static unsafe class RandomHelpers
{
    /// <summary>Registers the helper under its Linux id.</summary>
    public static void Register(HelperTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        table.Register(HelperId.GetPrandomU32, &GetPrandomU32);
    }

    /// <summary><c>u32 bpf_get_prandom_u32(void)</c>.</summary>
    public static ulong GetPrandomU32(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5) =>
#pragma warning disable CA5394 // BPF's prandom is explicitly not cryptographic.
        (uint)Random.Shared.NextInt64(0, 1L << 32);
#pragma warning restore CA5394
}
