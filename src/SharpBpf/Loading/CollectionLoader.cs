using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SharpBpf.Abi;
using SharpBpf.Asm;
using SharpBpf.Backend;
using SharpBpf.Maps;
using SharpBpf.Object;
using SharpBpf.Programs;

namespace SharpBpf.Loading;

/// <summary>
/// Loads a <see cref="CollectionSpec"/> into any <see cref="IBpfBackend"/>, the way libbpf's
/// <c>bpf_object__load</c> does: creates every map (reusing compatible pins by name), stores the initial bytes of
/// global data and freezes <c>.rodata</c>, points every map relocation at its map, loads every program, then fills
/// prog arrays and map-in-maps from their static initialisers.
/// </summary>
/// <remarks>
/// <para>
/// An object with BTF has it loaded once (<see cref="BtfSpec.KernelBytes"/>, with libbpf's fix-ups) and every program
/// gets it with its func_info and line_info records, as libbpf passes <c>prog_btf_fd</c>: the kernel needs them for
/// a tail call inside a subprogram, for global functions and for callbacks. A backend that refuses the BTF gets the
/// programs without it (libbpf does the same when the kernel lacks BTF support); <see cref="BpfCollection.LoadLog"/>
/// says why. The BTF descriptor is closed again once the programs are loaded (they hold their own reference).
/// </para>
/// </remarks>
/// <remarks>
/// All or nothing: when any step fails, everything created so far is closed (and maps pinned by this load are
/// unpinned) before the exception leaves, so nothing leaks and nothing half-loaded stays behind. Failures are
/// <see cref="BpfException"/>s (<see cref="BpfVerifierException"/> for refused programs) whose message names the
/// map or program and, where the object has line info, the source line.
/// </remarks>
public static partial class CollectionLoader
{
    /// <summary>The largest map or program name the kernel keeps (<c>BPF_OBJ_NAME_LEN - 1</c>).</summary>
    private const int MaxObjectName = 15;

