using System.Globalization;

namespace SharpBpf.Runtime.Contexts;

/// <summary>
/// The network devices a test run's context may name (<c>ingress_ifindex</c>, <c>ifindex</c>): the host's, read
/// from <c>/sys/class/net</c> where it exists, and always the loopback device (ifindex 1, one RX queue), which is
/// the kernel's default device for test runs.
/// </summary>
internal static class NetDevices
{
    /// <summary>The loopback device's index.</summary>
    public const uint Loopback = 1;

    /// <summary>True if device <paramref name="ifindex"/> exists; <paramref name="rxQueues"/> is its RX queue count.</summary>
    public static bool TryGet(uint ifindex, out int rxQueues)
    {
        rxQueues = 1;
        if (ifindex == Loopback)
            return true;
        try
        {
            const string root = "/sys/class/net";
            if (!Directory.Exists(root))
                return false;
            foreach (var device in Directory.EnumerateDirectories(root))
            {
                var indexFile = Path.Combine(device, "ifindex");
                if (!File.Exists(indexFile)
                    || !uint.TryParse(File.ReadAllText(indexFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    || index != ifindex)
                {
                    continue;
                }

                var queues = Path.Combine(device, "queues");
                rxQueues = Directory.Exists(queues) ? Math.Max(1, Directory.EnumerateDirectories(queues, "rx-*").Count()) : 1;
                return true;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return false;
    }
}
