using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Backend;

namespace SharpBpf.Linux.Tests.Support;

/// <summary>
/// Short forms of common <see cref="IBpfBackend"/> calls over any backend, so the same scenario reads the same on the
/// kernel and on the userspace runtime (the differential suite drives both through these).
/// </summary>
public static class BackendExtensions
{
    /// <summary>Creates a map and returns its fd, failing the test with the errno if the backend refuses.</summary>
    public static int CreateMap(this IBpfBackend backend, MapType type, uint keySize, uint valueSize, uint maxEntries,
        uint flags = 0, string? name = null)
    {
        Errno err = backend.MapCreate(new MapCreateAttr
        {
            Type = type, KeySize = keySize, ValueSize = valueSize, MaxEntries = maxEntries, MapFlags = flags, Name = name,
        }, out int fd);
        Assert.True(err == Errno.None, $"{backend.Name}: BPF_MAP_CREATE {type} k={keySize} v={valueSize} max={maxEntries} flags=0x{flags:x}: {err}");
        return fd;
    }

    /// <summary>The errno of a <c>BPF_MAP_CREATE</c>, closing the map if one was made.</summary>
    public static Errno TryCreateMap(this IBpfBackend backend, in MapCreateAttr attr)
    {
        Errno err = backend.MapCreate(attr, out int fd);
        if (err == Errno.None)
            Assert.Equal(Errno.None, backend.Close(fd));
        return err;
    }

    public static byte[] U32(uint value)
    {
        byte[] bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    public static byte[] U64(ulong value)
    {
        byte[] bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }

    public static ulong ReadU64(ReadOnlySpan<byte> bytes, int offset = 0) => BinaryPrimitives.ReadUInt64LittleEndian(bytes[offset..]);

    public static uint ReadU32(ReadOnlySpan<byte> bytes, int offset = 0) => BinaryPrimitives.ReadUInt32LittleEndian(bytes[offset..]);

    /// <summary>Updates u32 key <paramref name="key"/> with <paramref name="value"/>.</summary>
    public static Errno Update(this IBpfBackend backend, int fd, uint key, ReadOnlySpan<byte> value, ulong flags = ElemFlags.BPF_ANY) =>
        backend.MapUpdateElem(fd, U32(key), value, flags);

    /// <summary>Looks up u32 key <paramref name="key"/> into a fresh buffer of <paramref name="valueBytes"/>.</summary>
    public static (Errno Err, byte[] Value) Lookup(this IBpfBackend backend, int fd, uint key, int valueBytes, ulong flags = 0)
    {
        byte[] value = new byte[valueBytes];
        Errno err = backend.MapLookupElem(fd, U32(key), value, flags);
        return (err, value);
    }

    /// <summary>GET_NEXT_KEY from u32 key <paramref name="key"/> (null: from the start).</summary>
    public static (Errno Err, uint Next) NextKey(this IBpfBackend backend, int fd, uint? key)
    {
        byte[] next = new byte[4];
        Errno err = backend.MapGetNextKey(fd, key is { } k ? U32(k) : default, next);
        return (err, ReadU32(next));
    }

    /// <summary>Loads a program, failing the test with the errno and verifier log if the backend refuses.</summary>
    public static int LoadProgram(this IBpfBackend backend, ProgramType type, SharpBpf.Asm.Instruction[] insns,
        string license = "GPL")
    {
        Errno err = backend.ProgLoad(new ProgLoadAttr { Type = type, Instructions = insns, License = license }, out int fd,
            out string log);
        Assert.True(err == Errno.None, $"{backend.Name}: BPF_PROG_LOAD {type}: {err}\n{log}");
        return fd;
    }

    /// <summary>Runs a program once on a zeroed packet of <paramref name="packetBytes"/> bytes.</summary>
    public static TestRunResult Run(this IBpfBackend backend, int progFd, int packetBytes = 64, uint repeat = 1)
    {
        Errno err = backend.ProgTestRun(progFd, new TestRunAttr { DataIn = new byte[packetBytes], Repeat = repeat },
            out TestRunResult result);
        Assert.True(err == Errno.None, $"{backend.Name}: BPF_PROG_TEST_RUN: {err}");
        return result;
    }
}
