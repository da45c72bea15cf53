namespace SharpBpf.Runtime.Tests.Loading;

/// <summary>Finds files under the repository's testdata/ and samples/ from the test's output directory.</summary>
internal static class TestData
{
    public static string Path(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine([dir.FullName, .. parts]);
            if (File.Exists(candidate) || Directory.Exists(candidate))
                return candidate;
        }

        throw new FileNotFoundException($"{string.Join('/', parts)} not found above {AppContext.BaseDirectory}");
    }

    public static string Bench(string name) => Path("testdata", "bench", name);

    public static string Object(string name) => Path("testdata", "objects", name);

    /// <summary>The bench input: one 64-byte Ethernet/IPv4/TCP SYN packet, 10.0.0.1:12345 -> 10.0.0.2:80 (EXPECTED.md).</summary>
    public static byte[] SynPacket()
    {
        var packet = new byte[64];
        // Ethernet: dst 00:00:00:00:00:02, src 00:00:00:00:00:01, IPv4.
        packet[5] = 2;
        packet[11] = 1;
        packet[12] = 0x08;
        // IPv4: version 4, IHL 5, total length 50, TTL 64, TCP, 10.0.0.1 -> 10.0.0.2.
        packet[14] = 0x45;
        packet[17] = 50;
        packet[22] = 64;
        packet[23] = 6;
        packet[26] = 10;
        packet[29] = 1;
        packet[30] = 10;
        packet[33] = 2;
        // TCP: 12345 -> 80, data offset 5, SYN, window 8192.
        packet[34] = 0x30;
        packet[35] = 0x39;
        packet[37] = 80;
        packet[46] = 0x50;
        packet[47] = 0x02;
        packet[48] = 0x20;
        return packet;
    }
}
