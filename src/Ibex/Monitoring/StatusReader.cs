using Ibex.Control;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Monitoring;

/// <summary>Reads what the daemon published about each sync and link.</summary>
public sealed class StatusReader(ControlDatabase control)
{
    /// <summary>A daemon that has not published for this long is considered gone.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(15);

    public async Task<IReadOnlyList<SyncStatus>> ReadAsync(string? only, CancellationToken cancellationToken)
    {
        var syncs = await new SyncStore(control).ListAsync(cancellationToken).ConfigureAwait(false);
        if (only is not null)
        {
            syncs = [.. syncs.Where(s => s.Name == only)];
            if (syncs.Count == 0)
                await new SyncStore(control).GetAsync(only, cancellationToken).ConfigureAwait(false);
        }
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var copies = await ReadCopiesAsync(conn, cancellationToken).ConfigureAwait(false);
        DateTime readAt;
        await using (var clock = new NpgsqlCommand("SELECT now()", conn))
            readAt = (DateTime)(await clock.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        var links = new List<(string Sync, LinkStatus Link)>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT l.sync, l.source, l.target, l.state, l.error, l.error_at, l.position_lsn::text, l.last_commit_ts, l.last_applied_at,
                   l.lag_seconds, l.lag_bytes, l.inserts, l.updates, l.deletes, l.truncates, l.transactions, l.updated_at, now()
            FROM ibex.link l
            ORDER BY l.sync, l.source, l.target
            """, conn))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var updatedAt = Get<DateTime>(r, 16);
                var now = r.GetDateTime(17);
                var copy = CopyProgress.From(copies.GetValueOrDefault((r.GetString(0), r.GetString(1), r.GetString(2))) ?? [], now);
                var state = r.GetString(3);
                // A daemon that stopped publishing leaves a state that is no longer true.
                if (state is not "paused" && (updatedAt is null || now - updatedAt > StaleAfter))
                    state = updatedAt is null ? "not started" : "stale";
                links.Add((r.GetString(0), new LinkStatus(r.GetString(1), r.GetString(2), state, Str(r, 4), Get<DateTime>(r, 5), Str(r, 6),
                    Get<DateTime>(r, 7), Get<DateTime>(r, 8), Get<double>(r, 9), Get<long>(r, 10), r.GetInt64(11), r.GetInt64(12), r.GetInt64(13), r.GetInt64(14), r.GetInt64(15), updatedAt, copy)));
            }
        }
        var events = new List<(string Sync, EventRecord Event)>();
        await using (var cmd = new NpgsqlCommand("SELECT sync, at, node, level, message FROM (SELECT *, row_number() OVER (PARTITION BY sync ORDER BY at DESC) AS rn FROM ibex.event WHERE level IN ('error', 'warning') AND at > now() - interval '1 hour') e WHERE rn <= 5 ORDER BY at DESC", conn))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                events.Add((r.IsDBNull(0) ? "" : r.GetString(0), new EventRecord(r.GetDateTime(1), Str(r, 2), r.GetString(3), r.GetString(4))));

        var conflicts = await new ConflictStore(control).CountsAsync(cancellationToken).ConfigureAwait(false);
        var schemaChecks = await new SchemaCheckStore(control).ReadAsync(cancellationToken).ConfigureAwait(false);
        return [.. syncs.Select(s =>
        {
            // A resumed sync whose daemon has not picked it up yet still shows the 'paused' its daemon wrote.
            var ls = links.Where(l => l.Sync == s.Name).Select(l => s.Enabled && l.Link.State == "paused" ? l.Link with { State = "starting" } : l.Link).ToList();
            return new SyncStatus(s.Name, s.Enabled, Overall(s.Enabled, ls), [.. s.Sources.Select(n => n.Node)], [.. s.Targets.Select(n => n.Node)], s.Tables.Count, ls,
                [.. events.Where(e => e.Sync == s.Name).Select(e => e.Event)])
            {
                Conflicts = conflicts.GetValueOrDefault(s.Name) ?? new Dictionary<string, long>(),
                Copy = CopyProgress.From([.. copies.Where(c => c.Key.Sync == s.Name).SelectMany(c => c.Value)], readAt),
                SchemaChecks = schemaChecks.GetValueOrDefault(s.Name) ?? [],
            };
        })];
    }

    // Every table's copy, per link.
    static async Task<Dictionary<(string Sync, string Source, string Target), List<TableCopyProgress>>> ReadCopiesAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        var copies = new Dictionary<(string, string, string), List<TableCopyProgress>>();
        await using var cmd = new NpgsqlCommand("""
            SELECT sync, source, target, schema_name, table_name, state, rows_copied, CASE WHEN rows_estimated >= 0 THEN rows_estimated END,
                   bytes_copied, bytes_estimated, started_at, finished_at, error
            FROM ibex.table_copy ORDER BY sync, source, target, schema_name, table_name
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var key = (r.GetString(0), r.GetString(1), r.GetString(2));
            if (!copies.TryGetValue(key, out var list))
                copies[key] = list = [];
            list.Add(new TableCopyProgress(r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt64(6), Get<long>(r, 7), r.GetInt64(8), Get<long>(r, 9),
                Get<DateTime>(r, 10), Get<DateTime>(r, 11), Str(r, 12)));
        }
        return copies;
    }

    /// <summary>
    /// After a pause: waits until the daemon running the sync reports every link paused (it has stopped applying).
    /// Returns true at once when no daemon is running it; false when a running daemon has not confirmed in time.
    /// </summary>
    public async Task<bool> WaitPausedAsync(string sync, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = (await ReadAsync(sync, cancellationToken).ConfigureAwait(false)).Single();
            var live = status.Links.Where(l => l.State is not ("stale" or "not started")).ToList();
            if (live.All(l => l.State == "paused"))
                return true;
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    static string Overall(bool enabled, IReadOnlyList<LinkStatus> links)
    {
        if (!enabled)
            return "paused";
        foreach (var s in new[] { "error", "down", "stale", "not started", "copying", "connecting", "starting" })
            if (links.Any(l => l.State == s))
                return s;
        if (links.Count > 0 && links.All(l => l.State is "streaming" or "idle"))
            return links.Any(l => l.State == "streaming") ? "streaming" : "idle";
        return links.FirstOrDefault()?.State ?? "empty";
    }

    static string? Str(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    static T? Get<T>(NpgsqlDataReader r, int i) where T : struct => r.IsDBNull(i) ? null : r.GetFieldValue<T>(i);
}
