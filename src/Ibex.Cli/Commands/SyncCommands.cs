using System.CommandLine;
using System.Text.Json;
using Ibex.Catalog;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Setup;
using Microsoft.Extensions.Logging;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex sync add|list|show|pause|resume|remove</c>, and the table and node changes of a running sync.</summary>
public static class SyncCommands
{
    public static Command Build(CliContext context)
    {
        var sync = new Command("sync", "Manage syncs: which tables flow from which sources to which targets");
        sync.Subcommands.Add(SyncAddCommand.Build(context));
        sync.Subcommands.Add(List(context));
        sync.Subcommands.Add(Show(context));
        sync.Subcommands.Add(SetEnabled(context, "pause", false));
        sync.Subcommands.Add(SetEnabled(context, "resume", true));
        sync.Subcommands.Add(Remove(context));
        sync.Subcommands.Add(SetConflict(context));
        sync.Subcommands.Add(SetDdl(context));
        sync.Subcommands.Add(SyncTableCommands.AddTable(context));
        sync.Subcommands.Add(SyncTableCommands.RemoveTable(context));
        sync.Subcommands.Add(SyncNodeCommands.AddNode(context));
        sync.Subcommands.Add(SyncNodeCommands.RemoveNode(context));
        sync.Subcommands.Add(SyncKickCommand.Build(context));
        return sync;
    }

