using System.CommandLine;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Setup;
using Microsoft.Extensions.Logging;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex sync add-node</c> and <c>ibex sync remove-node</c>: a node joins or leaves a sync while it runs.</summary>
public static class SyncNodeCommands
{
    public static Command AddNode(CliContext context)
    {
        var name = new Argument<string>("sync");
        var node = new Argument<string>("node") { Description = "The node joining (added first with 'ibex node add')" };
        var source = new Option<bool>("--source") { Description = "Join as a source: it takes writes that reach every other node (multi-master; the default there)" };
        var target = new Option<bool>("--target") { Description = "Join as a target: it receives every source's changes (the default for a one-way sync)" };
        var copyFrom = new Option<string?>("--copy-from") { Description = "The source whose tables are copied into it (default: the sync's first source)" };
        var cmd = new Command("add-node", "Add a node to a running sync: copied from one source, then streamed from every source; nobody stops writing") { name, node, source, target, copyFrom };
        cmd.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(source) && parse.GetValue(target))
                throw new IbexException("give --source or --target, not both");
            NodeRole? role = parse.GetValue(source) ? NodeRole.Source : parse.GetValue(target) ? NodeRole.Target : null;
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var syncName = parse.GetValue(name)!;
            var nodeName = parse.GetValue(node)!;
            var joiner = new NodeJoiner(control, context.LoggerFactory.CreateLogger<NodeJoiner>()) { FixSql = SchemaFix.ForTablesAsync };
            var (chosen, from) = await joiner.AddAsync(syncName, nodeName, role, parse.GetValue(copyFrom), ct).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"sync '{syncName}': node '{nodeName}' added as {chosen.ToString().ToLowerInvariant()}, copied from '{from}'; a running daemon copies it and starts its links ('ibex wait {syncName}' waits for it)").ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }

    public static Command RemoveNode(CliContext context)
    {
        var name = new Argument<string>("sync");
        var node = new Argument<string>("node") { Description = "The node leaving" };
        var cmd = new Command("remove-node", "Detach a node from a running sync: its slot, publication, origins and tombstones go; the others keep streaming") { name, node };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var syncName = parse.GetValue(name)!;
            var nodeName = parse.GetValue(node)!;
            var leftovers = await new NodeDetacher(control, context.LoggerFactory.CreateLogger<NodeDetacher>()).RemoveAsync(syncName, nodeName, ct).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"sync '{syncName}': node '{nodeName}' removed").ConfigureAwait(false);
            if (leftovers.Count == 0)
                return 0;
            await context.Error.WriteLineAsync("ibex: some objects could not be dropped; run these by hand:").ConfigureAwait(false);
            foreach (var l in leftovers)
                await context.Error.WriteLineAsync(l).ConfigureAwait(false);
            return 1;
        });
        return cmd;
    }
}
