using System.CommandLine;
using System.Globalization;
using Ibex.Control;
using Ibex.Monitoring;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex wait SYNC</c>: returns once every target has what the sources committed before the call.</summary>
public static class WaitCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("sync");
        var timeout = new Option<double>("--timeout") { Description = "Give up after this many seconds (exit 1)", DefaultValueFactory = _ => 60 };
        var cmd = new Command("wait", "Wait until every target has applied everything committed on the sources before this call") { name, timeout };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var syncName = parse.GetValue(name)!;
            var seconds = parse.GetValue(timeout);
            var started = DateTime.UtcNow;
            IReadOnlyList<SyncWaiter.Remaining> behind;
            using (var progress = new WaitProgress(context.Output, context.Interactive))
                behind = await new SyncWaiter(control).WaitAsync(syncName, TimeSpan.FromSeconds(seconds), ct, progress.Report).ConfigureAwait(false);
            if (behind.Count == 0)
            {
                await context.Output.WriteLineAsync($"sync '{syncName}' caught up in {(DateTime.UtcNow - started).TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)}s").ConfigureAwait(false);
                return 0;
            }
            var parts = behind.Select(b => b.Error is not null
                ? $"link {b.Source} -> {b.Target} is {b.State}: {b.Error}"
                : $"{b.Target} is {b.LagBytes.ToString(CultureInfo.InvariantCulture)} bytes behind {b.Source} ({b.State}{(b.Error is null ? "" : ": " + b.Error)})");
            await context.Error.WriteLineAsync($"ibex: sync '{syncName}' not caught up after {seconds.ToString(CultureInfo.InvariantCulture)}s: {string.Join("; ", parts)}").ConfigureAwait(false);
            return 1;
        });
        return cmd;
    }
}
