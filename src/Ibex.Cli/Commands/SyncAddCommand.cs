using System.CommandLine;
using Ibex.Catalog;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Monitoring.Checks;
using Ibex.Setup;
using Microsoft.Extensions.Logging;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex sync add</c>: every option a sync can be created with.</summary>
public static class SyncAddCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Sync name" };
        var tables = new Option<string[]>("--tables") { Description = "Table patterns: public.orders, sales.*, \"Odd Schema\".\"Order Items\" (comma-separated or repeated)", Required = true, AllowMultipleArgumentsPerToken = true };
        var sources = new Option<string[]>("--source") { Description = "Source node (repeat for multi-master)", Required = true };
        var targets = new Option<string[]>("--target") { Description = "Target node that receives a stream (repeatable)" };
        var fullcopy = new Option<string[]>("--fullcopy") { Description = "Target node whose tables are replaced by a full copy on every run (repeatable; tables need no key)" };
        var copy = new Option<string>("--copy") { Description = "Initial copy: auto (into empty targets), always (truncate and copy), never", DefaultValueFactory = _ => "auto" };
        copy.OneOf("auto", "always", "never");
        var conflict = new Option<string>("--conflict") { Description = "Conflict strategy for multi-master: latest, priority:A,B,C, keep-local, abort, custom:schema.function", DefaultValueFactory = _ => "latest" };
        var forward = new Option<bool>("--forward") { Description = "Pass on changes that arrived through Ibex (cascading A→B→C; the default when the source receives another sync)" };
        var noForward = new Option<bool>("--no-forward") { Description = "Do not pass on changes that arrived through Ibex" };
        var mode = new Option<string>("--mode") { Description = "stream: apply continuously; kick: apply when kicked ('ibex sync kick') or on --every", DefaultValueFactory = _ => "stream" };
        mode.OneOf("stream", "kick");
        var every = new Option<string?>("--every") { Description = "Run kick mode and fullcopy targets by themselves this often (e.g. 15m)" };
        var where = new Option<string[]>("--where") { Description = "Row filter for a table: 'public.orders=region = ''eu''' (repeatable)" };
        var columns = new Option<string[]>("--columns") { Description = "Columns to replicate for a table: 'public.users=id,name,email' (repeatable)" };
        var map = new Option<string[]>("--map") { Description = "Other name on targets: 'public.orders=archive.orders_2026' (repeatable)" };
        var autoAdd = new Option<bool>("--auto-add-columns") { Description = "When a source table gains a column a target lacks, add it there (nullable) instead of stopping" };
        var sequences = new Option<bool>("--sequences") { Description = "Copy the values of sequences owned by synced tables to targets" };
        var deleteMethod = new Option<string>("--delete-method") { Description = "Fullcopy targets: empty tables with truncate or delete", DefaultValueFactory = _ => "truncate" };
        deleteMethod.OneOf("truncate", "delete");
        var maxRetained = new Option<string?>("--max-retained") { Description = "Mark the sync in error when one of its slots retains more WAL than this (e.g. 10GB)" };
        var onRetention = new Option<string>("--on-retention") { Description = "Past --max-retained: error, or drop-slot (drop the slot and copy the tables afresh)", DefaultValueFactory = _ => "error" };
        onRetention.OneOf("error", "drop-slot");
        var ddl = new Option<string>("--ddl") { Description = "Schema changes on the sources: stop (a change of layout stops the link with the ALTER to run), replicate (captured by an event trigger and run on the targets in order; needs a superuser), ignore (not checked)", DefaultValueFactory = _ => "stop" };
        ddl.OneOf("stop", "replicate", "ignore");
        var strict = new Option<bool>("--strict") { Description = "Refuse tables without a key or REPLICA IDENTITY FULL (by default they replicate INSERT and TRUNCATE only, with a warning)" };
        var cmd = new Command("add", "Create a sync: check the tables on every node, create publication and slot, plan the initial copy")
        {
            name, tables, sources, targets, fullcopy, copy, conflict, forward, noForward, mode, every, where, columns, map, autoAdd, sequences, deleteMethod, maxRetained, onRetention, strict, ddl,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(forward) && parse.GetValue(noForward))
                throw new IbexException("give --forward or --no-forward, not both");
            long? retained = null;
            if (parse.GetValue(maxRetained) is { } size)
                retained = (long?)Units.Bytes(size) ?? throw new IbexException($"--max-retained '{size}' is not a size; write e.g. 10GB or 512MB");
            double? everySeconds = parse.GetValue(every) is { } e ? Duration.Parse(e, "--every").TotalSeconds : null;
            var spec = new SyncSpec(
                parse.GetValue(name)!,
                TablePattern.ParseList(parse.GetValue(tables) ?? []),
                parse.GetValue(sources) ?? [],
                parse.GetValue(targets) ?? [],
                Enum.Parse<CopyMode>(parse.GetValue(copy)!, ignoreCase: true),
                parse.GetValue(conflict)!)
            {
                FullcopyTargets = parse.GetValue(fullcopy) ?? [],
                Forward = parse.GetValue(forward) ? true : parse.GetValue(noForward) ? false : null,
                Where = [.. (parse.GetValue(where) ?? []).Select(w => TableSetting.Parse(w, "--where"))],
                Columns = [.. (parse.GetValue(columns) ?? []).Select(w => TableSetting.Parse(w, "--columns"))],
                Map = [.. (parse.GetValue(map) ?? []).Select(w => TableSetting.Parse(w, "--map"))],
                Strict = parse.GetValue(strict),
                Ddl = Enum.Parse<DdlMode>(parse.GetValue(ddl)!, ignoreCase: true),
                Options = new SyncOptions
                {
                    Mode = parse.GetValue(mode)!,
                    EverySeconds = everySeconds,
                    AutoAddColumns = parse.GetValue(autoAdd),
                    Sequences = parse.GetValue(sequences),
                    DeleteMethod = parse.GetValue(deleteMethod)!,
                    MaxRetainedBytes = retained,
                    OnRetention = parse.GetValue(onRetention)!,
                },
            };
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var creator = new SyncCreator(control, context.LoggerFactory.CreateLogger<SyncCreator>())
            {
                FixSql = SchemaFix.ForTablesAsync,
            };
            var record = await creator.CreateAsync(spec, ct).ConfigureAwait(false);
            foreach (var w in creator.Warnings)
                await context.Error.WriteLineAsync("ibex: warning: " + w).ConfigureAwait(false);
            var to = record.Nodes.Where(n => n.Role != NodeRole.Source).Select(n => n.Role == NodeRole.Fullcopy ? n.Node + " (fullcopy)" : n.Node);
            await context.Output.WriteLineAsync($"sync '{record.Name}' created: {record.Tables.Count} table(s) from {string.Join(", ", record.Sources.Select(s => s.Node))}{(record.Sources.Count() > 1 ? " (multi-master)" : "")} to {string.Join(", ", to.DefaultIfEmpty("each other"))}; copy {record.CopyMode.ToString().ToLowerInvariant()}{(record.Options.KickMode ? "; kick mode" : "")}{(record.Options.Forward ? "; forwards changes it receives" : "")}{(record.Ddl == DdlMode.Replicate ? "; replicates DDL" : "")}").ConfigureAwait(false);
            foreach (var t in record.Tables)
                await context.Output.WriteLineAsync("  " + t.Name.Display + (t.TargetName != t.Name ? " -> " + t.TargetName.Display : "")).ConfigureAwait(false);
            await context.Output.WriteLineAsync("start replicating with 'ibex run' (a running daemon picks it up by itself)").ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }
}
