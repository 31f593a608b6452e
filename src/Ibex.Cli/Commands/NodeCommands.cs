using System.CommandLine;
using Ibex.Catalog;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex node add|list|remove</c>.</summary>
public static class NodeCommands
{
    public static Command Build(CliContext context)
    {
        var node = new Command("node", "Manage the databases Ibex replicates between");
        node.Subcommands.Add(Add(context));
        node.Subcommands.Add(List(context));
        node.Subcommands.Add(Remove(context));
        return node;
    }

    static Command Add(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "Node name (letters, digits, _ - .)" };
        var dsn = new Option<string>("--dsn") { Description = "Connection to the node: libpq URI or key=value", Required = true };
        var failover = new Option<bool>("--failover-slots") { Description = "Create this node's slots with failover = true (PostgreSQL 17+), so a standby with sync_replication_slots = on keeps them across a promotion" };
        var cmd = new Command("add", "Add a node after checking it can take part in logical replication") { name, dsn, failover };
        cmd.SetAction(async (parse, ct) =>
        {
            var nodeName = parse.GetValue(name)!;
            ObjectNames.Validate("node", nodeName);
            var conn = parse.GetValue(dsn)!;
            var settings = ConnectionString.Parse(conn, $"node '{nodeName}' --dsn");
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var store = new NodeStore(control);
            if (await store.FindAsync(nodeName, ct).ConfigureAwait(false) is not null)
                throw new IbexException($"node '{nodeName}' already exists; remove it first with 'ibex node remove {nodeName}' or pick another name");
            var failoverSlots = parse.GetValue(failover);
            ServerChecks.ServerFacts facts;
            string? standbySlots = null;
            await using (var db = await NodeConnections.OpenAsync(settings, $"node '{nodeName}'", "setup", ct).ConfigureAwait(false))
            {
                facts = await ServerChecks.ReadAsync(db, ct).ConfigureAwait(false);
                ServerChecks.Require(nodeName, facts);
                if (failoverSlots)
                    standbySlots = await ServerChecks.RequireFailoverSlotsAsync(db, nodeName, facts, ct).ConfigureAwait(false);
            }
            await store.AddAsync(new NodeRecord(nodeName, conn, facts.VersionNum, DateTime.UtcNow) { FailoverSlots = failoverSlots }, ct).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"node '{nodeName}' added: {ConnectionString.Describe(settings)}, PostgreSQL {facts.Version}{(failoverSlots ? ", failover slots" : "")}").ConfigureAwait(false);
            if (failoverSlots && string.IsNullOrEmpty(standbySlots))
                await context.Error.WriteLineAsync($"warning: node '{nodeName}': synchronized_standby_slots is empty, so Ibex may receive changes a standby has not yet and lose them to a promotion; set it to the standby's physical slot (docs/operations.md, failover slots)").ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }

    static Command List(CliContext context)
    {
        var json = CommonOptions.Json();
        var cmd = new Command("list", "List nodes") { json };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var nodes = await new NodeStore(control).ListAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(json))
                Json.Write(context.Output, nodes.Select(n => new { n.Name, Dsn = n.SafeDsn, ServerVersion = n.ServerVersionNum, n.CreatedAt }));
            else
                TableFormatter.Write(context.Output, ["NAME", "CONNECTION", "VERSION"], nodes.Select(n => (IReadOnlyList<string>)[n.Name, n.SafeDsn, (n.ServerVersionNum / 10000).ToString(System.Globalization.CultureInfo.InvariantCulture)]));
            return 0;
        });
        return cmd;
    }

    static Command Remove(CliContext context)
    {
        var name = new Argument<string>("name");
        var cmd = new Command("remove", "Remove a node no sync uses") { name };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            await new NodeStore(control).RemoveAsync(parse.GetValue(name)!, ct).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"node '{parse.GetValue(name)}' removed").ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }
}
