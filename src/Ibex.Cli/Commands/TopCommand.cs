using System.CommandLine;
using Ibex.Cli.Top;
using Ibex.Control;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex top [SYNC]</c>: a live view of every sync and link, refreshed every second until Ctrl+C.</summary>
public static class TopCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string?>("sync") { Arity = ArgumentArity.ZeroOrOne };
        var once = Once();
        var cmd = new Command("top", "A live view of every sync and link (state, lag, rows/s, copy progress, conflicts per minute, last error), refreshed every second; Ctrl+C quits") { name, once };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            return await TopLoop.RunAsync(context, control, parse.GetValue(name), parse.GetValue(once), ct).ConfigureAwait(false);
        });
        return cmd;
    }

    public static Option<bool> Once() => new("--once") { Description = "Print one screen and exit" };
}
