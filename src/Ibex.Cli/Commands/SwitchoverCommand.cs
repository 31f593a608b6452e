using System.CommandLine;
using System.Globalization;
using Ibex.Control;
using Ibex.Setup;
using Microsoft.Extensions.Logging;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex switchover SYNC --to NODE [--dry-run]</c>: the target of a one-way sync becomes its source.</summary>
public static class SwitchoverCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("sync");
        var to = new Option<string>("--to") { Description = "The sync's target, which becomes its source (the old source then follows it)", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check everything and say what would be done, changing nothing" };
        var maxLag = new Option<double>("--max-lag") { Description = "Refuse when the target is more than this many seconds behind", DefaultValueFactory = _ => 5 };
        var timeout = new Option<double>("--timeout") { Description = "Put everything back when the target has not caught up this many seconds after writes were refused", DefaultValueFactory = _ => 30 };
        var json = CommonOptions.Json();
        var cmd = new Command("switchover", "Make a one-way sync's target its source (for a major upgrade or a planned move): refuse writes on the source, let the target catch up, copy sequences, reverse the sync")
        {
            name, to, dryRun, maxLag, timeout, json,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var runner = new SwitchoverRunner(control, context.LoggerFactory.CreateLogger<SwitchoverRunner>())
            {
                MaxLag = TimeSpan.FromSeconds(parse.GetValue(maxLag)),
                CatchUpTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
            };
            var r = await runner.RunAsync(parse.GetValue(name)!, parse.GetValue(to)!, parse.GetValue(dryRun), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                Json.Write(context.Output, new
                {
                    r.Sync, r.From, r.To, r.DryRun, r.Steps, r.Slot,
                    WriteRefusedSeconds = r.WritesRefused?.TotalSeconds,
                    CaughtUpSeconds = r.CaughtUpAfter?.TotalSeconds,
                    r.SessionsEnded, r.SequencesMoved, r.Warnings,
                });
                return 0;
            }
            if (r.DryRun)
            {
                await context.Output.WriteLineAsync($"switchover of sync '{r.Sync}' from '{r.From}' to '{r.To}' would (dry run, nothing changed):").ConfigureAwait(false);
                for (var i = 0; i < r.Steps.Count; i++)
                    await context.Output.WriteLineAsync($"  {i + 1}. {r.Steps[i]}").ConfigureAwait(false);
            }
            else
            {
                await context.Output.WriteLineAsync($"sync '{r.Sync}' switched over: '{r.To}' is its source (slot {r.Slot}), '{r.From}' follows it and stays read-only").ConfigureAwait(false);
                await context.Output.WriteLineAsync($"writes refused for {Seconds(r.WritesRefused)} s ('{r.To}' had everything {Seconds(r.CaughtUpAfter)} s after '{r.From}' was fenced); {r.SessionsEnded} session(s) ended on '{r.From}'; {r.SequencesMoved} sequence(s) moved forward").ConfigureAwait(false);
            }
            foreach (var w in r.Warnings)
                await context.Error.WriteLineAsync("warning: " + w).ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }

    static string Seconds(TimeSpan? t) => (t ?? TimeSpan.Zero).TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
}
