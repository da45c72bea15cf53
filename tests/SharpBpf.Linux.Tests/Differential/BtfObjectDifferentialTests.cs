using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Linux.Tests.Support;
using SharpBpf.Loading;
using SharpBpf.Object;
using SharpBpf.Programs;
using SharpBpf.Runtime;
using Xunit.Abstractions;

namespace SharpBpf.Linux.Tests.Differential;

/// <summary>
/// Objects whose programs the kernel accepts only with BTF (testdata/objects/btf_calls.o: a subprogram that tail-calls,
/// bpf_loop callbacks, a global function; the CLI tests' helpers.o: bpf_loop) loaded through CollectionLoader on both
/// backends, which must give the same results; the object BTF's kernel form for every checked-in object; and the
/// errnos of BPF_BTF_LOAD headers and of BPF_PROG_LOAD's BTF fields, probed on the kernel and compared.
/// </summary>
public sealed class BtfObjectDifferentialTests(ITestOutputHelper output)
{
    private static readonly string BtfCalls = Path.Combine(TestData.Root, "objects", "btf_calls.o");

    private static readonly string Helpers = Path.Combine(TestData.Root, "..", "tests", "SharpBpf.Cli.Tests", "ProgRun", "objects", "helpers.o");

    public static TheoryData<string> ObjectsWithBtf()
    {
        var data = new TheoryData<string>();
        foreach (string dir in new[] { "bench", "objects" })
        {
            foreach (string file in Directory.GetFiles(Path.Combine(TestData.Root, dir), "*.o").Order(StringComparer.Ordinal))
            {
                if (BpfObjectReader.Read(file).Btf is not null)
                    data.Add(dir + "/" + Path.GetFileName(file));
            }
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(ObjectsWithBtf))]
    public void BtfLoad_KernelFormOfObjectBtf_KernelAndRuntimeAccept(string relative)
    {
        KernelTestBase.RequireKernel();
        BtfSpec btf = BpfObjectReader.Read(Path.Combine(TestData.Root, relative)).Btf!;
        using var kernel = new LinuxBackend();
        using var user = new UserspaceBackend();

        Errno kErr = kernel.BtfLoad(btf.KernelBytes.Span, out _, out string kLog);
        Errno uErr = user.BtfLoad(btf.KernelBytes.Span, out _, out string uLog);

        Assert.True(kErr == Errno.None, $"{relative}: kernel {kErr}\n{kLog}");
        Assert.True(uErr == Errno.None, $"{relative}: userspace {uErr}\n{uLog}");
    }

    [SkippableFact]
    public void BtfLoad_RawObjectBtfWithZeroSizeDatasec_KernelRefusesSoFixupsAreNeeded()
    {
        // clang leaves DATASEC sizes 0; the kernel refuses them, which is why the loader hands it KernelBytes.
        KernelTestBase.RequireKernel();
        BtfSpec btf = BpfObjectReader.Read(BtfCalls).Btf!;
        using var kernel = new LinuxBackend();

        Errno err = kernel.BtfLoad(btf.RawBytes.Span, out _, out string log);

        Assert.Equal(Errno.EINVAL, err);
        Assert.Contains("size", log, StringComparison.Ordinal);
        output.WriteLine(log.Trim());
    }

