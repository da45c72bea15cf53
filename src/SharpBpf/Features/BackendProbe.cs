using System.Buffers.Binary;
using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;

namespace SharpBpf.Features;

/// <summary>
/// Probes any <see cref="IBpfBackend"/> the way bpftool and libbpf probe a kernel: a tiny map of each type with
/// attributes that type accepts, a two-instruction program of each type, and for a few program types one program per
/// helper calling it, judged by the verifier log. Every object created is closed again.
/// </summary>
public static class BackendProbe
{
    /// <summary>
    /// The program types whose helpers are probed: one per large family (socket, tracing, XDP), which keeps the kernel
    /// probe to a few hundred loads.
    /// </summary>
    public static IReadOnlyList<ProgramType> HelperProgramTypes { get; } =
        [ProgramType.SocketFilter, ProgramType.Kprobe, ProgramType.Tracepoint, ProgramType.Xdp];

    /// <summary>
    /// Program types a kernel verifies only against a BTF attach target (<c>attach_btf_id</c>), which
    /// <see cref="ProgLoadAttr"/> does not carry: the kernel refuses the probe program before the verifier runs, so a
    /// refusal says nothing about support and <see cref="ProbeAll"/> lists these as not probed.
    /// </summary>
    public static IReadOnlySet<ProgramType> NeedAttachTarget { get; } =
        new HashSet<ProgramType> { Abi.ProgramType.Tracing, Abi.ProgramType.Ext, Abi.ProgramType.Lsm };

    /// <summary>
    /// The largest helper id probed: 32 beyond the last id <see cref="HelperId"/> knows (generated from an older UAPI
    /// header), so a newer kernel's helpers show up too (as <c>helper#N</c>); ids a kernel does not have are refused as
    /// "invalid func" and cost one load each.
    /// </summary>
    public static int MaxHelperId { get; } = Enum.GetValues<HelperId>().Max(id => (int)id) + 32;

    // Not available from abi headers as named constants here: expected_attach_type values (enum bpf_attach_type).
    private const uint AttachCgroupInet4Connect = 10;
    private const uint AttachCgroupGetsockopt = 21;
    private const uint AttachTraceFentry = 24;
    private const uint AttachLsmMac = 27;
    private const uint AttachSkLookup = 36;
    private const uint AttachNetfilter = 45;
    private const uint ProgFlagSleepable = 1u << 4;

