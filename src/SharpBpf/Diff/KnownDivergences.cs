namespace SharpBpf.Diff;

/// <summary>
/// Every deliberate difference between the userspace backend and the Linux kernel, in one place: the differential
/// suite and <c>sharpbpf prog diff</c> accept exactly these and fail on anything else. docs/DIVERGENCES.md explains
/// each with its reason and must list the same entries.
/// </summary>
public static class KnownDivergences
{
    /// <summary>
    /// Conformance tests (file names without <c>.data</c>) that the kernel's verifier refuses while RFC 9669 (and the
    /// userspace interpreter) gives them a result; see shared/conformance/VERIFY.md.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ConformanceRefusedByKernel { get; } = BuildConformance();

    private static Dictionary<string, string> BuildConformance()
    {
        const string shift = "the kernel refuses a constant shift count >= the width or negative ('invalid shift N'); RFC 9669 masks it";
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string op in new[] { "arsh", "lsh", "rsh" })
        {
            foreach (string width in new[] { "32", "64" })
            {
                refused[$"{op}{width}-imm-high"] = shift;
                refused[$"{op}{width}-imm-neg"] = shift;
            }
        }

        refused["callx"] = "the kernel does not implement callx ('unknown opcode 8d'); RFC 9669 defines it";
        return refused;
    }

    /// <summary>
    /// Per-CPU map values after test runs: a run executes on the calling thread's CPU, which differs between the two
    /// backends' runs (and may change between repeats on the kernel), so which CPU's copy moved is not comparable.
    /// <see cref="ProgramRunComparison"/> accepts per-CPU copies that hold the same values on other CPUs, or the same
    /// sum over CPUs of every 8-byte word, with this reason.
    /// </summary>
    public const string PerCpuPlacement =
        "a test run executes on the caller's CPU, which differs between the backends' runs: the same per-CPU values on other CPUs, or the same sum over CPUs of every 8-byte word";

    /// <summary>
    /// A <c>bpf_tail_call</c> inside a bpf-to-bpf subprogram: the kernel (x86-64 JIT) allows it only when the program
    /// was loaded with BTF func_info ("tail_call is not allowed in subprogs without BTF", EINVAL); the userspace runtime
    /// does not require BTF.
    /// </summary>
    public const string TailCallInSubprogramWithoutBtf =
        "the kernel refuses a tail call in a subprogram without BTF func_info; the userspace runtime needs no BTF";

    /// <summary>True when the kernel refusing conformance test <paramref name="name"/> is an expected refusal.</summary>
    public static bool IsExpectedConformanceRefusal(string name, out string reason) =>
        ConformanceRefusedByKernel.TryGetValue(name, out reason!);
}
