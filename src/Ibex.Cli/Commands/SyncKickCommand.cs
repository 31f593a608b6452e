using System.CommandLine;
using System.Globalization;
using Ibex.Control;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex sync kick NAME [--wait]</c>: run a sync now (kick mode drains, fullcopy targets refresh).</summary>
public static class SyncKickCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string>("sync");
        var wait = new Option<bool>("--wait") { Description = "Wait until the run finished; exit non-zero if it failed" };
        var timeout = new Option<double>("--timeout") { Description = "With --wait: give up after this many seconds", DefaultValueFactory = _ => 600 };
        var cmd = new Command("kick", "Run a sync now: a kick-mode sync applies everything committed so far; fullcopy targets are refreshed") { name, wait, timeout };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var sync = await new SyncStore(control).GetAsync(parse.GetValue(name)!, ct).ConfigureAwait(false);
            if (!sync.Enabled)
                throw new IbexException($"sync '{sync.Name}' is paused; resume it first ('ibex sync resume {sync.Name}')");
            var kicks = new KickStore(control);
            var id = await kicks.RequestAsync(sync.Name, ct).ConfigureAwait(false);
            await control.NotifyChangedAsync(ct).ConfigureAwait(false);
            if (!parse.GetValue(wait))
            {
                await context.Output.WriteLineAsync($"sync '{sync.Name}' kicked (run {id}); a running daemon starts it within a second").ConfigureAwait(false);
                return 0;
            }
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(parse.GetValue(timeout));
            while (true)
            {
                var kick = await kicks.GetAsync(id, ct).ConfigureAwait(false);
                if (kick is { Status: "done" })
                {
                    await context.Output.WriteLineAsync($"sync '{sync.Name}' run {id} done: {kick.Message}").ConfigureAwait(false);
                    return 0;
                }
                if (kick is { Status: "failed" })
                {
                    await context.Error.WriteLineAsync($"ibex: sync '{sync.Name}' run {id} failed: {kick.Message}").ConfigureAwait(false);
                    return 1;
                }
                if (DateTime.UtcNow > deadline)
                {
                    var why = kick?.Status == "pending" ? "no daemon has started it (is 'ibex run' running?)" : "it is still running";
                    await context.Error.WriteLineAsync($"ibex: sync '{sync.Name}' run {id} not finished after {parse.GetValue(timeout).ToString(CultureInfo.InvariantCulture)}s: {why}").ConfigureAwait(false);
                    return 1;
                }
                await Task.Delay(200, ct).ConfigureAwait(false);
            }
        });
        return cmd;
    }
}
