using System.CommandLine;

namespace SharpBpf.Cli.Commands;

/// <summary>
/// The arguments <c>prog run</c> and <c>prog diff</c> share (the object, the program, its inputs, the map updates,
/// the repeat count and the execution mode), declared once and read back into a <see cref="ProgRunOptions"/>.
/// </summary>
internal sealed class ProgRunArguments
{
    public Argument<string> Object { get; } = new("OBJ") { Description = "The BPF object file" };

    public Option<string?> Program { get; } = new("--program") { Description = "The program to run (its function name)" };

    public Option<string?> Section { get; } = new("--section") { Description = "The program to run, by its section (SEC(\"...\"))" };

    public Option<string?> Type { get; } = new("--type")
    {
        Description = "Load every program of the object as this type, like 'bpftool prog loadall ... type TYPE' "
            + "(needed for sections libbpf does not know, e.g. xdp/tail_0): " + ProgTypeNames.Known,
    };

    public Option<string?> DataIn { get; } = new("--data-in")
    {
        Description = "The packet (data_in); default for packet programs: a 64-byte Ethernet/IPv4/TCP SYN packet, 10.0.0.1:12345 -> 10.0.0.2:80",
    };

    public Option<string?> CtxIn { get; } = new("--ctx-in") { Description = "The context (ctx_in: struct xdp_md, struct __sk_buff, raw tracepoint arguments)" };

    public Option<uint> Repeat { get; } = new("--repeat")
    {
        Description = "Run this many times; the runs share one packet buffer (retval is the last run's, duration the average)",
        DefaultValueFactory = _ => 1,
    };

    public Option<uint?> Cpu { get; } = new("--cpu") { Description = "Run on this CPU (raw_tracepoint programs)" };

    public Option<string[]> MapUpdates { get; } = new("--map-update")
    {
        Description = "MAP KEY VALUE: store VALUE at KEY of MAP before the run; KEY and VALUE as bpftool writes them "
            + "('hex 01 00 00 00', '1 0 0 0' bytes, or one integer filling the field), for a prog array VALUE may be 'prog NAME'; repeatable",
        Arity = new ArgumentArity(3, 99_999),
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string?> Mode { get; } = ModeOption.Create();

    public Option<bool> Trusted { get; } = ModeOption.CreateTrusted();

    /// <summary>Adds every argument and option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Arguments.Add(Object);
        foreach (var option in new Option[] { Program, Section, Type, DataIn, CtxIn, Repeat, Cpu, MapUpdates, Mode, Trusted })
            command.Options.Add(option);
    }

    /// <summary>The options as parsed (usage errors exit 2).</summary>
    public ProgRunOptions Read(ParseResult parse, CliContext context)
    {
        var updateTokens = parse.GetValue(MapUpdates) ?? [];
        if (updateTokens.Length % 3 != 0)
            throw new CliUsageException("--map-update takes three values: MAP KEY VALUE");
        var list = new List<(string, string, string)>();
        for (var i = 0; i < updateTokens.Length; i += 3)
            list.Add((updateTokens[i], updateTokens[i + 1], updateTokens[i + 2]));
        return new ProgRunOptions
        {
            ObjectPath = parse.GetValue(Object)!,
            Program = parse.GetValue(Program),
            Section = parse.GetValue(Section),
            Type = ProgCommand.ParseType(parse.GetValue(Type)),
            DataIn = parse.GetValue(DataIn),
            CtxIn = parse.GetValue(CtxIn),
            Repeat = parse.GetValue(Repeat),
            Cpu = parse.GetValue(Cpu),
            MapUpdates = list,
            Json = parse.GetValue(context.Json),
            Mode = ModeOption.Resolve(parse.GetValue(Mode), parse.GetValue(Trusted)),
        };
    }
}
