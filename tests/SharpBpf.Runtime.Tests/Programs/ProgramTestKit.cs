using System.Runtime.InteropServices;
using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Runtime.Maps;
using SharpBpf.Runtime.Memory;
using SharpBpf.Runtime.Objects;

namespace SharpBpf.Runtime.Tests.Programs;

/// <summary>
/// A userspace backend shaped like the spec's machine (2 possible CPUs) with its own registry and budget, plus
/// shortcuts for loading and running the small programs of these tests.
/// </summary>
internal sealed class ProgramTestKit : IDisposable
{
    /// <summary>A 64-byte packet: what XDP and skb programs need at least (ETH_HLEN) and the bench uses.</summary>
    public static readonly byte[] Packet = [.. Enumerable.Range(0, 64).Select(i => (byte)i)];

    public ProgramTestKit(int cpus = 2)
    {
        Registry = new ObjectRegistry();
        Backend = new UserspaceBackend(new UserspaceBackendOptions
        {
            PossibleCpus = cpus,
            MemoryBudget = new MemoryBudget(1L << 32, 24L << 30),
            Registry = Registry,
        });
    }

    public UserspaceBackend Backend { get; }

    public ObjectRegistry Registry { get; }

    public static byte[] Key(uint index) => BitConverter.GetBytes(index);

    public static byte[] U64(ulong value) => BitConverter.GetBytes(value);

    public static byte[] U64s(params ulong[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    public int CreateMap(MapType type, uint valueSize, uint maxEntries, uint flags = 0)
    {
        var err = Backend.MapCreate(new MapCreateAttr
        {
            Type = type, KeySize = 4, ValueSize = valueSize, MaxEntries = maxEntries, MapFlags = flags,
        }, out var fd);
        Assert.Equal(Errno.None, err);
        return fd;
    }

    public int CreateArray(uint valueSize = 8, uint maxEntries = 4, uint flags = 0) =>
        CreateMap(MapType.Array, valueSize, maxEntries, flags);

    public int CreatePerCpu(uint valueSize = 8, uint maxEntries = 4, uint flags = 0) =>
        CreateMap(MapType.PerCpuArray, valueSize, maxEntries, flags);

    public MapObject MapOf(int fd)
    {
        Assert.True(Backend.TryGetMap(fd, out var map));
        return map!;
    }

    public Errno TryLoad(ProgramType type, Instruction[] insns, out int fd, out string log, string? name = null,
        string? license = "GPL", ExecutionMode mode = ExecutionMode.Default) =>
        Backend.ProgLoad(new ProgLoadAttr { Type = type, Instructions = insns, License = license!, Name = name, ExecutionMode = mode },
            out fd, out log);

    public int Load(ProgramType type, Instruction[] insns, string? name = null, ExecutionMode mode = ExecutionMode.Default)
    {
        var err = TryLoad(type, insns, out var fd, out var log, name, mode: mode);
        Assert.True(err == Errno.None, $"load failed: {err} {log}");
        return fd;
    }

    /// <summary>A raw tracepoint program (the type whose test run may choose its CPU).</summary>
    public int LoadRawTp(Instruction[] insns) => Load(ProgramType.RawTracepoint, insns);

    public int LoadXdp(Instruction[] insns) => Load(ProgramType.Xdp, insns);

    public TestRunResult Run(int fd, uint repeat = 1)
    {
        var err = Backend.ProgTestRun(fd, new TestRunAttr { DataIn = Packet, Repeat = repeat }, out var result);
        Assert.True(err == Errno.None, $"test run failed: {err} {(Backend.TryGetLastRunError(fd, out var m) ? m : "")}");
        return result;
    }

    /// <summary>Runs a raw tracepoint program once on <paramref name="cpu"/> (BPF_F_TEST_RUN_ON_CPU).</summary>
    public uint RunOnCpu(int fd, uint cpu)
    {
        var err = Backend.ProgTestRun(fd, new TestRunAttr { Flags = 1, Cpu = cpu }, out var result);
        Assert.True(err == Errno.None, $"test run on cpu {cpu} failed: {err}");
        return result.Retval;
    }

    public ulong LookupU64(int fd, uint key)
    {
        var v = new byte[8];
        Assert.Equal(Errno.None, Backend.MapLookupElem(fd, Key(key), v, 0));
        return BitConverter.ToUInt64(v);
    }

    /// <summary>The per-CPU u64 values of <paramref name="key"/> (value_size 8: one slot per CPU).</summary>
    public ulong[] LookupPerCpu(int fd, uint key)
    {
        var v = new byte[8 * Backend.PossibleCpus];
        Assert.Equal(Errno.None, Backend.MapLookupElem(fd, Key(key), v, 0));
        return MemoryMarshal.Cast<byte, ulong>(v).ToArray();
    }

    public void Dispose() => Backend.Dispose();
}
