using System.CommandLine;
using System.Text;
using System.Text.Json;

namespace SharpBpf.Cli.Commands;

/// <summary><c>sharpbpf map dump OBJ MAP</c>: a map of an object as loaded (its initial contents).</summary>
public static class MapCommand
{
    /// <summary>Builds the <c>map</c> noun.</summary>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var map = new Command("map", "Inspect the maps of a BPF object file");
        var obj = new Argument<string>("OBJ") { Description = "The BPF object file" };
        var name = new Argument<string>("MAP") { Description = "The map's name (the C variable, or .data/.rodata/.bss maps as libbpf names them)" };
        var backend = BackendOption.Create();
        var dump = new Command("dump",
            "Create the object's maps (with their initial data) and print one as bpftool map dump does (all-zero array elements are left out)")
        {
            obj, name, backend,
        };
        dump.SetAction(parse => ProgCommand.Guard(context, () =>
        {
            using var session = ProgObjectSession.Open(parse.GetValue(obj)!, parse.GetValue(backend)!, null, loadPrograms: false);
            var mapName = parse.GetValue(name)!;
            if (!session.Collection.TryGetMap(mapName, out var target))
                throw new CliUsageException($"the object has no map '{mapName}' (maps: {string.Join(", ", session.Spec.Maps.Select(m => m.Name))})");
            var entries = MapDumper.Entries(target);
            if (parse.GetValue(context.Json))
            {
                using var stream = new MemoryStream();
                using (var json = new Utf8JsonWriter(stream))
                    MapDumper.WriteEntries(json, entries);
                context.Console.Output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
            }
            else
            {
                MapDumper.WriteText(context.Console.Output, mapName, target, entries);
            }

            return ExitCodes.Success;
        }));
        map.Subcommands.Add(dump);
        return map;
    }
}
