using System.CommandLine;
using Ibex.Control;
using Ibex.Declarative;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex export [--format yaml|json]</c>: the whole configuration as a file for <c>ibex apply</c>, without secrets.</summary>
public static class ExportCommand
{
    public static Command Build(CliContext context)
    {
        var format = new Option<string>("--format") { Description = "yaml or json (both are read by 'ibex apply')", DefaultValueFactory = _ => "yaml" };
        format.OneOf("yaml", "json");
        var cmd = new Command("export", "Print the whole configuration (nodes, syncs, tables, options) for 'ibex apply'; passwords become ${IBEX_PASSWORD_<NODE>} references") { format };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var config = await ConfigExporter.ReadAsync(control, ct).ConfigureAwait(false);
            var text = parse.GetValue(format) == "json" ? ConfigWriter.Json(config) : ConfigWriter.Yaml(config);
            await context.Output.WriteAsync(text).ConfigureAwait(false);
            // The file has no key for failover slots yet: say so rather than lose it silently.
            foreach (var n in (await new NodeStore(control).ListAsync(ct).ConfigureAwait(false)).Where(n => n.FailoverSlots))
                await context.Error.WriteLineAsync($"warning: node '{n.Name}' was added with --failover-slots, which the file does not carry; where it is applied, add that node with 'ibex node add {n.Name} --dsn ... --failover-slots' instead").ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }
}