    /// <summary>Loads <paramref name="spec"/> into <paramref name="backend"/>.</summary>
    /// <exception cref="BpfException">A map or program could not be created, or a pin is incompatible.</exception>
    /// <exception cref="BpfVerifierException">The backend refused a program; the log says why.</exception>
    public static BpfCollection Load(IBpfBackend backend, CollectionSpec spec, CollectionLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(spec);
        options ??= new CollectionLoadOptions();

        // Decide every program's type before creating anything: a missing type is the commonest mistake.
        var selected = SelectPrograms(spec, options);
        var types = selected.Select(p => ResolveType(p, options)).ToArray();

        var maps = new List<BpfMap>(spec.Maps.Count);
        var pinnedHere = new List<string>();
        var reused = new HashSet<string>(StringComparer.Ordinal);
        var programs = new List<(ProgramSpec Spec, BpfProgram Program)>(selected.Count);
        var loadLog = new StringBuilder();
        var btfFd = -1;
        try
        {
            foreach (var mapSpec in spec.Maps)
                maps.Add(CreateMap(backend, mapSpec, options, pinnedHere, reused));

            var fds = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < maps.Count; i++)
                fds[spec.Maps[i].Name] = maps[i].Fd;

            if (spec.Btf is { } btf && selected.Count != 0)
                btfFd = LoadBtf(backend, btf, loadLog);
            for (var i = 0; i < selected.Count; i++)
                programs.Add((selected[i], LoadProgram(backend, spec, selected[i], types[i], fds, options, btfFd)));

            FillInitialisers(spec, maps, programs, reused);
            return new BpfCollection(backend, spec, maps, programs, reused, loadLog.ToString());
        }
        catch
        {
            foreach (var (_, program) in programs)
                program.Dispose();
            foreach (var map in maps)
                map.Dispose();
            foreach (var path in pinnedHere)
                backend.ObjUnpin(path);
            throw;
        }
        finally
        {
            if (btfFd >= 0)
                backend.Close(btfFd);
        }
    }

    /// <summary>
    /// <c>BPF_BTF_LOAD</c> of the object's BTF: its descriptor, or -1 (with the reason in <paramref name="loadLog"/>)
    /// when the backend refuses it, so the programs are loaded without BTF as libbpf does on a kernel without BTF.
    /// </summary>
    private static int LoadBtf(IBpfBackend backend, BtfSpec btf, StringBuilder loadLog)
    {
        var err = backend.BtfLoad(btf.KernelBytes.Span, out var fd, out var log);
        if (err == Errno.None)
            return fd;
        var reason = log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        loadLog.Append(CultureInfo.InvariantCulture,
            $"{BpfCommand.BPF_BTF_LOAD} of the object's BTF: {BpfException.ErrnoName(err)}{(reason is null ? "" : $" ({reason})")}; programs loaded without BTF\n");
        return -1;
    }

    /// <summary>Reads the object at <paramref name="path"/> and loads it.</summary>
    /// <exception cref="BpfObjectFormatException">The object is malformed or unsupported.</exception>
    /// <exception cref="BpfException">Loading failed.</exception>
    public static BpfCollection LoadFile(IBpfBackend backend, string path, CollectionLoadOptions? options = null) =>
        Load(backend, BpfObjectReader.Read(path), options);

    /// <summary>
    /// The program type a program is loaded as: the forced type, else the section's, else the caller's choice for
    /// sections libbpf does not know.
    /// </summary>
    /// <exception cref="BpfException">EINVAL: the section is unknown and no type was given for it.</exception>
    public static ProgramType ResolveType(ProgramSpec program, CollectionLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ForceType is { } forced)
            return forced;
        if (program.Type != ProgramType.Unspec)
            return program.Type;
        if (options.ProgramTypes is { } byName)
        {
            if (byName.TryGetValue(program.Name, out var named))
                return named;
            if (byName.TryGetValue(program.SectionName, out var bySection))
                return bySection;
        }

        return options.UnknownSectionType ?? throw new BpfException(Errno.EINVAL,
            $"program '{program.Name}' in section '{program.SectionName}': libbpf does not know this section name, so the "
            + "program type must be given (CollectionLoadOptions.ProgramTypes, UnknownSectionType or ForceType; "
            + "'--type' on the command line)");
    }

    private static List<ProgramSpec> SelectPrograms(CollectionSpec spec, CollectionLoadOptions options)
    {
        if (options.Programs is null)
            return [.. spec.Programs];
        foreach (var name in options.Programs)
        {
            if (spec.FindProgram(name) is null)
            {
                throw new BpfException(Errno.ENOENT,
                    $"the object has no program '{name}' (programs: {string.Join(", ", spec.Programs.Select(p => p.Name))})");
            }
        }

        return [.. spec.Programs.Where(p => options.Programs.Contains(p.Name))];
    }

    private static BpfMap CreateMap(IBpfBackend backend, MapSpec spec, CollectionLoadOptions options,
        List<string> pinnedHere, HashSet<string> reused)
    {
        string? pinPath = null;
        if (spec.Pinning == PinningType.ByName && options.PinRoot is { } root)
        {
            pinPath = $"{root.TrimEnd('/')}/{spec.Name}";
            if (TryOpenPinned(backend, spec, pinPath) is { } existing)
            {
                reused.Add(spec.Name);
                return existing;
            }
        }

        var map = CreateUnpinned(backend, spec);
        try
        {
            if (spec.InitialData is { } data)
                WriteInitialData(map, spec, data);
            if (spec.FreezeAfterLoad)
                map.Freeze();
            if (pinPath is not null)
            {
                map.Pin(pinPath);
                pinnedHere.Add(pinPath);
            }
        }
        catch
        {
            map.Dispose();
            throw;
        }

        return map;
    }

    private static BpfMap CreateUnpinned(IBpfBackend backend, MapSpec spec)
    {
        // A map-in-map is created with a template of its inner maps, which is closed again right after.
        BpfMap? inner = spec.InnerMap is { } innerSpec ? CreateUnpinned(backend, innerSpec) : null;
        try
        {
            var attr = new MapCreateAttr
            {
                Type = spec.Type,
                KeySize = spec.KeySize,
                ValueSize = spec.ValueSize,
                MaxEntries = spec.MaxEntries,
                MapFlags = spec.Flags,
                NumaNode = spec.NumaNode,
                MapExtra = spec.MapExtra,
                InnerMapFd = inner?.Fd ?? 0,
                Name = ObjectName(spec.Name),
            };
            var err = backend.MapCreate(attr, out var fd);
            if (err != Errno.None)
            {
                var cause = MapErrorText.CreateException(attr, err);
                throw new BpfException(err, $"map '{spec.Name}' (section '{spec.SectionName}'): {cause.Message}", cause);
            }

            return new BpfMap(backend, fd);
        }
        finally
        {
            inner?.Dispose();
        }
    }

    private static BpfMap? TryOpenPinned(IBpfBackend backend, MapSpec spec, string path)
    {
        var err = backend.ObjGet(path, 0, out var fd);
        if (err == Errno.ENOENT)
            return null;
        if (err != Errno.None)
        {
            throw new BpfException(err,
                $"map '{spec.Name}': cannot open the pin '{path}': {BpfCommand.BPF_OBJ_GET}: {BpfException.ErrnoName(err)}");
        }

        BpfMap pinned;
        try
        {
            pinned = new BpfMap(backend, fd);
        }
        catch (BpfException)
        {
            backend.Close(fd);
            throw new BpfException(Errno.EINVAL, $"map '{spec.Name}': the object pinned at '{path}' is not a map");
        }

        var info = pinned.Info;
        var problems = new List<string>();
        Compare(problems, "type", (uint)info.Type, (uint)spec.Type, info.Type.ToString(), spec.Type.ToString());
        Compare(problems, "key_size", info.KeySize, spec.KeySize);
        Compare(problems, "value_size", info.ValueSize, spec.ValueSize);
        Compare(problems, "max_entries", info.MaxEntries, spec.MaxEntries);
        Compare(problems, "map_flags", info.MapFlags, spec.Flags, $"0x{info.MapFlags:x}", $"0x{spec.Flags:x}");
        if (info.MapExtra != spec.MapExtra)
            problems.Add($"map_extra {info.MapExtra} != {spec.MapExtra}");
        if (problems.Count == 0)
            return pinned;
        pinned.Dispose();
        throw new BpfException(Errno.EINVAL,
            $"map '{spec.Name}': the map pinned at '{path}' is incompatible with the object's definition ({string.Join(", ", problems)}); "
            + "unpin it or change the definition");
    }

    private static void Compare(List<string> problems, string what, uint pinned, uint wanted, string? pinnedText = null,
        string? wantedText = null)
    {
        if (pinned != wanted)
            problems.Add($"pinned {what} {pinnedText ?? pinned.ToString(CultureInfo.InvariantCulture)} != {wantedText ?? wanted.ToString(CultureInfo.InvariantCulture)}");
    }

    private static void WriteInitialData(BpfMap map, MapSpec spec, byte[] data)
    {
        if (data.Length != map.ValueSize || map.KeySize != sizeof(uint))
        {
            throw new BpfException(Errno.EINVAL,
                $"map '{spec.Name}': initial data of {data.Length} bytes does not fit value_size {map.ValueSize}");
        }

        Span<byte> key = stackalloc byte[sizeof(uint)];
        key.Clear();
        try
        {
            map.Update(key, data);
        }
        catch (BpfException e)
        {
            throw new BpfException(e.Errno, $"map '{spec.Name}': storing its initial data: {e.Message}", e);
        }
    }

    private static BpfProgram LoadProgram(IBpfBackend backend, CollectionSpec collection, ProgramSpec spec,
        ProgramType type, Dictionary<string, int> mapFds, CollectionLoadOptions options, int btfFd)
    {
        var insns = Relocate(spec, mapFds);
        var attach = AttachTypeFor(spec, type);

        var license = spec.License.Length != 0 ? spec.License : collection.License;
        var attr = new ProgLoadAttr
        {
            Type = type,
            Instructions = insns,
            License = license,
            Name = ObjectName(spec.Name),
            ExpectedAttachType = attach,
            KernVersion = collection.KernelVersion,
            LogLevel = options.LogLevel,
            ExecutionMode = options.ExecutionMode,
        };
        if (btfFd >= 0 && (spec.FuncInfos.Count != 0 || spec.LineInfos.Count != 0))
        {
            attr = attr with
            {
                ProgBtfFd = btfFd,
                FuncInfo = spec.FuncInfoRecords(),
                FuncInfoRecordSize = spec.FuncInfos.Count != 0 ? ProgramSpec.FuncInfoRecordSize : 0,
                LineInfo = spec.LineInfoRecords(),
                LineInfoRecordSize = spec.LineInfos.Count != 0 ? ProgramSpec.LineInfoRecordSize : 0,
            };
        }

        try
        {
            return BpfProgram.Load(backend, attr);
        }
        catch (BpfVerifierException e)
        {
            throw new BpfVerifierException(e.Errno, $"program '{spec.Name}' (section '{spec.SectionName}'): {e.Message}{SourceOf(spec, e.Log)}", e.Log);
        }
        catch (BpfException e)
        {
            throw new BpfException(e.Errno, $"program '{spec.Name}' (section '{spec.SectionName}'): {e.Message}", e);
        }
    }

    /// <summary>
    /// A copy of the program with every map relocation applied: <c>lddw</c> src 1 and the map descriptor, or src 2,
    /// the descriptor and the offset in the second slot's immediate (global data).
    /// </summary>
    /// <exception cref="BpfException">A relocation names a map the object lacks or a slot that is not an <c>lddw</c>.</exception>
    public static Instruction[] Relocate(ProgramSpec spec, IReadOnlyDictionary<string, int> mapFds)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(mapFds);
        var insns = (Instruction[])spec.Instructions.Clone();
        foreach (var reloc in spec.MapRelocations)
        {
            if ((uint)reloc.Slot + 1 >= (uint)insns.Length || insns[reloc.Slot].Opcode != 0x18)
            {
                throw new BpfException(Errno.EINVAL,
                    $"program '{spec.Name}': relocation of map '{reloc.MapName}' at slot {reloc.Slot} is not on an lddw");
            }

            if (!mapFds.TryGetValue(reloc.MapName, out var fd))
            {
                throw new BpfException(Errno.EINVAL,
                    $"program '{spec.Name}': slot {reloc.Slot} refers to map '{reloc.MapName}', which the object does not define");
            }

            var first = insns[reloc.Slot];
            var src = reloc.Kind == MapRelocationKind.Map ? PseudoMapFd : PseudoMapValue;
            insns[reloc.Slot] = new Instruction(first.Opcode, first.Dst, src, first.Offset, fd);
            var second = insns[reloc.Slot + 1];
            insns[reloc.Slot + 1] = second with { Imm = reloc.Kind == MapRelocationKind.Map ? 0 : (int)reloc.Offset };
        }

        return insns;
    }

    private const byte PseudoMapFd = 1;
    private const byte PseudoMapValue = 2;

    private static void FillInitialisers(CollectionSpec spec, List<BpfMap> maps,
        List<(ProgramSpec Spec, BpfProgram Program)> programs, HashSet<string> reused)
    {
        Span<byte> key = stackalloc byte[sizeof(uint)];
        Span<byte> value = stackalloc byte[sizeof(uint)];
        for (var i = 0; i < spec.Maps.Count; i++)
        {
            var mapSpec = spec.Maps[i];
            // libbpf leaves a reused pinned map's contents alone.
            if (mapSpec.Contents.Count == 0 || reused.Contains(mapSpec.Name))
                continue;
            var map = maps[i];
            foreach (var entry in mapSpec.Contents)
            {
                int fd;
                if (entry.Kind == MapSpecEntryKind.Program)
                {
                    var target = programs.FindIndex(p => p.Spec.Name == entry.Target);
                    if (target < 0)
                    {
                        if (spec.FindProgram(entry.Target) is not null)
                            continue; // the caller chose not to load it
                        throw new BpfException(Errno.EINVAL,
                            $"map '{mapSpec.Name}': slot {entry.Key} names program '{entry.Target}', which the object does not define");
                    }

                    fd = programs[target].Program.Fd;
                }
                else
                {
                    var target = IndexOfMap(spec, entry.Target);
                    if (target < 0)
                    {
                        throw new BpfException(Errno.EINVAL,
                            $"map '{mapSpec.Name}': slot {entry.Key} names map '{entry.Target}', which the object does not define");
                    }

                    fd = maps[target].Fd;
                }

                if (map.KeySize != sizeof(uint) || map.ValueSize != sizeof(uint))
                {
                    throw new BpfException(Errno.EINVAL,
                        $"map '{mapSpec.Name}': static initialisers need key_size and value_size 4");
                }

                BinaryPrimitives.WriteUInt32LittleEndian(key, entry.Key);
                BinaryPrimitives.WriteInt32LittleEndian(value, fd);
                try
                {
                    map.Update(key, value);
                }
                catch (BpfException e)
                {
                    throw new BpfException(e.Errno,
                        $"map '{mapSpec.Name}': storing {entry.Kind.ToString().ToLowerInvariant()} '{entry.Target}' at slot {entry.Key}: {e.Message}", e);
                }
            }
        }
    }

    private static int IndexOfMap(CollectionSpec spec, string name)
    {
        for (var i = 0; i < spec.Maps.Count; i++)
        {
            if (spec.Maps[i].Name == name)
                return i;
        }

        return -1;
    }

    /// <summary>
    /// The <c>expected_attach_type</c> <paramref name="program"/> is loaded with as <paramref name="type"/>: its section's
    /// when the type is the section's, else the one the type's plain section gives (<c>bpftool prog loadall ... type
    /// T</c> does the same). A program whose type the caller chose (an unknown section such as <c>xdp/tail_0</c>, or a
    /// forced type) must not keep 0 there: since Linux 6.17 a tail call only reaches a program whose
    /// expected_attach_type equals that of the prog array's owner (<c>__bpf_prog_map_compatible</c>), so an
    /// <c>xdp/tail_N</c> program loaded with 0 next to a <c>SEC("xdp")</c> caller (BPF_XDP) is refused with EINVAL
    /// after the verifier accepted it.
    /// </summary>
    public static uint AttachTypeFor(ProgramSpec program, ProgramType type)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (type == program.Type)
            return program.ExpectedAttachType is { } fromSection ? (uint)fromSection : 0;
        return DefaultAttachType(type) is { } byType ? (uint)byType : 0;
    }

    /// <summary>The expected attach type libbpf gives a program of <paramref name="type"/> loaded by type alone.</summary>
    private static AttachType? DefaultAttachType(ProgramType type) =>
        ProgramSectionTable.Definitions
            .FirstOrDefault(d => d.Type == type && !d.Pattern.Contains('/', StringComparison.Ordinal))?.ExpectedAttachType;

    /// <summary>The name the kernel keeps: the first 15 bytes (libbpf truncates the same way).</summary>
    private static string ObjectName(string name) => name.Length <= MaxObjectName ? name : name[..MaxObjectName];

    /// <summary>" (at file:line: text)" for the instruction a load log blames, when the object has line info.</summary>
    private static string SourceOf(ProgramSpec spec, string log)
    {
        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = lines.Length - 1; i >= 0; i--)
        {
            var match = PcPattern().Match(lines[i]);
            if (match.Success && int.TryParse(match.Groups[1].ValueSpan.Length != 0 ? match.Groups[1].Value : match.Groups[2].Value,
                    NumberStyles.None, CultureInfo.InvariantCulture, out var pc))
            {
                return spec.LineAt(pc) is { } line ? $" (at {line})" : "";
            }
        }

        return "";
    }

    [GeneratedRegex(@"^(\d+): |\bpc (\d+)\b")]
    private static partial Regex PcPattern();
}
