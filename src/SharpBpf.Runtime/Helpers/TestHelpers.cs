using SharpBpf.Runtime.Execution;

namespace SharpBpf.Runtime.Helpers;

/// <summary>
/// The helpers of uBPF's conformance test registry (ids 0-5), needed by the uBPF test files and by
/// <c>call_unwind_fail.data</c> / <c>callx.data</c> of bpf_conformance. Not Linux helpers: they live in their own
/// table (<see cref="CreateTable"/>), never in the default one.
/// </summary>
public static unsafe class TestHelpers
{
    /// <summary>A table holding exactly the six test helpers.</summary>
    public static HelperTable CreateTable()
    {
        var table = new HelperTable();
        table.Register(0, &GatherBytes, "gather_bytes");
        table.Register(1, &Memfrob, "memfrob");
        table.Register(2, &NoOp, "no_op");
        table.Register(3, &Sqrti, "sqrti");
        table.Register(4, &StrcmpExt, "strcmp_ext");
        table.Register(5, &Unwind, "unwind");
        return table;
    }

    /// <summary>Helper 0: the low bytes of r1..r5 packed into one value, r1's the most significant.</summary>
    public static ulong GatherBytes(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5) =>
        ((r1 & 0xff) << 32) | ((r2 & 0xff) << 24) | ((r3 & 0xff) << 16) | ((r4 & 0xff) << 8) | (r5 & 0xff);

    /// <summary>Helper 1: XORs the <c>r2</c> bytes at address <c>r1</c> with 42; returns 0.</summary>
    public static ulong Memfrob(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (r2 == 0)
            return 0;
        state.CheckAccess(r1, r2, write: true);
        var p = (byte*)r1;
        for (ulong k = 0; k < r2; k++)
            p[k] ^= 42;
        return 0;
    }

    /// <summary>Helper 2: does nothing, returns 0.</summary>
    public static ulong NoOp(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5) => 0;

    /// <summary>Helper 3: the integer square root of <c>r1</c> (rounded down).</summary>
    public static ulong Sqrti(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        // Start from the double estimate and correct it: doubles are inexact above 2^53.
        var x = (ulong)Math.Sqrt(r1);
        while (x > 0 && (x > uint.MaxValue || x * x > r1))
            x--;
        while (x < uint.MaxValue && (x + 1) * (x + 1) <= r1)
            x++;
        return x;
    }

    /// <summary>
    /// Helper 4: <c>strcmp</c> of the NUL-terminated strings at <c>r1</c> and <c>r2</c>: the difference of the
    /// first differing bytes (sign-extended), or 0. Every byte read is checked against the run's regions.
    /// </summary>
    public static ulong StrcmpExt(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        ArgumentNullException.ThrowIfNull(state);
        for (ulong i = 0; ; i++)
        {
            state.CheckAccess(r1 + i, 1, write: false);
            state.CheckAccess(r2 + i, 1, write: false);
            var a = *(byte*)(r1 + i);
            var b = *(byte*)(r2 + i);
            if (a != b)
                return (ulong)(long)(a - b);
            if (a == 0)
                return 0;
        }
    }

    /// <summary>Helper 5 ("unwind"): returns <c>r1</c>; if it is 0, ends the whole program with <c>r0 = 0</c>.</summary>
    public static ulong Unwind(RunState state, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (r1 == 0)
            state.Stop(0);
        return r1;
    }
}
