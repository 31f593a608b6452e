using System.CommandLine;
using Ibex.Control;
using Ibex.Setup;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex sequences interleave SYNC [--apply]</c>.</summary>
public static class SequencesCommand
{
    public static Command Build(CliContext context)
    {
        var sequences = new Command("sequences", "Manage sequences of synced tables");
        var sync = new Argument<string>("sync");
        var apply = new Option<bool>("--apply") { Description = "Run the statements (default: only print them)" };
        var interleave = new Command("interleave", "Give each multi-master source its own key values (node i of n: i, i+n, …) so generated keys never collide") { sync, apply };
        interleave.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var interleaver = new SequenceInterleaver(control);
            var steps = await interleaver.PlanAsync(parse.GetValue(sync)!, ct).ConfigureAwait(false);
            if (steps.Count == 0)
            {
                await context.Output.WriteLineAsync("no key column of this sync is filled by a sequence; nothing to do").ConfigureAwait(false);
                return 0;
            }
            foreach (var s in steps)
                await context.Output.WriteLineAsync($"-- on node '{s.Node}':\n{s.Sql};").ConfigureAwait(false);
            if (parse.GetValue(apply))
            {
                await interleaver.ApplyAsync(steps, ct).ConfigureAwait(false);
                await context.Output.WriteLineAsync($"applied {steps.Count} statement(s)").ConfigureAwait(false);
            }
            else
                await context.Output.WriteLineAsync("(not applied; add --apply to run these)").ConfigureAwait(false);
            return 0;
        });
        sequences.Subcommands.Add(interleave);

        var syncArg = new Argument<string>("sync");
        var copy = new Command("sync", "Copy the values of sequences owned by a sync's tables from its source to every target now (never backwards)") { syncArg };
        copy.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var record = await new SyncStore(control).GetAsync(parse.GetValue(syncArg)!, ct).ConfigureAwait(false);
            var nodes = (await new NodeStore(control).ListAsync(ct).ConfigureAwait(false)).ToDictionary(n => n.Name);
            var moved = await SequenceSyncer.SyncAsync(record, nodes, ct).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"sync '{record.Name}': {moved} target sequence(s) moved forward").ConfigureAwait(false);
            return 0;
        });
        sequences.Subcommands.Add(copy);
        return sequences;
    }
}