    [SkippableFact]
    public void CollectionLoader_BtfCalls_SameRetvalsAndMapsOnBothBackends()
    {
        KernelTestBase.RequireKernel();
        using var kernel = new LinuxBackend();
        using var user = new UserspaceBackend(new UserspaceBackendOptions { PossibleCpus = kernel.PossibleCpus });
        using BpfCollection k = CollectionLoader.LoadFile(kernel, BtfCalls);
        using BpfCollection u = CollectionLoader.LoadFile(user, BtfCalls);
        Assert.Equal(("", ""), (k.LoadLog, u.LoadLog));

        // tail_in_sub: the subprogram's tail call to target (7) returns to tail_in_sub, the empty slot falls through
        // (1 + 5); bpf_loop with a global function: (45 * 100 + 10) * 2 + 3; bpf_loop stopped after 4 calls: 604.
        var expected = new (string Program, uint Retval)[] { ("tail_in_sub", 761), ("loop_sum", 9023), ("loop_break", 604) };
        int compared = 0;
        foreach (var (program, retval) in expected)
        {
            uint kr = k.Program(program).TestRun(new byte[64]).ReturnValue;
            uint ur = u.Program(program).TestRun(new byte[64]).ReturnValue;
            Assert.True((retval, retval) == (kr, ur), $"{program}: expected {retval}, kernel {kr}, userspace {ur}");
            compared++;
        }

        // counts: tail_in_sub once, two tail-call attempts in the subprogram, target once, loop sums 45 + 6.
        ulong[] counts = [1, 2, 1, 51];
        for (uint i = 0; i < counts.Length; i++)
        {
            Assert.True((counts[i], counts[i]) == (Count(k, i), Count(u, i)), $"counts[{i}]: expected {counts[i]}, kernel {Count(k, i)}, userspace {Count(u, i)}");
            compared++;
        }

        output.WriteLine($"btf_calls.o: {compared} comparisons");
    }

    [SkippableFact]
    public void CollectionLoader_HelpersBpfLoop_KernelAndRuntimeAgree()
    {
        KernelTestBase.RequireKernel();
        using var kernel = new LinuxBackend();
        using var user = new UserspaceBackend(new UserspaceBackendOptions { PossibleCpus = kernel.PossibleCpus });
        var options = new CollectionLoadOptions { Programs = ["loop_sum", "loop_break", "loop_limits"] };
        using BpfCollection k = CollectionLoader.LoadFile(kernel, Helpers, options);
        using BpfCollection u = CollectionLoader.LoadFile(user, Helpers, options);

        // helpers.c: 45 * 100 + 10, 6 * 100 + 4, -E2BIG * 1000 + -EINVAL.
        var expected = new (string Program, uint Retval)[] { ("loop_sum", 4510), ("loop_break", 604), ("loop_limits", unchecked((uint)(-7 * 1000 - 22))) };
        foreach (var (program, retval) in expected)
        {
            uint kr = k.Program(program).TestRun(new byte[64]).ReturnValue;
            uint ur = u.Program(program).TestRun(new byte[64]).ReturnValue;
            Assert.True((retval, retval) == (kr, ur), $"{program}: expected {retval}, kernel {kr}, userspace {ur}");
        }
    }

    [SkippableFact]
    public void BtfCallsWithoutBtf_KernelRefusesSubprogramTailCall()
    {
        // What the loader's BTF is for: the same program without prog_btf_fd/func_info is refused.
        KernelTestBase.RequireKernel();
        using var kernel = new LinuxBackend();
        using BpfCollection k = CollectionLoader.LoadFile(kernel, BtfCalls, new CollectionLoadOptions { Programs = ["target"] });
        ProgramSpec spec = k.Spec.FindProgram("tail_in_sub")!;
        var fds = k.Spec.Maps.Select((m, i) => (m.Name, k.Maps[i].Fd)).ToDictionary(x => x.Name, x => x.Fd);
        var attr = new ProgLoadAttr
        {
            Type = ProgramType.Xdp, Instructions = CollectionLoader.Relocate(spec, fds), License = "GPL", LogLevel = 1,
            ExpectedAttachType = (uint)AttachType.Xdp,
        };

        Errno err = kernel.ProgLoad(attr, out _, out string log);

        Assert.Equal(Errno.EINVAL, err);
        Assert.Contains("tail_call is not allowed in subprogs without BTF", log, StringComparison.Ordinal);
    }

