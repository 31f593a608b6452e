using System.CommandLine;
using System.Globalization;
using Ibex.Control;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex conflicts [SYNC] [--since …] [--json]</c>: the conflict log.</summary>
public static class ConflictsCommand
{
    public static Command Build(CliContext context)
    {
        var sync = new Argument<string?>("sync") { Arity = ArgumentArity.ZeroOrOne };
        var since = new Option<string?>("--since") { Description = "Only conflicts since this time (ISO timestamp) or this long ago (30s, 10m, 2h, 1d)" };
        var limit = new Option<int>("--limit") { Description = "At most this many (newest)", DefaultValueFactory = _ => 100 };
        var json = CommonOptions.Json();
        var cmd = new Command("conflicts", "Show the multi-master conflict log") { sync, since, limit, json };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            var name = parse.GetValue(sync);
            if (name is not null)
                await new SyncStore(control).GetAsync(name, ct).ConfigureAwait(false);
            var entries = await new ConflictStore(control).ListAsync(name, ParseSince(parse.GetValue(since)), parse.GetValue(limit), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                Json.Write(context.Output, entries);
                return 0;
            }
            TableFormatter.Write(context.Output, ["TIME", "SYNC", "TABLE", "KEY", "KIND", "ON", "LOCAL", "REMOTE", "STRATEGY", "WINNER"],
                entries.Select(e => (IReadOnlyList<string>)[e.At.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), e.Sync, $"{e.Schema}.{e.Table}", e.Key, e.Kind, e.Node,
                    $"{e.LocalOrigin ?? "?"}@{e.LocalCommitTimestamp?.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture) ?? "-"}",
                    $"{e.RemoteOrigin}@{e.RemoteCommitTimestamp?.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture) ?? "-"}",
                    e.Strategy, e.Resolved ? e.Winner : e.Winner + " (unresolved)"]));
            await context.Output.WriteLineAsync($"{entries.Count} conflict(s)").ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }

    internal static DateTime? ParseSince(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (Duration.TryParse(text, out var ago))
            return DateTime.UtcNow - ago;
        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at))
            return at;
        throw new IbexException($"--since '{text}' is neither a time (2026-11-22 10:00) nor a duration (30s, 10m, 2h, 1d)");
    }
}