    /// <summary>
    /// True when <paramref name="backend"/> creates a map of <paramref name="type"/>. Local-storage types need BTF
    /// describing their value (loaded with BPF_BTF_LOAD); struct_ops is judged by ENOTSUPP for a missing BTF type, as
    /// libbpf does.
    /// </summary>
    public static bool SupportsMapType(IBpfBackend backend, MapType type)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var attr = new MapCreateAttr { Type = type, KeySize = 4, ValueSize = 4, MaxEntries = 1 };
        var inner = -1;
        var btf = -1;
        var expected = Errno.None;
        try
        {
            switch (type)
            {
                case Abi.MapType.LpmTrie:
                    attr = attr with { KeySize = 8, ValueSize = 8, MapFlags = (uint)MapFlags.BPF_F_NO_PREALLOC };
                    break;
                case Abi.MapType.StackTrace:
                    attr = attr with { ValueSize = 8 };
                    break;
                case Abi.MapType.ArrayOfMaps or Abi.MapType.HashOfMaps:
                    if (backend.MapCreate(new MapCreateAttr { Type = Abi.MapType.Array, KeySize = 4, ValueSize = 4, MaxEntries = 1 }, out inner) != Errno.None)
                        return false;
                    attr = attr with { InnerMapFd = inner };
                    break;
                case Abi.MapType.Queue or Abi.MapType.Stack or Abi.MapType.BloomFilter:
                    attr = attr with { KeySize = 0 };
                    break;
                case Abi.MapType.RingBuf or Abi.MapType.UserRingBuf:
                    attr = attr with { KeySize = 0, ValueSize = 0, MaxEntries = (uint)Environment.SystemPageSize };
                    break;
                case Abi.MapType.CgroupStorage or Abi.MapType.PerCpuCgroupStorage:
                    // struct bpf_cgroup_storage_key: u64 cgroup inode id, u32 attach type, padded to 16 bytes.
                    attr = attr with { KeySize = 16, ValueSize = 8, MaxEntries = 0 };
                    break;
                case Abi.MapType.SkStorage or Abi.MapType.InodeStorage or Abi.MapType.TaskStorage or Abi.MapType.CgrpStorage:
                    if (backend.BtfLoad(LocalStorageBtf(), out btf, out _) != Errno.None)
                        return false;
                    attr = attr with
                    {
                        ValueSize = 8, MaxEntries = 0, MapFlags = (uint)MapFlags.BPF_F_NO_PREALLOC,
                        BtfFd = btf, BtfKeyTypeId = 1, BtfValueTypeId = 3,
                    };
                    break;
                case Abi.MapType.StructOps:
                    // No BTF type 1 in vmlinux is a struct_ops type: a kernel that knows the map type says ENOTSUPP.
                    attr = attr with { BtfVmlinuxValueTypeId = 1 };
                    expected = Errno.ENOTSUPP;
                    break;
                case Abi.MapType.Arena:
                    attr = attr with { KeySize = 0, ValueSize = 0, MapFlags = (uint)MapFlags.BPF_F_MMAPABLE };
                    break;
            }

            var err = backend.MapCreate(attr, out var fd);
            if (err == Errno.None)
                backend.Close(fd);
            return err == expected;
        }
        finally
        {
            if (inner >= 0)
                backend.Close(inner);
            if (btf >= 0)
                backend.Close(btf);
        }
    }

    /// <summary>
    /// True when <paramref name="backend"/> knows program type <paramref name="type"/>: a <c>r0 = 0; exit</c> program
    /// loads, or is refused by the verifier with a log (it ran, so the type exists; tracing types refuse a program
    /// without a BTF attach target, struct_ops one without a struct). An unknown type is refused before the
    /// verifier, without a log.
    /// </summary>
    public static bool SupportsProgramType(IBpfBackend backend, ProgramType type)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var attr = new ProgLoadAttr
        {
            Type = type,
            Instructions = ReturnZero,
            License = "GPL",
            LogLevel = 1,
        };
        attr = type switch
        {
            Abi.ProgramType.CgroupSockAddr => attr with { ExpectedAttachType = AttachCgroupInet4Connect },
            Abi.ProgramType.CgroupSockopt => attr with { ExpectedAttachType = AttachCgroupGetsockopt },
            Abi.ProgramType.SkLookup => attr with { ExpectedAttachType = AttachSkLookup },
            Abi.ProgramType.Tracing => attr with { ExpectedAttachType = AttachTraceFentry },
            Abi.ProgramType.Lsm => attr with { ExpectedAttachType = AttachLsmMac },
            Abi.ProgramType.Netfilter => attr with { ExpectedAttachType = AttachNetfilter },
            Abi.ProgramType.Syscall => attr with { ProgFlags = ProgFlagSleepable },
            _ => attr,
        };
        var err = backend.ProgLoad(attr, out var fd, out var log);
        if (err == Errno.None)
        {
            backend.Close(fd);
            return true;
        }

        return !string.IsNullOrWhiteSpace(log);
    }

    /// <summary>
    /// True when a program of <paramref name="type"/> may call helper <paramref name="helper"/>: a program calling it
    /// loads, or the verifier refuses it for anything but the helper itself ("invalid func", "unknown func",
    /// "program of this type cannot use helper" mean unsupported, as libbpf judges).
    /// </summary>
    public static bool SupportsHelper(IBpfBackend backend, ProgramType type, int helper)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var err = backend.ProgLoad(new ProgLoadAttr
        {
            Type = type,
            Instructions = new Instruction[] { new(0x85, 0, 0, 0, helper), new(0x95, 0, 0, 0, 0) },
            License = "GPL",
            LogLevel = 1,
        }, out var fd, out var log);
        if (err == Errno.None)
        {
            backend.Close(fd);
            return true;
        }

        log ??= "";
        if (log.Length == 0)
            return false;
        return !(log.Contains("invalid func ", StringComparison.Ordinal)
            || log.Contains("unknown func ", StringComparison.Ordinal)
            || log.Contains("program of this type cannot use helper ", StringComparison.Ordinal));
    }

    /// <summary>Probes every map type and program type, and the helpers of <see cref="HelperProgramTypes"/> (ids 1 to <see cref="MaxHelperId"/>).</summary>
    public static FeatureSet ProbeAll(IBpfBackend backend, string? kernelRelease)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var maps = new Dictionary<MapType, bool>();
        foreach (var type in Enum.GetValues<MapType>().Where(t => t != Abi.MapType.Unspec))
            maps[type] = SupportsMapType(backend, type);
        var programs = new Dictionary<ProgramType, bool>();
        var notProbed = new Dictionary<ProgramType, string>();
        foreach (var type in Enum.GetValues<ProgramType>().Where(t => t != Abi.ProgramType.Unspec))
        {
            var supported = SupportsProgramType(backend, type);
            if (!supported && NeedAttachTarget.Contains(type))
                notProbed[type] = "needs a BTF attach target (attach_btf_id), which the backend interface does not pass";
            else
                programs[type] = supported;
        }

        var helpers = new Dictionary<ProgramType, IReadOnlyList<int>>();
        foreach (var type in HelperProgramTypes)
        {
            helpers[type] = programs.GetValueOrDefault(type)
                ? [.. Enumerable.Range(1, MaxHelperId).Where(id => SupportsHelper(backend, type, id))]
                : [];
        }

        return new FeatureSet
        {
            Backend = backend.Name,
            KernelRelease = kernelRelease,
            MapTypes = maps,
            ProgramTypes = programs,
            Helpers = helpers,
            NotProbedProgramTypes = notProbed,
        };
    }

    private static readonly Instruction[] ReturnZero = [new(0xb7, 0, 0, 0, 0), new(0x95, 0, 0, 0, 0)];

    /// <summary>
    /// BTF for a local-storage map (libbpf's probe shape): [1] int; [2] struct bpf_spin_lock { int val; };
    /// [3] struct val { int cnt; struct bpf_spin_lock l; }.
    /// </summary>
    private static byte[] LocalStorageBtf()
    {
        const string strings = "\0bpf_spin_lock\0val\0cnt\0l\0";
        uint[] types =
        [
            0, (1u << 24), 4, (1u << 24) | 32,          // [1] INT "" signed, 32 bits
            1, (4u << 24) | 1, 4, 15, 1, 0,             // [2] STRUCT bpf_spin_lock { val: [1] at bit 0 }
            15, (4u << 24) | 2, 8, 19, 1, 0, 23, 2, 32, // [3] STRUCT val { cnt: [1] at 0, l: [2] at bit 32 }
        ];
        var typeBytes = types.Length * 4;
        var blob = new byte[24 + typeBytes + strings.Length];
        var span = blob.AsSpan();
        BinaryPrimitives.WriteUInt16LittleEndian(span, 0xeB9F); // magic
        span[2] = 1; // version
        span[3] = 0; // flags
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], 24); // hdr_len
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], 0); // type_off
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)typeBytes); // type_len
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)typeBytes); // str_off
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], (uint)strings.Length); // str_len
        for (var i = 0; i < types.Length; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(span[(24 + (i * 4))..], types[i]);
        for (var i = 0; i < strings.Length; i++)
            blob[24 + typeBytes + i] = (byte)strings[i];
        return blob;
    }
}
