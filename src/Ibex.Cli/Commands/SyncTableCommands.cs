using System.CommandLine;
using Ibex.Catalog;
using Ibex.Control;
using Ibex.Setup;
using Microsoft.Extensions.Logging;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex sync add-table</c> and <c>ibex sync remove-table</c>: change a sync's tables while it runs.</summary>
public static class SyncTableCommands
{
    public static Command AddTable(CliContext context)
    {
        var name = new Argument<string>("sync");
        var patterns = new Argument<string[]>("tables") { Description = "Table patterns to add", Arity = ArgumentArity.OneOrMore };
        var where = new Option<string[]>("--where") { Description = "Row filter for a table: 'public.orders=region = ''eu''' (repeatable)" };
        var columns = new Option<string[]>("--columns") { Description = "Columns to replicate for a table: 'public.users=id,name' (repeatable)" };
        var map = new Option<string[]>("--map") { Description = "Other name on targets: 'public.orders=archive.orders' (repeatable)" };
        var strict = new Option<bool>("--strict") { Description = "Refuse tables without a key or REPLICA IDENTITY FULL (by default they replicate INSERT and TRUNCATE only, with a warning)" };
        var cmd = new Command("add-table", "Add tables to a sync (checked on every node, copied, then streamed); a running daemon picks them up") { name, patterns, where, columns, map, strict };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var changer = new TableChanger(control, context.LoggerFactory.CreateLogger<TableChanger>()) { FixSql = SchemaFix.ForTablesAsync };
            var settings = new SyncSpec(parse.GetValue(name)!, [], [], [], Control.Model.CopyMode.Auto)
            {
                Where = [.. (parse.GetValue(where) ?? []).Select(w => TableSetting.Parse(w, "--where"))],
                Columns = [.. (parse.GetValue(columns) ?? []).Select(w => TableSetting.Parse(w, "--columns"))],
                Map = [.. (parse.GetValue(map) ?? []).Select(w => TableSetting.Parse(w, "--map"))],
                Strict = parse.GetValue(strict),
            };
            var added = await changer.AddAsync(parse.GetValue(name)!, TablePattern.ParseList(parse.GetValue(patterns) ?? []), settings, ct).ConfigureAwait(false);
            foreach (var w in changer.Warnings)
                await context.Error.WriteLineAsync("ibex: warning: " + w).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"sync '{parse.GetValue(name)}': added {string.Join(", ", added.Select(a => a.Display))}").ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }

    public static Command RemoveTable(CliContext context)
    {
        var name = new Argument<string>("sync");
        var patterns = new Argument<string[]>("tables") { Description = "Table patterns to remove", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("remove-table", "Stop replicating tables of a sync (their rows stay on the targets)") { name, patterns };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var removed = await new TableChanger(control, context.LoggerFactory.CreateLogger<TableChanger>())
                .RemoveAsync(parse.GetValue(name)!, TablePattern.ParseList(parse.GetValue(patterns) ?? []), ct).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"sync '{parse.GetValue(name)}': removed {string.Join(", ", removed.Select(a => a.Display))}").ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }
}
