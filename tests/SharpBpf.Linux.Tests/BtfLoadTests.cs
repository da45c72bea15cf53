using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Linux.Tests.Support;

namespace SharpBpf.Linux.Tests;

/// <summary>BPF_BTF_LOAD with hand-built blobs.</summary>
public sealed class BtfLoadTests : KernelTestBase
{
    /// <summary>A BTF blob with one type, <c>int</c> (BTF_KIND_INT, 4 bytes, <paramref name="bits"/> bits, signed).</summary>
    private static byte[] IntBtf(uint bits)
    {
        byte[] strings = "\0int\0"u8.ToArray();
        byte[] blob = new byte[24 + 16 + strings.Length];
        Span<byte> s = blob;
        BinaryPrimitives.WriteUInt16LittleEndian(s, 0xeB9F); // magic
        s[2] = 1; // version
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], 24); // hdr_len
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], 0); // type_off
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], 16); // type_len
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], 16); // str_off
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], (uint)strings.Length); // str_len
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], 1); // name_off -> "int"
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], 1u << 24); // info: kind INT
        BinaryPrimitives.WriteUInt32LittleEndian(s[32..], 4); // size
        BinaryPrimitives.WriteUInt32LittleEndian(s[36..], (1u << 24) | bits); // BTF_INT_SIGNED, offset 0, bits
        strings.CopyTo(s[40..]);
        return blob;
    }

    [SkippableFact]
    public void BtfLoad_ValidBlob_ReturnsOwnedFd()
    {
        Errno err = Backend.BtfLoad(IntBtf(32), out int fd, out string log);

        Assert.Equal(Errno.None, err);
        Assert.True(fd >= 0);
        Assert.Equal("", log); // loaded without a log
        Assert.Equal(1, Backend.OwnedDescriptorCount);
        Assert.Equal(Errno.None, Backend.Close(fd));
    }

    [SkippableFact]
    public void BtfLoad_IntWiderThanItsSize_EINVALWithLog()
    {
        Errno err = Backend.BtfLoad(IntBtf(64), out int fd, out string log);

        Assert.Equal((Errno.EINVAL, -1), (err, fd));
        Assert.Contains("nr_bits", log, StringComparison.Ordinal);
        Assert.Equal(0, Backend.OwnedDescriptorCount);
    }

    [SkippableFact]
    public void BtfLoad_Empty_EINVAL()
    {
        Assert.Equal(Errno.EINVAL, Backend.BtfLoad(default, out _, out _));
    }
}
