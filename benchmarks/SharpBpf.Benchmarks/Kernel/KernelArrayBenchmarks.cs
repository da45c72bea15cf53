using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Linux;
using SharpBpf.Runtime;

namespace SharpBpf.Benchmarks.Kernel;

/// <summary>
/// Host-side element commands on one map shape (ARRAY, 4-byte key, 8-byte value, 1024 entries) through the kernel
/// backend, with the userspace backend on the same shape beside it for the ratio. The keys walk the whole array.
/// Where <c>bpf(2)</c> is unusable the kernel case reports the reason once and measures an empty call.
/// </summary>
[MemoryDiagnoser]
public class KernelArrayBenchmarks
{
    private const uint Entries = 1024;

    private readonly byte[] _key = new byte[4];
    private readonly byte[] _value = new byte[8];
    private IBpfBackend? _backend;
    private int _fd;
    private uint _next;

    /// <summary>Which backend runs the commands.</summary>
    [Params("kernel", "userspace")]
    public string Backend { get; set; } = "kernel";

    [GlobalSetup]
    public void Setup()
    {
        if (Backend == "kernel" && !LinuxBackend.IsSupported(out string reason))
        {
            Console.WriteLine($"// kernel backend unavailable, nothing measured: {reason}");
            return;
        }

        _backend = Backend == "kernel" ? new LinuxBackend() : new UserspaceBackend();
        Errno err = _backend.MapCreate(new MapCreateAttr
        {
            Type = MapType.Array, KeySize = 4, ValueSize = 8, MaxEntries = Entries, Name = "bench_array",
        }, out _fd);
        if (err != Errno.None)
            throw new InvalidOperationException($"{Backend}: BPF_MAP_CREATE: {err}");
        for (uint i = 0; i < Entries; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_key, i);
            BinaryPrimitives.WriteUInt64LittleEndian(_value, i * 3);
            if (_backend.MapUpdateElem(_fd, _key, _value, 0) != Errno.None)
                throw new InvalidOperationException($"{Backend}: fill failed at {i}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _backend?.Dispose();

    [Benchmark(Description = "lookup u64")]
    public Errno Lookup()
    {
        if (_backend is null)
            return Errno.ENOSYS;
        BinaryPrimitives.WriteUInt32LittleEndian(_key, _next++ & (Entries - 1));
        return _backend.MapLookupElem(_fd, _key, _value, 0);
    }

    [Benchmark(Description = "update u64")]
    public Errno Update()
    {
        if (_backend is null)
            return Errno.ENOSYS;
        uint key = _next++ & (Entries - 1);
        BinaryPrimitives.WriteUInt32LittleEndian(_key, key);
        BinaryPrimitives.WriteUInt64LittleEndian(_value, key);
        return _backend.MapUpdateElem(_fd, _key, _value, ElemFlags.BPF_ANY);
    }
}
