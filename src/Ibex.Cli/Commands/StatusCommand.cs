using System.CommandLine;
using System.Globalization;
using Ibex.Control;
using Ibex.Monitoring;

namespace Ibex.Cli.Commands;

/// <summary><c>ibex status [SYNC]</c>: per sync and link, state, lag, rows applied, copy progress.</summary>
public static class StatusCommand
{
    public static Command Build(CliContext context)
    {
        var name = new Argument<string?>("sync") { Arity = ArgumentArity.ZeroOrOne };
        var json = CommonOptions.Json();
        var watch = new Option<bool>("--watch") { Description = "Refresh every second until Ctrl+C, as ibex top does" };
        var cmd = new Command("status", "Show the state of syncs: per link, state, lag, rows applied, copy progress") { name, json, watch };
        cmd.SetAction(async (parse, ct) =>
        {
            await using var control = ControlDatabase.Open(CommonOptions.RequireControl(parse, context));
            await control.EnsureReadyAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(watch))
            {
                if (parse.GetValue(json))
                    throw new IbexException("--watch and --json cannot be combined; use --json alone for one reading a program can parse");
                return await Top.TopLoop.RunAsync(context, control, parse.GetValue(name), once: false, ct).ConfigureAwait(false);
            }
            var status = await new StatusReader(control).ReadAsync(parse.GetValue(name), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                Json.Write(context.Output, status);
                return 0;
            }
            Print(context.Output, status);
            return 0;
        });
        return cmd;
    }

    public static void Print(TextWriter output, IReadOnlyList<SyncStatus> status)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(status);
        if (status.Count == 0)
        {
            output.WriteLine("no syncs; create one with 'ibex sync add'");
            return;
        }
        foreach (var s in status)
        {
            output.WriteLine($"sync {s.Name}: {s.State} ({s.Tables} table(s), sources {string.Join(", ", s.Sources)}{(s.Targets.Count > 0 ? ", targets " + string.Join(", ", s.Targets) : "")})");
            TableFormatter.Write(output, ["LINK", "STATE", "LAG", "LAG BYTES", "LAST COMMIT", "ROWS", "TXNS", "COPY"],
                s.Links.Select(l => (IReadOnlyList<string>)[
                    $"{l.Source} -> {l.Target}", l.State,
                    l.LagSeconds is { } lag ? Seconds(lag) : "-",
                    l.LagBytes?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    l.LastCommitTimestamp?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-",
                    l.RowsApplied.ToString(CultureInfo.InvariantCulture),
                    l.Transactions.ToString(CultureInfo.InvariantCulture),
                    Copy(l.Copy)]));
            foreach (var l in s.Links.Where(l => l.Copy is { Done: false }))
                CopyLines(output, l);
            foreach (var l in s.Links.Where(l => l.Error is not null && l.State is "error" or "down" or "copying"))
                output.WriteLine($"  {l.Source} -> {l.Target}: {l.Error}");
            foreach (var c in s.SchemaChecks.Where(c => c.Drift is not null))
                output.WriteLine($"  schema drift on {c.Node} (checked {c.CheckedAt.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} after DDL, against {c.Reference}): {c.Drift!.ReplaceLineEndings(" ")}");
            if (s.ConflictsTotal > 0)
                output.WriteLine($"  conflicts: {s.ConflictsTotal} ({string.Join(", ", s.Conflicts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"))}); see 'ibex conflicts {s.Name}'");
            foreach (var e in s.RecentErrors.Where(e => !s.Enabled || DateTime.UtcNow - e.At < TimeSpan.FromMinutes(10)).DistinctBy(e => e.Message).Take(3))
                output.WriteLine($"  {e.Level} at {e.At.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}{(e.Node is null ? "" : " on " + e.Node)}: {e.Message}");
            output.WriteLine();
        }
    }

    static string Seconds(double s) => s < 1 ? $"{(s * 1000).ToString("0", CultureInfo.InvariantCulture)}ms" : $"{s.ToString("0.0", CultureInfo.InvariantCulture)}s";

    static string Copy(CopyProgress? c)
    {
        if (c is null)
            return "-";
        if (c.Done)
            return $"done ({c.TablesTotal})";
        var pct = c.Percent is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) + "%" : "?%";
        var eta = c.EtaSeconds is { } e ? ", ETA " + CopyEstimate.Format(TimeSpan.FromSeconds(e)) : "";
        return $"{c.TablesDone}/{c.TablesTotal} tables, {pct}{eta}";
    }

    // An unfinished copy: its total, then each table being copied (done and pending ones counted, not listed).
    static void CopyLines(TextWriter output, LinkStatus l)
    {
        var c = l.Copy!;
        output.WriteLine($"  copy {l.Source} -> {l.Target}: {Line(c.RowsCopied, c.RowsExpected, c.BytesCopied, c.Percent, c.RowsPerSecond, c.EtaSeconds)}; "
            + $"{c.TablesDone} table(s) done, {c.Tables.Count(t => t.State == "copying")} copying, {c.Tables.Count(t => t.State == "pending")} pending");
        foreach (var t in c.Tables.Where(t => t.State == "copying"))
            output.WriteLine($"    {new Sql.QualifiedName(t.Schema, t.Table).Display}: {Line(t.RowsCopied, t.RowsExpected, t.BytesCopied, t.Percent, t.RowsPerSecond, t.EtaSeconds)}");
    }

    static string Line(long rows, long? expected, long bytes, double? percent, double? rate, double? eta)
        => CopyEstimate.Text(rows, expected, bytes, percent, rate, eta is { } e ? TimeSpan.FromSeconds(e) : null);
}
