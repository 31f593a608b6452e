using System.Globalization;
using Ibex.Monitoring;

namespace Ibex.Cli.Top;

/// <summary>What <c>ibex top</c> shows, as text: one row per link (or per sync without links), computed from a status reading and the rates.</summary>
public static class TopView
{
    public static readonly string[] Headers = ["SYNC", "LINK", "STATE", "LAG", "ROWS/S", "COPY", "CONFLICTS/MIN", "LAST ERROR"];

    public static IReadOnlyList<TopRow> Rows(IReadOnlyList<SyncStatus> status, StatusRates rates, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(rates);
        var rows = new List<TopRow>();
        foreach (var s in status)
        {
            var conflicts = rates.ConflictsPerMinute(s.Name) is { } c ? c.ToString("0.#", CultureInfo.InvariantCulture) : "-";
            var syncError = s.RecentErrors.FirstOrDefault(e => e.Level == "error" && (!s.Enabled || now - e.At < TimeSpan.FromMinutes(10)));
            if (s.Links.Count == 0)
                rows.Add(new TopRow(s.Name, "-", s.State, "-", "-", "-", conflicts, syncError is null ? "" : Error(syncError.At, syncError.Message)));
            foreach (var l in s.Links)
            {
                var error = l.Error is not null && l.State is "error" or "down" or "copying" or "connecting"
                    ? Error(l.ErrorAt, l.Error)
                    : syncError is not null && (syncError.Node is null || syncError.Node == l.Source || syncError.Node == l.Target) ? Error(syncError.At, syncError.Message) : "";
                rows.Add(new TopRow(s.Name, $"{l.Source} -> {l.Target}", l.State,
                    l.LagSeconds is { } lag ? Seconds(lag) : "-",
                    rates.RowsPerSecond(s.Name, l.Source, l.Target) is { } r ? r.ToString("0.#", CultureInfo.InvariantCulture) : "-",
                    Copy(l, rates.CopyRemaining(s.Name, l)),
                    conflicts,
                    error));
            }
        }
        return rows;
    }

    public static IReadOnlyList<string> Cells(TopRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return [row.Sync, row.Link, row.State, row.Lag, row.RowsPerSecond, row.Copy, row.ConflictsPerMinute, row.LastError];
    }

    static string Error(DateTime? at, string message)
        => (at is { } t ? t.ToLocalTime().ToString("HH:mm:ss ", CultureInfo.InvariantCulture) : "") + IbexCli.OneLine(message);

    static string Seconds(double s) => s < 1 ? $"{(s * 1000).ToString("0", CultureInfo.InvariantCulture)}ms" : $"{s.ToString("0.0", CultureInfo.InvariantCulture)}s";

    static string Copy(LinkStatus l, TimeSpan? remaining)
    {
        if (l.Copy is not { } c)
            return "-";
        if (c.Done)
            return "done";
        var pct = c.Percent is { } p ? p.ToString("0", CultureInfo.InvariantCulture) + "%" : "?%";
        var eta = remaining is { } r ? ", ETA " + (r.TotalHours >= 1 ? r.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : r.ToString(@"m\:ss", CultureInfo.InvariantCulture)) : "";
        return $"{c.TablesDone}/{c.TablesTotal} tables, {pct}{eta}";
    }
}
