using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Loading;
using SharpBpf.Object;
using SharpBpf.Runtime.Objects;
using SharpBpf.Runtime.Tests.Loading;

namespace SharpBpf.Runtime.Tests.Btf;

/// <summary>
/// BPF_BTF_LOAD on the userspace runtime, prog_btf_fd and the func_info / line_info checks of BPF_PROG_LOAD, and the
/// loader's BTF path (btf_calls.o) with its fallback when the backend refuses the BTF. The expected errnos are the
/// ones Linux 6.18 gives (probed and compared live by SharpBpf.Linux.Tests' BtfObjectDifferentialTests).
/// </summary>
public sealed class UserspaceBtfTests
{
    private static readonly string BtfCalls = TestData.Object("btf_calls.o");

    private static byte[] ObjectBtf() => BpfObjectReader.Read(BtfCalls).Btf!.KernelBytes.ToArray();

    [Fact]
    public void BtfLoad_ObjectKernelBytes_InstallsBtfObject()
    {
        using var backend = new UserspaceBackend();

        var err = backend.BtfLoad(ObjectBtf(), out var fd, out var log);

        Assert.Equal((Errno.None, ""), (err, log));
        Assert.Equal(ObjectKind.Btf, backend.Files.Get(fd)!.Object.Kind);
        Assert.Equal(Errno.EINVAL, backend.MapGetInfo(fd, out _)); // not a map
        Assert.Equal(Errno.None, backend.Close(fd));
    }

    [Theory]
    [InlineData("empty", Errno.EINVAL, "hdr_len not found")]
    [InlineData("magic", Errno.EINVAL, "Invalid magic")]
    [InlineData("version", Errno.ENOTSUPP, "Unsupported version")]
    [InlineData("flags", Errno.ENOTSUPP, "Unsupported flags")]
    [InlineData("hdr_len", Errno.EINVAL, "btf_header not found")]
    [InlineData("header tail", Errno.E2BIG, "Unsupported btf_header")]
    [InlineData("strings beyond", Errno.EINVAL, "Total section length too long")]
    [InlineData("strings unterminated", Errno.EINVAL, "Invalid string section")]
    [InlineData("too big", Errno.E2BIG, "exceeds")]
    public void BtfLoad_DamagedBlob_KernelErrnoAndLogLine(string damage, Errno expected, string logPart)
    {
        var blob = ObjectBtf();
        blob = damage switch
        {
            "empty" => [],
            "magic" => With(blob, b => b[1] = 0),
            "version" => With(blob, b => b[2] = 2),
            "flags" => With(blob, b => b[3] = 1),
            "hdr_len" => With(blob, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)b.Length + 1)),
            "header tail" => [.. blob[..4], 28, 0, 0, 0, .. blob[8..24], 1, 0, 0, 0, .. blob[24..]],
            "strings beyond" => With(blob, b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(20), BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(20)) + 1)),
            "strings unterminated" => With(blob, b => b[^1] = (byte)'x'),
            "too big" => new byte[BtfObject.MaxSize + 1],
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };
        using var backend = new UserspaceBackend();

        var err = backend.BtfLoad(blob, out var fd, out var log);

        Assert.Equal((expected, -1), (err, fd));
        Assert.Contains(logPart, log, StringComparison.Ordinal);
    }

    [Fact]
    public void ProgLoad_FuncInfoWithNonBtfDescriptors_EbadfOrEinvalAsKernel()
    {
        using var backend = new UserspaceBackend();
        Assert.Equal(Errno.None, backend.MapCreate(new MapCreateAttr { Type = MapType.Array, KeySize = 4, ValueSize = 4, MaxEntries = 1 }, out var map));
        var attr = ReturnZero() with { FuncInfo = new byte[8], FuncInfoRecordSize = 8 };

        Assert.Equal(Errno.EBADF, backend.ProgLoad(attr with { ProgBtfFd = 999 }, out _, out _));
        Assert.Equal(Errno.EINVAL, backend.ProgLoad(attr with { ProgBtfFd = map }, out _, out _));
        Assert.Equal(Errno.EINVAL, backend.ProgLoad(attr with { ProgBtfFd = 0 }, out _, out _)); // stdin
        Assert.Equal(Errno.None, backend.ProgLoad(ReturnZero() with { ProgBtfFd = map }, out _, out _)); // no records: not looked at
    }

    [Fact]
    public void ProgLoad_FuncInfoNotMatchingSubprograms_EinvalWithVerifierMessage()
    {
        using var backend = new UserspaceBackend();
        Assert.Equal(Errno.None, backend.BtfLoad(ObjectBtf(), out var btf, out _));
        var attr = ReturnZero() with { ProgBtfFd = btf, FuncInfo = new byte[16], FuncInfoRecordSize = 8 };

        var err = backend.ProgLoad(attr, out _, out var log);

        Assert.Equal(Errno.EINVAL, err);
        Assert.Contains("same or smaller insn offset", log, StringComparison.Ordinal);
    }

    [Fact]
    public void CollectionLoader_BtfCalls_LoadsBtfOncePassesRecordsAndClosesIt()
    {
        using var backend = new RecordingBackend(new UserspaceBackend());

        using (var collection = CollectionLoader.LoadFile(backend, BtfCalls))
        {
            Assert.Equal("", collection.LoadLog);
            Assert.Equal(761u, collection.Program("tail_in_sub").TestRun(new byte[64]).ReturnValue);
            Assert.Equal(9023u, collection.Program("loop_sum").TestRun(new byte[64]).ReturnValue);
            Assert.Equal(604u, collection.Program("loop_break").TestRun(new byte[64]).ReturnValue);
        }

        var btf = Assert.Single(backend.BtfFds);
        Assert.Contains(btf, backend.Closed);
        var spec = BpfObjectReader.Read(BtfCalls);
        Assert.Equal(spec.Programs.Count, backend.ProgLoads.Count);
        foreach (var attr in backend.ProgLoads)
        {
            var program = spec.Programs.Single(p => p.Name == attr.Name);
            Assert.Equal(btf, attr.ProgBtfFd);
            Assert.Equal((ProgramSpec.FuncInfoRecordSize, ProgramSpec.LineInfoRecordSize), (attr.FuncInfoRecordSize, attr.LineInfoRecordSize));
            Assert.Equal(program.FuncInfoRecords(), attr.FuncInfo.ToArray());
            Assert.Equal(program.LineInfoRecords(), attr.LineInfo.ToArray());
        }
    }

    [Fact]
    public void CollectionLoader_BackendRefusesBtf_LoadsWithoutItAndLogsWhy()
    {
        using var backend = new RecordingBackend(new UserspaceBackend(), Errno.EPERM);

        using var collection = CollectionLoader.LoadFile(backend, BtfCalls);

        Assert.Equal("BPF_BTF_LOAD of the object's BTF: EPERM (BTF is not supported by this kernel); programs loaded without BTF\n", collection.LoadLog);
        Assert.All(backend.ProgLoads, a => Assert.Equal((0, 0, 0), (a.ProgBtfFd, a.FuncInfo.Length, a.LineInfo.Length)));
        Assert.Equal(761u, collection.Program("tail_in_sub").TestRun(new byte[64]).ReturnValue);
    }

    private static ProgLoadAttr ReturnZero() => new()
    {
        Type = ProgramType.Xdp,
        Instructions = new Instruction[] { new(0xb7, 0, 0, 0, 0), new(0x95, 0, 0, 0, 0) },
        License = "GPL",
    };

    private static byte[] With(byte[] blob, Action<byte[]> change)
    {
        var copy = (byte[])blob.Clone();
        change(copy);
        return copy;
    }
}