    static Command List(CliContext context)
    {
        var json = CommonOptions.Json();
        var cmd = new Command("list", "List syncs") { json };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var syncs = await new SyncStore(control).ListAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(json))
                Json.Write(context.Output, syncs.Select(Describe));
            else
                TableFormatter.Write(context.Output, ["NAME", "STATE", "SOURCES", "TARGETS", "TABLES", "COPY"],
                    syncs.Select(s => (IReadOnlyList<string>)[s.Name, s.Enabled ? "active" : "paused", string.Join(",", s.Sources.Select(n => n.Node)),
                        string.Join(",", s.Targets.Select(n => n.Node)), s.Tables.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), s.CopyMode.ToString().ToLowerInvariant()]));
            return 0;
        });
        return cmd;
    }

    static Command Show(CliContext context)
    {
        var name = new Argument<string>("name");
        var json = CommonOptions.Json();
        var cmd = new Command("show", "Show one sync's configuration") { name, json };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var s = await new SyncStore(control).GetAsync(parse.GetValue(name)!, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                Json.Write(context.Output, Describe(s));
                return 0;
            }
            var o = context.Output;
            await o.WriteLineAsync($"sync:        {s.Name}").ConfigureAwait(false);
            await o.WriteLineAsync($"state:       {(s.Enabled ? "active" : "paused")}").ConfigureAwait(false);
            await o.WriteLineAsync($"sources:     {string.Join(", ", s.Sources.Select(n => $"{n.Node} (slot {n.SlotName})"))}").ConfigureAwait(false);
            await o.WriteLineAsync($"targets:     {string.Join(", ", s.Targets.Select(n => n.Node))}").ConfigureAwait(false);
            await o.WriteLineAsync($"publication: {s.PublicationName}").ConfigureAwait(false);
            await o.WriteLineAsync($"copy:        {s.CopyMode.ToString().ToLowerInvariant()}").ConfigureAwait(false);
            await o.WriteLineAsync($"conflict:    {s.ConflictStrategy}").ConfigureAwait(false);
            await o.WriteLineAsync($"ddl:         {s.Ddl.ToString().ToLowerInvariant()}").ConfigureAwait(false);
            await o.WriteLineAsync($"tables:").ConfigureAwait(false);
            foreach (var t in s.Tables)
                await o.WriteLineAsync("  " + t.Name.Display).ConfigureAwait(false);
            await o.WriteLineAsync($"links:").ConfigureAwait(false);
            foreach (var l in s.Links)
                await o.WriteLineAsync($"  {l.Source} -> {l.Target} (origin {l.OriginName})").ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }

    static object Describe(SyncRecord s) => new
    {
        s.Name,
        State = s.Enabled ? "active" : "paused",
        Sources = s.Sources.Select(n => new { n.Node, Slot = n.SlotName }),
        Targets = s.Targets.Select(n => n.Node),
        Publication = s.PublicationName,
        Copy = s.CopyMode.ToString().ToLowerInvariant(),
        Conflict = s.ConflictStrategy,
        Ddl = s.Ddl.ToString().ToLowerInvariant(),
        Tables = s.Tables.Select(t => new { t.Name.Schema, Table = t.Name.Name }),
        Links = s.Links.Select(l => new { l.Source, l.Target, Origin = l.OriginName }),
        s.CreatedAt,
    };

    static Command SetEnabled(CliContext context, string verb, bool enabled)
    {
        var name = new Argument<string>("name");
        var cmd = new Command(verb, enabled ? "Resume a paused sync" : "Pause a sync (its slots keep the changes until it resumes)") { name };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var syncName = parse.GetValue(name)!;
            var changed = await new SyncStore(control).SetEnabledAsync(syncName, enabled, ct).ConfigureAwait(false);
            if (enabled)
            {
                var resolved = await new ConflictStore(control).ResolveAbortedAsync(syncName, ct).ConfigureAwait(false);
                if (resolved > 0)
                    await context.Output.WriteLineAsync($"{resolved} aborted conflict(s) marked resolved: the newest version of each row wins on every node").ConfigureAwait(false);
            }
            await control.NotifyChangedAsync(ct).ConfigureAwait(false);
            if (!enabled && changed && !await new Monitoring.StatusReader(control).WaitPausedAsync(syncName, TimeSpan.FromSeconds(15), ct).ConfigureAwait(false))
                await context.Error.WriteLineAsync($"ibex: warning: a running daemon has not confirmed the pause of '{syncName}' yet; it stops the sync within seconds").ConfigureAwait(false);
            await context.Output.WriteLineAsync(changed ? $"sync '{syncName}' {(enabled ? "resumed" : "paused")}" : $"sync '{syncName}' was already {(enabled ? "active" : "paused")}").ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }

    static Command SetConflict(CliContext context)
    {
        var name = new Argument<string>("sync");
        var table = new Argument<string>("table") { Description = "A table of the sync (schema.table)" };
        var strategy = new Argument<string>("strategy") { Description = "latest, priority:A,B,C, keep-local, abort, custom:schema.function, or 'default' to use the sync's" };
        var cmd = new Command("set-conflict", "Override the conflict strategy for one table of a multi-master sync") { name, table, strategy };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var s = await new SyncStore(control).GetAsync(parse.GetValue(name)!, ct).ConfigureAwait(false);
            var pattern = TablePattern.Parse(parse.GetValue(table)!);
            var t = s.Tables.FirstOrDefault(x => pattern.Matches(x.Name.Schema, x.Name.Name))
                ?? throw new IbexException($"sync '{s.Name}' has no table matching '{parse.GetValue(table)}'; 'ibex sync show {s.Name}' lists its tables");
            var text = parse.GetValue(strategy)!;
            string? value = null;
            if (text != "default")
                value = Conflicts.ConflictStrategy.Parse(text, [.. s.Nodes.Select(n => n.Node)]).Text;
            await new SyncStore(control).SetTableOptionAsync(s.Name, t.Name, "conflict", value, ct).ConfigureAwait(false);
            await control.NotifyChangedAsync(ct).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"sync '{s.Name}': table {t.Name.Display} uses conflict strategy {value ?? s.ConflictStrategy + " (the sync's)"}").ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }

    static Command SetDdl(CliContext context)
    {
        var name = new Argument<string>("sync");
        var mode = new Argument<string>("mode") { Description = "stop, replicate or ignore (see 'ibex sync add --ddl')" };
        mode.AcceptOnlyFromAmong("stop", "replicate", "ignore");
        var cmd = new Command("set-ddl", "Change what a sync does with schema changes on its sources (installs or removes the DDL capture)") { name, mode };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var ddl = Enum.Parse<DdlMode>(parse.GetValue(mode)!, ignoreCase: true);
            var s = await new DdlModeChanger(control, context.LoggerFactory.CreateLogger<DdlModeChanger>()).SetAsync(parse.GetValue(name)!, ddl, ct).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"sync '{s.Name}': DDL {ddl.ToString().ToLowerInvariant()}").ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }

    static Command Remove(CliContext context)
    {
        var name = new Argument<string>("name");
        var force = new Option<bool>("--force") { Description = "Forget the sync even if some node cannot be reached (prints the clean-up SQL)" };
        var cmd = new Command("remove", "Remove a sync: drop its slots, publications and replication origins") { name, force };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var syncName = parse.GetValue(name)!;
            var leftovers = await new SyncRemover(control, context.LoggerFactory.CreateLogger<SyncRemover>()).RemoveAsync(syncName, parse.GetValue(force), ct).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"sync '{syncName}' removed").ConfigureAwait(false);
            if (leftovers.Count > 0)
            {
                await context.Error.WriteLineAsync("ibex: some objects could not be dropped; run these by hand:").ConfigureAwait(false);
                foreach (var l in leftovers)
                    await context.Error.WriteLineAsync(l).ConfigureAwait(false);
                return 1;
            }
            return 0;
        });
        return cmd;
    }
}