    /// <summary>BPF_BTF_LOAD of damaged headers: the errno of each, kernel and runtime alike.</summary>
    [SkippableFact]
    public void BtfLoad_DamagedHeaders_SameErrnoOnBothBackends()
    {
        KernelTestBase.RequireKernel();
        byte[] good = MiniBtf.Functions("main");
        var cases = new (string Name, byte[] Blob)[]
        {
            ("valid", good),
            ("empty", []),
            ("7 bytes", good[..7]),
            ("bad magic", With(good, b => b[0] = 0)),
            ("version 2", With(good, b => b[2] = 2)),
            ("flags 1", With(good, b => b[3] = 1)),
            ("hdr_len beyond blob", With(good, b => U32(b, 4, (uint)b.Length + 1))),
            ("hdr_len 28 zero tail", Insert(good, 24, [0, 0, 0, 0], 28)),
            ("hdr_len 28 nonzero tail", Insert(good, 24, [1, 0, 0, 0], 28)),
            ("header only", With(good[..24], b => { U32(b, 12, 0); U32(b, 16, 0); U32(b, 20, 0); })),
            ("string section beyond blob", With(good, b => U32(b, 20, ReadU32(b, 20) + 1))),
            ("gap before strings", With(good, b => U32(b, 16, ReadU32(b, 16) + 1))),
            ("strings not NUL-terminated", With(good, b => b[^1] = (byte)'x')),
            ("no types", NoTypes()),
            ("unaligned type_off", With(good, b => U32(b, 8, 2))),
        };

        using var kernel = new LinuxBackend();
        using var user = new UserspaceBackend();
        Observations k = new(kernel.Name), u = new(user.Name);
        foreach (var (name, blob) in cases)
        {
            k.Add(name, kernel.BtfLoad(blob, out _, out _).ToString());
            u.Add(name, user.BtfLoad(blob, out _, out string log).ToString());
            output.WriteLine($"{name}: kernel {k[name]}, userspace {u[name]} ({log.Trim()})");
        }

        Assert.Equal("None", k["valid"]);
        int compared = Observations.AssertSame("BPF_BTF_LOAD headers", k, u);
        output.WriteLine($"{compared} compared");
    }

    /// <summary>BPF_PROG_LOAD's prog_btf_fd / func_info / line_info checks: the errno of each, kernel and runtime alike.</summary>
    [SkippableFact]
    public void ProgLoad_BtfFieldsVaried_SameErrnoOnBothBackends()
    {
        KernelTestBase.RequireKernel();
        using var kernel = new LinuxBackend();
        using var user = new UserspaceBackend();
        Observations k = new(kernel.Name), u = new(user.Name);
        List<string> names = ProgLoadScenario(kernel, k);
        ProgLoadScenario(user, u);
        foreach (string key in names)
            output.WriteLine($"{key}: kernel {k[key]}, userspace {u[key]}");

        Assert.Equal(("None", "EBADF", "EINVAL"), (k["valid"], k["closed fd"], k["map fd"]));
        int compared = Observations.AssertSame("BPF_PROG_LOAD BTF fields", k, u);
        output.WriteLine($"{compared} compared");
    }

