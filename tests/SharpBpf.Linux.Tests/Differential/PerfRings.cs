using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Perf;
using SharpBpf.Runtime;
using SharpBpf.Runtime.Perf;

namespace SharpBpf.Linux.Tests.Differential;

/// <summary>
/// One BPF_OUTPUT perf event with a one-data-page ring per CPU, each installed in the PERF_EVENT_ARRAY slot of its
/// CPU, on either backend: on the kernel through <see cref="LinuxPerfEventReader"/> (perf_event_open + mmap), on the
/// userspace runtime through its <see cref="PerfEvent"/>s. The rings are then read raw, so both sides can be
/// compared byte for byte.
/// </summary>
public sealed class PerfRings : IDisposable
{
    private readonly LinuxPerfEventReader? _kernel;
    private readonly List<PerfEvent> _user = [];
    private readonly List<IDisposable> _extra = [];

    private PerfRings(LinuxPerfEventReader? kernel) => _kernel = kernel;

    /// <summary>The rings, in CPU order (ring i belongs to CPU i and sits in slot i).</summary>
    public int Count => _kernel?.RingCount ?? _user.Count;

    public PerfRingView Ring(int cpu) => _kernel is { } k ? k.RingView(cpu) : _user[cpu].Ring;

    /// <summary>Opens and installs one event per CPU below the map's max_entries.</summary>
    public static PerfRings Open(IBpfBackend backend, int map)
    {
        switch (backend)
        {
            case LinuxBackend kernel:
                Assert.Equal(Errno.None, LinuxPerfEventReader.Open(kernel, map, 1, out LinuxPerfEventReader? reader));
                Assert.Equal(Enumerable.Range(0, reader!.RingCount), reader.Cpus);
                return new PerfRings(reader);
            case UserspaceBackend user:
                Assert.Equal(Errno.None, user.MapGetInfo(map, out MapInfo info));
                var rings = new PerfRings(null);
                for (int cpu = 0; cpu < Math.Min(user.PossibleCpus, (int)info.MaxEntries); cpu++)
                {
                    var e = PerfEvent.CreateBpfOutput(cpu);
                    rings._user.Add(e);
                    Assert.Equal(Errno.None, user.PerfEventInstall(e, out int fd));
                    Assert.Equal(Errno.None, user.MapUpdateElem(map, BitConverter.GetBytes((uint)cpu), BitConverter.GetBytes(fd), 0));
                }

                return rings;
            default:
                throw new ArgumentException($"no perf events for backend {backend.Name}", nameof(backend));
        }
    }

    /// <summary>
    /// Puts a software CPU_CLOCK counting event on <paramref name="cpu"/> (not BPF_OUTPUT) into slot
    /// <paramref name="slot"/>, as spec E.1's slot 3; returns the update's errno.
    /// </summary>
    public Errno InstallCpuClock(IBpfBackend backend, int map, uint slot, int cpu)
    {
        int fd;
        if (backend is LinuxBackend)
        {
            Assert.Equal(Errno.None, PerfEventSyscall.OpenSoftwareCounter(PerfSoftwareEvent.CpuClock, cpu, out SafeBpfFd handle));
            _extra.Add(handle); // the map keeps its own reference to the event
            fd = handle.Fd;
        }
        else
        {
            var e = PerfEvent.CreateCounter(new ClockCounter(), cpu);
            _extra.Add(e);
            Assert.Equal(Errno.None, ((UserspaceBackend)backend).PerfEventInstall(e, out fd));
        }

        return backend.MapUpdateElem(map, BitConverter.GetBytes(slot), BitConverter.GetBytes(fd), 0);
    }

    /// <summary>
    /// Records ring <paramref name="cpu"/>'s size, head, tail and the bytes between tail and head (the id of a LOST
    /// record, an event id each backend allocates its own way, zeroed), then consumes them. Sample padding is
    /// compared as it is: both rings skip it, so after a wrap both hold the same stale bytes there.
    /// </summary>
    public void Snapshot(Observations obs, string label, int cpu)
    {
        PerfRingView ring = Ring(cpu);
        ulong head = ring.ReadDataHead(), tail = ring.ReadDataTail();
        obs.Add($"{label} ring {cpu} data_size", ring.DataSize);
        obs.Add($"{label} ring {cpu} head", head);
        obs.Add($"{label} ring {cpu} tail", tail);
        byte[] bytes = new byte[head - tail];
        ring.CopyOut(tail, bytes);
        MaskLostIds(bytes);
        obs.Add($"{label} ring {cpu} records", bytes);
        ring.WriteDataTail(head);
    }

    /// <summary>The bytes published in any ring, consumed, with the ring's CPU left out (for runs whose CPU is not chosen).</summary>
    public byte[] DrainAll()
    {
        var all = new List<byte>();
        for (int cpu = 0; cpu < Count; cpu++)
        {
            PerfRingView ring = Ring(cpu);
            ulong head = ring.ReadDataHead(), tail = ring.ReadDataTail();
            byte[] bytes = new byte[head - tail];
            ring.CopyOut(tail, bytes);
            all.AddRange(MaskLostIds(bytes));
            ring.WriteDataTail(head);
        }

        return [.. all];
    }

    private static byte[] MaskLostIds(byte[] bytes)
    {
        for (int pos = 0; pos + 8 <= bytes.Length;)
        {
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos));
            int size = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(pos + 6));
            if (size < 8)
                break; // a corrupt ring: the raw bytes are compared as they are
            if (type == 2 && size >= 24 && pos + 16 <= bytes.Length)
                bytes.AsSpan(pos + 8, 8).Clear(); // PERF_RECORD_LOST { header; u64 id; u64 lost; }
            pos += size;
        }

        return bytes;
    }

    public void Dispose()
    {
        _kernel?.Dispose();
        foreach (PerfEvent e in _user)
            e.Dispose();
        foreach (IDisposable e in _extra)
            e.Dispose();
    }
}
