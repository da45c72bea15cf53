using System.Globalization;
using SharpBpf.Abi;
using SharpBpf.Runtime.Tests.Loading;

namespace SharpBpf.Runtime.Tests.Maps;

/// <summary>
/// Element flags against key and value buffers the kernel cannot copy completely, on ARRAY and PERCPU_ARRAY: every
/// V.* row of <c>probes/flags_value_probe.out.md</c> (Linux 6.18, where the spec is silent on the mix) replayed on the
/// userspace backend. The kernel's order: BPF_F_LOCK is refused before anything is copied; every other flag of an
/// update is checked by the map type only after the key and the whole value (<c>bpf_map_value_size</c>, every CPU's
/// copy for per-CPU maps even with the 6.19 BPF_F_CPU bits) were copied, so a short buffer wins with EFAULT; a
/// lookup refuses any flag but BPF_F_LOCK before it looks at a buffer.
/// </summary>
public class FlagsValueOrderTests
{
    private const string ProbeFile = "flags_value_probe.out.md";

    // The probe's flags, by the index in the row id.
    private static readonly ulong[] s_flags = [0, 1, 2, 3, 4, 5, 8, 16, 24, 1UL << 32];

    public static TheoryData<string, int, Errno> Rows()
    {
        var data = new TheoryData<string, int, Errno>();
        var lines = File.ReadAllLines(ProbePath());
        for (var i = 0; i < lines.Length; i++)
        {
            var cells = lines[i].Split('|', StringSplitOptions.TrimEntries);
            if (cells.Length < 6 || !cells[1].StartsWith("V.", StringComparison.Ordinal))
                continue;
            var expected = cells[3] == "0" ? Errno.None : Enum.Parse<Errno>(cells[4]);
            data.Add(cells[1], i + 1, expected);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void ElemCommand_FlagsAgainstShortBuffers_KernelErrno(string row, int line, Errno expected)
    {
        var cpus = PossibleCpus();
        using var kit = new MapTestKit(cpus);
        var perCpu = row[2] == 'p';
        var update = row[3] == 'u';
        var dot = row.IndexOf('.', 4);
        var flags = s_flags[int.Parse(row.AsSpan(4, dot - 4), CultureInfo.InvariantCulture)];
        var buffer = row[(dot + 1)..];
        var fd = perCpu ? kit.CreatePerCpu(valueSize: 8) : kit.CreateArray(valueSize: 8);
        var need = perCpu ? 8 * cpus : 8;
        var valueLength = buffer switch
        {
            "0" or "k0" or "k2" => need,
            "1" => need - 1,
            "2" => 4,
            "3" => 8,
            "v0" => 0, // NULL
            _ => throw new InvalidOperationException($"{ProbeFile}:{line}: unknown buffer '{buffer}' in {row}"),
        };
        byte[] key = buffer switch
        {
            "k0" => [], // NULL
            "k2" => [0, 0],
            _ => MapTestKit.Key(0),
        };
        var value = new byte[valueLength];

        var err = update
            ? kit.Backend.MapUpdateElem(fd, key, value, flags)
            : kit.Backend.MapLookupElem(fd, key, value, flags);

        Assert.True(expected == err, $"{ProbeFile}:{line} {row}: the kernel gave {expected}, the runtime {err}");
    }

    private static string ProbePath() => TestData.Path("tests", "SharpBpf.Runtime.Tests", "Maps", "probes", ProbeFile);

    // The probe ran with the machine's possible CPUs; the per-CPU buffer sizes in its rows depend on them.
    private static int PossibleCpus()
    {
        var header = File.ReadLines(ProbePath()).First();
        return int.Parse(header.AsSpan(header.IndexOf('=', StringComparison.Ordinal) + 1).Trim(), CultureInfo.InvariantCulture);
    }
}
