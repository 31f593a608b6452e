using System.Globalization;
using Ibex.Control;
using Npgsql;

namespace Ibex.Monitoring.Checks;

/// <summary>
/// <c>ibex check</c>, a Nagios/Icinga plugin: every active sync streaming (error, down, stale → CRITICAL), lag, WAL
/// retained by each slot, inactive or missing slots, errors in the last minutes (WARNING), schema drift found after
/// replicated DDL (WARNING) and conflicts in the last hour. A paused sync is OK with a note — pausing is an operator's decision — but the WAL its slot retains is still
/// checked, so a sync forgotten in pause raises the retained-WAL alarm. Failures to read the control database are left
/// to the caller (UNKNOWN).
/// </summary>
public sealed class HealthCheck(ControlDatabase control, CheckThresholds thresholds)
{
    /// <summary>How long to try connecting to a source node for its slot.</summary>
    public TimeSpan NodeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public async Task<CheckResult> RunAsync(string? only, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        await control.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var statuses = await new StatusReader(control).ReadAsync(only, cancellationToken).ConfigureAwait(false);
        if (statuses.Count == 0)
            return CheckResult.Unknown("no syncs to check; create one with 'ibex sync add'");
        var syncs = (await new SyncStore(control).ListAsync(cancellationToken).ConfigureAwait(false)).Where(s => statuses.Any(x => x.Name == s.Name)).ToList();
        var nodes = await new Control.NodeStore(control).ListAsync(cancellationToken).ConfigureAwait(false);
        var slots = await SlotUsageReader.ReadAsync(syncs, nodes, NodeTimeout, cancellationToken).ConfigureAwait(false);
        var (errors, lastError) = await RecentErrorsAsync(only, cancellationToken).ConfigureAwait(false);
        var conflicts = await ConflictsAsync(only, cancellationToken).ConfigureAwait(false);

        var findings = new List<(CheckState State, string Text)>();
        var notes = new List<string>();
        var stale = new List<string>();
        var now = DateTime.UtcNow;
        foreach (var s in statuses)
        {
            if (!s.Enabled)
            {
                notes.Add($"sync {s.Name} paused");
                continue;
            }
            if (s.Links.Count == 0)
                findings.Add((CheckState.Warning, $"sync {s.Name} has no links"));
            foreach (var l in s.Links)
            {
                var link = $"{s.Name} {l.Source}->{l.Target}";
                var silent = l.UpdatedAt is null || now - DateTime.SpecifyKind(l.UpdatedAt.Value, DateTimeKind.Utc) > StatusReader.StaleAfter;
                if (l.State is "stale" or "not started" || (l.State == "paused" && silent))
                    stale.Add(s.Name);
                else if (l.State is "error" or "down")
                    findings.Add((CheckState.Critical, $"{link} {l.State}" + (l.Error is null ? "" : $": {l.Error}")));
                else if (l.State == "copying")
                    notes.Add($"{link} copying" + (l.Copy?.Percent is { } p ? $" {p.ToString("0", CultureInfo.InvariantCulture)}%" : ""));
                else if (l.State != "streaming")
                    findings.Add((CheckState.Warning, $"{link} {l.State}, not streaming yet"));
            }
            foreach (var c in s.SchemaChecks.Where(c => c.Drift is not null))
                findings.Add((CheckState.Warning, $"{s.Name} schema of {c.Node} differs from {c.Reference} after DDL: {c.Drift!.ReplaceLineEndings(" ")}"));
            var lag = s.Links.Where(l => l.LagSeconds is not null).Select(l => (l, Lag: l.LagSeconds!.Value)).OrderByDescending(x => x.Lag).FirstOrDefault();
            if (lag.l is not null && thresholds.LagSeconds.Evaluate(lag.Lag) is var ls and not CheckState.Ok)
                findings.Add((ls, $"{s.Name} {lag.l.Source}->{lag.l.Target} lag {Seconds(lag.Lag)}"));
        }
        if (stale.Count > 0)
            findings.Add((CheckState.Critical, $"daemon not running (no status from ibex run for over {StatusReader.StaleAfter.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s; sync {string.Join(", ", stale.Distinct())})"));
        foreach (var slot in slots)
        {
            var enabled = statuses.First(x => x.Name == slot.Sync).Enabled;
            if (slot.Error is not null)
                findings.Add((CheckState.Critical, slot.Error));
            else if (slot.WalStatus == "lost")
                findings.Add((CheckState.Critical, $"slot {slot.Slot} on {slot.Source} lost WAL it needed; the sync must be re-created"));
            else
            {
                if (slot.RetainedBytes is { } r && thresholds.RetainedBytes.Evaluate(r) is var rs and not CheckState.Ok)
                    findings.Add((rs, $"slot {slot.Slot} on {slot.Source} retains {Size(r)} of WAL"));
                if (enabled && !slot.Active && !stale.Contains(slot.Sync))
                    findings.Add((CheckState.Warning, $"slot {slot.Slot} on {slot.Source} inactive"));
            }
        }
        if (errors > 0)
            findings.Add((CheckState.Warning, $"{errors} error(s) in the last {thresholds.RecentErrors.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min, latest: {lastError}"));
        var totalConflicts = conflicts.Values.Sum();
        if (thresholds.Conflicts.Evaluate(totalConflicts) is var cs and not CheckState.Ok)
            findings.Add((cs, $"{totalConflicts} conflict(s) in the last hour"));

        var state = findings.Count == 0 ? CheckState.Ok : findings.Max(f => f.State);
        var maxLag = statuses.Where(s => s.Enabled).SelectMany(s => s.Links).Select(l => l.LagSeconds ?? 0).DefaultIfEmpty(0).Max();
        var maxRetained = slots.Select(s => s.RetainedBytes ?? 0).DefaultIfEmpty(0).Max();
        var active = statuses.Count(s => s.Enabled);
        var summary = findings.Count > 0
            ? string.Join("; ", findings.OrderByDescending(f => f.State).Select(f => f.Text))
            : $"{active} sync(s) streaming, max lag {Seconds(maxLag)}, max retained {Size(maxRetained)}";
        if (notes.Count > 0)
            summary += "; " + string.Join("; ", notes);

        var perf = new List<PerfDatum>
        {
            new("lag_s", maxLag, "s", thresholds.LagSeconds.Warning, thresholds.LagSeconds.Critical),
            new("retained_bytes", maxRetained, "B", thresholds.RetainedBytes.Warning, thresholds.RetainedBytes.Critical),
            new("conflicts", totalConflicts, "c", thresholds.Conflicts.Warning, thresholds.Conflicts.Critical),
        };
        foreach (var s in statuses)
        {
            perf.Add(new($"{s.Name}_lag_s", s.Links.Select(l => l.LagSeconds ?? 0).DefaultIfEmpty(0).Max(), "s", thresholds.LagSeconds.Warning, thresholds.LagSeconds.Critical));
            perf.Add(new($"{s.Name}_retained_bytes", slots.Where(x => x.Sync == s.Name).Select(x => x.RetainedBytes ?? 0).DefaultIfEmpty(0).Max(), "B", thresholds.RetainedBytes.Warning, thresholds.RetainedBytes.Critical));
            perf.Add(new($"{s.Name}_conflicts", conflicts.GetValueOrDefault(s.Name), "c", thresholds.Conflicts.Warning, thresholds.Conflicts.Critical));
        }
        return new CheckResult(state, summary, perf);
    }

    async Task<(long Count, string? Latest)> RecentErrorsAsync(string? only, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("""
            SELECT count(*), (array_agg(coalesce(sync || ': ', '') || message ORDER BY at DESC))[1]
            FROM ibex.event WHERE level = 'error' AND at > now() - $1 AND ($2::text IS NULL OR sync = $2)
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = thresholds.RecentErrors });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)only ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await r.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1));
    }

    async Task<Dictionary<string, long>> ConflictsAsync(string? only, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT sync, count(*) FROM ibex.conflict WHERE at > now() - interval '1 hour' AND ($1::text IS NULL OR sync = $1) GROUP BY sync", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)only ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            result[r.GetString(0)] = r.GetInt64(1);
        return result;
    }

    static string Seconds(double s) => s.ToString("0.0", CultureInfo.InvariantCulture) + "s";

    /// <summary>Bytes as an operator reads them.</summary>
    public static string Size(double bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GB",
        >= 1 << 20 => (bytes / (1 << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        >= 1 << 10 => (bytes / (1 << 10)).ToString("0.0", CultureInfo.InvariantCulture) + " kB",
        _ => bytes.ToString("0", CultureInfo.InvariantCulture) + " B",
    };
}