    private static List<string> ProgLoadScenario(IBpfBackend b, Observations obs)
    {
        var names = new List<string>();
        Assert.Equal(Errno.None, b.BtfLoad(MiniBtf.Functions("main", "sub"), out int btf, out _));
        int map = b.CreateMap(MapType.Array, 4, 8, 1);
        // main: call sub; exit. sub (slot 2): r0 = 3; exit.
        Instruction[] insns =
        [
            new Instruction(0x85, 0, 1, 0, 1), // call +1 (bpf-to-bpf)
            new Instruction(0x95, 0, 0, 0, 0),
            new Instruction(0xb7, 0, 0, 0, 3),
            new Instruction(0x95, 0, 0, 0, 0),
        ];
        byte[] funcs = MiniBtf.FuncInfo(0, 2);
        byte[] lines = LineRecords((0, 1, 1), (2, 1, 1));
        var attr = new ProgLoadAttr
        {
            Type = ProgramType.Xdp, Instructions = insns, License = "GPL",
            ProgBtfFd = btf, FuncInfo = funcs, FuncInfoRecordSize = 8, LineInfo = lines, LineInfoRecordSize = 16,
        };

        void Try(string name, ProgLoadAttr a)
        {
            Errno err = b.ProgLoad(a, out int fd, out _);
            obs.Add(name, err.ToString());
            names.Add(name);
            if (err == Errno.None)
                b.Close(fd);
        }

        Try("valid", attr);
        Try("func_info only", attr with { LineInfo = default, LineInfoRecordSize = 0 });
        Try("closed fd", attr with { ProgBtfFd = 9999 });
        Try("map fd", attr with { ProgBtfFd = map });
        Try("fd 0 (stdin)", attr with { ProgBtfFd = 0 });
        Try("no records, map fd", attr with { ProgBtfFd = map, FuncInfo = default, LineInfo = default });
        Try("func rec size 4", attr with { FuncInfo = new byte[8], FuncInfoRecordSize = 4 });
        Try("func rec size 256", attr with { FuncInfo = new byte[512], FuncInfoRecordSize = 256 });
        Try("func rec size 12 zero tail", attr with { FuncInfo = Widen(funcs, 8, 12, 0), FuncInfoRecordSize = 12 });
        Try("func rec size 12 nonzero tail", attr with { FuncInfo = Widen(funcs, 8, 12, 1), FuncInfoRecordSize = 12 });
        Try("one func record", attr with { FuncInfo = MiniBtf.FuncInfo(0) });
        Try("first func at 1", attr with { FuncInfo = MiniBtf.FuncInfo(1, 2) });
        Try("func not at subprog", attr with { FuncInfo = MiniBtf.FuncInfo(0, 3) });
        Try("funcs descending", attr with { FuncInfo = MiniBtf.FuncInfo(0, 0) });
        Try("line rec size 8", attr with { LineInfoRecordSize = 8 });
        Try("line rec size 20 nonzero tail", attr with { LineInfo = Widen(lines, 16, 20, 1), LineInfoRecordSize = 20 });
        Try("line beyond program", attr with { LineInfo = LineRecords((0, 1, 1), (2, 1, 1), (9, 1, 1)) });
        Try("lines descending", attr with { LineInfo = LineRecords((2, 1, 1), (0, 1, 1)) });
        Try("line string beyond strings", attr with { LineInfo = LineRecords((0, 1, 100000), (2, 1, 1)) });
        Try("no line at subprog", attr with { LineInfo = LineRecords((0, 1, 1), (1, 1, 1)) });
        Try("first line at 1", attr with { LineInfo = LineRecords((1, 1, 1), (2, 1, 1)) });
        return names;
    }

    private static ulong Count(BpfCollection collection, uint index)
    {
        (Errno err, byte[] value) = collection.Backend.Lookup(collection.Map("counts").Fd, index, 8);
        Assert.Equal(Errno.None, err);
        return BackendExtensions.ReadU64(value);
    }

    /// <summary>line_info records (insn_off, file_name_off, line_off), line 1 column 0.</summary>
    private static byte[] LineRecords(params (uint Insn, uint File, uint Line)[] records)
    {
        byte[] bytes = new byte[16 * records.Length];
        for (int i = 0; i < records.Length; i++)
        {
            U32(bytes, 16 * i, records[i].Insn);
            U32(bytes, (16 * i) + 4, records[i].File);
            U32(bytes, (16 * i) + 8, records[i].Line);
            U32(bytes, (16 * i) + 12, 1 << 10);
        }

        return bytes;
    }

    /// <summary>Records of <paramref name="from"/> bytes widened to <paramref name="to"/>, the new bytes <paramref name="fill"/>.</summary>
    private static byte[] Widen(byte[] records, int from, int to, byte fill)
    {
        int count = records.Length / from;
        byte[] wide = new byte[count * to];
        for (int i = 0; i < count; i++)
        {
            records.AsSpan(i * from, from).CopyTo(wide.AsSpan(i * to));
            wide.AsSpan((i * to) + from, to - from).Fill(fill);
        }

        return wide;
    }

    private static byte[] With(byte[] blob, Action<byte[]> change)
    {
        byte[] copy = (byte[])blob.Clone();
        change(copy);
        return copy;
    }

    private static byte[] Insert(byte[] blob, int at, byte[] bytes, uint hdrLen)
    {
        byte[] result = [.. blob[..at], .. bytes, .. blob[at..]];
        U32(result, 4, hdrLen);
        return result;
    }

    /// <summary>A header and a string section of one NUL, no type section.</summary>
    private static byte[] NoTypes()
    {
        byte[] blob = new byte[25];
        BinaryPrimitives.WriteUInt16LittleEndian(blob, 0xeb9f);
        blob[2] = 1;
        U32(blob, 4, 24);
        U32(blob, 20, 1);
        return blob;
    }

    private static void U32(byte[] b, int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), value);

    private static uint ReadU32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));
}
