using System.Data;
using System.Diagnostics;
using Ibex.Catalog;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Monitoring;
using Ibex.Sql;
using Npgsql;

namespace Ibex.Compare;

/// <summary>
/// <c>ibex compare</c>: compares every chosen table between a reference node and each other node, inside one
/// REPEATABLE READ snapshot per node and table, then looks at the differing rows again — after waiting for the sync
/// to catch up when its daemon is streaming — and reports rows that then match as in flight.
/// </summary>
public sealed class CompareRunner(ControlDatabase control, CompareOptions options)
{
    /// <summary>Exit code for a command line that cannot work (like the CLI's usage errors).</summary>
    public const int UsageExitCode = 2;

    /// <summary>A sync whose links have published no status for this long has no daemon running it.</summary>
    static readonly TimeSpan DaemonSilentAfter = TimeSpan.FromSeconds(5);

    public async Task<CompareResult> RunAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var stats = new CompareStats();
        var notes = new List<string>();
        var (sync, reference, others, tables) = await PlanAsync(cancellationToken).ConfigureAwait(false);
        var nodes = new NodeStore(control);
        var connections = new Dictionary<string, NpgsqlConnection>();
        try
        {
            foreach (var name in others.Prepend(reference))
            {
                var conn = await NodeConnections.OpenAsync(await nodes.GetAsync(name, cancellationToken).ConfigureAwait(false), "compare", cancellationToken).ConfigureAwait(false);
                connections[name] = conn;
                await CatalogReader.PrepareSessionAsync(conn, cancellationToken).ConfigureAwait(false);
            }
            var fastHash = await SameTextHashAsync(connections.Values, cancellationToken).ConfigureAwait(false);
            if (!fastHash)
                notes.Add("the nodes hash text differently (different byte order?): rows were compared by md5, which is slower");
            tables ??= [.. (await CatalogReader.ResolveAsync(connections[reference], options.Tables, $"node '{reference}'", cancellationToken).ConfigureAwait(false)).Select(t => t.Name)];
            var infos = new Dictionary<string, IReadOnlyDictionary<QualifiedName, TableInfo>>();
            foreach (var (name, conn) in connections)
                infos[name] = await CatalogReader.ReadTablesAsync(conn, tables, cancellationToken).ConfigureAwait(false);

            var work = new List<(TableComparison Result, TableCompare? Compare)>();
            // Progress: rows expected from the reference's statistics, per pair; what is compared replaces the estimate.
            var estimated = tables.Sum(t => Math.Max(0, infos[reference].GetValueOrDefault(t)?.EstimatedRows ?? 0)) * others.Count;
            long compared = 0;
            var pairs = tables.Count * others.Count;
            foreach (var table in tables)
            {
                foreach (var other in others)
                {
                    var result = new TableComparison(table, reference, other);
                    var compare = Prepare(result, infos[reference].GetValueOrDefault(table), infos[other].GetValueOrDefault(table), connections, stats, fastHash);
                    options.OnProgress?.Invoke(new CompareProgress(table, reference, other, work.Count + 1, pairs, compared, Math.Max(estimated, compared), clock.Elapsed, false));
                    if (compare is not null)
                    {
                        options.Progress?.Invoke($"comparing {table.Display}: {reference} -> {other}");
                        result.Differences = await InSnapshotsAsync(connections[reference], connections[other], () => compare.FindAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
                        result.SourceRows = compare.SourceRows;
                        result.TargetRows = compare.TargetRows;
                        var rows = Math.Max(compare.SourceRows, compare.TargetRows);
                        estimated += rows - Math.Max(0, infos[reference].GetValueOrDefault(table)?.EstimatedRows ?? 0);
                        compared += rows;
                    }
                    work.Add((result, compare));
                    options.OnProgress?.Invoke(new CompareProgress(table, reference, other, work.Count, pairs, compared, Math.Max(estimated, compared), clock.Elapsed, true));
                }
            }

            var differing = work.Where(w => w.Compare is not null && w.Result.Differences.Count > 0).ToList();
            if (differing.Count > 0)
            {
                if (sync is not null)
                    await WaitForSyncAsync(sync, differing.Sum(d => d.Result.Differences.Count), notes, cancellationToken).ConfigureAwait(false);
                foreach (var (result, compare) in differing)
                {
                    options.Progress?.Invoke($"looking again at {result.Differences.Count} differing row(s) of {result.Table.Display}: {result.Source} -> {result.Target}");
                    var (still, settled) = await compare!.RecheckAsync(result.Differences, options.AllValues ? int.MaxValue : options.DetailLimit, cancellationToken).ConfigureAwait(false);
                    result.Differences = [.. still.OrderBy(d => d.Kind).ThenBy(d => d.Key, Comparer<RowKey>.Create(KeyOrder.Compare))];
                    result.InFlight = settled;
                }
            }
            return new CompareResult(sync?.Name, reference, others, [.. work.Select(w => w.Result)], notes, clock.Elapsed, stats.BytesRead, stats.Queries);
        }
        finally
        {
            foreach (var conn in connections.Values)
                await conn.DisposeAsync().ConfigureAwait(false);
        }
    }

    async Task<(SyncRecord? Sync, string Reference, List<string> Others, List<QualifiedName>? Tables)> PlanAsync(CancellationToken cancellationToken)
    {
        if (options.Sync is { } name)
        {
            if (options.Nodes.Count > 0)
                throw Usage($"give either a sync or --nodes, not both; 'ibex compare {name}' compares the sync's own nodes");
            var sync = await new SyncStore(control).GetAsync(name, cancellationToken).ConfigureAwait(false);
            var reference = sync.Sources.FirstOrDefault()?.Node ?? throw new IbexException($"sync '{name}' has no source node; re-create it with 'ibex sync add'");
            var others = sync.Nodes.Select(n => n.Node).Where(n => n != reference).Distinct().ToList();
            var tables = sync.Tables.Select(t => t.Name).Where(t => options.Tables.Count == 0 || options.Tables.Any(p => p.Matches(t.Schema, t.Name))).ToList();
            if (tables.Count == 0)
                throw new IbexException($"no table of sync '{name}' matches {string.Join(", ", options.Tables.Select(p => $"'{p.Text}'"))}; 'ibex sync show {name}' lists its tables");
            if (others.Count == 0)
                throw new IbexException($"sync '{name}' has only one node ('{reference}'); there is nothing to compare it with");
            return (sync, reference, others, tables);
        }
        if (options.Nodes.Count < 2)
            throw Usage("give a sync to compare (ibex compare SYNC), or two or more nodes with --nodes A,B and --tables PATTERN");
        if (options.Nodes.Distinct().Count() != options.Nodes.Count)
            throw Usage($"--nodes names a node twice ({string.Join(",", options.Nodes)}); list each node once");
        if (options.Tables.Count == 0)
            throw Usage("--nodes needs --tables PATTERN… to say which tables to compare (e.g. --tables 'public.*')");
        return (null, options.Nodes[0], [.. options.Nodes.Skip(1)], null);
    }

    TableCompare? Prepare(TableComparison result, TableInfo? source, TableInfo? target, Dictionary<string, NpgsqlConnection> connections, CompareStats stats, bool fastHash)
    {
        if (source is null)
        {
            result.Error = $"table {result.Table.Display} does not exist on node '{result.Source}'";
            return null;
        }
        if (target is null)
        {
            result.Error = $"table {result.Table.Display} does not exist on node '{result.Target}'; create it there ('ibex schema diff' prints the SQL)";
            return null;
        }
        var targetColumns = target.Columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var sourceColumns = source.Columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var columns = source.Columns.Where(c => targetColumns.Contains(c.Name)).ToList();
        var notes = new List<string>();
        var onlySource = source.Columns.Where(c => !targetColumns.Contains(c.Name)).Select(c => c.Name).ToList();
        var onlyTarget = target.Columns.Where(c => !sourceColumns.Contains(c.Name)).Select(c => c.Name).ToList();
        if (onlySource.Count > 0)
            notes.Add($"column(s) {string.Join(", ", onlySource.Select(Ident.Quote))} exist only on '{result.Source}' and were not compared");
        if (onlyTarget.Count > 0)
            notes.Add($"column(s) {string.Join(", ", onlyTarget.Select(Ident.Quote))} exist only on '{result.Target}' and were not compared");
        var key = source.KeyColumns;
        if (columns.Count == 0)
        {
            result.Error = $"table {result.Table.Display} has no column in common between '{result.Source}' and '{result.Target}'";
            return null;
        }
        if (key.Any(k => !targetColumns.Contains(k)))
        {
            result.Error = $"table {result.Table.Display} on '{result.Target}' lacks key column(s) {string.Join(", ", key.Where(k => !targetColumns.Contains(k)).Select(Ident.Quote))}; align the schemas first ('ibex schema diff')";
            return null;
        }
        if (key.Count == 0)
            notes.Add("no primary key or unique index on NOT NULL columns: compared by whole rows (a changed row shows as one missing and one extra row)");
        result.KeyColumns = key;
        result.Columns = [.. columns.Select(c => c.Name)];
        result.GeneratedColumns = [.. columns.Where(c => c.Generated).Select(c => c.Name)];
        result.Notes = notes;
        var sql = new TableSql(result.Table, result.Columns, key, fastHash);
        var s = new TableSide(result.Source, connections[result.Source], sql, stats);
        var t = new TableSide(result.Target, connections[result.Target], sql, stats);
        return key.Count > 0 ? new KeyedTableCompare(s, t, Math.Max(2, options.Fanout), Math.Max(options.Fanout, options.LeafRows)) : new KeylessTableCompare(s, t);
    }

    async Task WaitForSyncAsync(SyncRecord sync, int rows, List<string> notes, CancellationToken cancellationToken)
    {
        var status = (await new StatusReader(control).ReadAsync(sync.Name, cancellationToken).ConfigureAwait(false)).Single();
        if (!status.Enabled)
        {
            notes.Add($"sync '{sync.Name}' is paused: differing rows were looked at again without waiting, so some may be changes not applied yet");
            return;
        }
        var notStreaming = status.Links.Where(l => l.State != "streaming").ToList();
        if (notStreaming.Count > 0)
        {
            notes.Add($"sync '{sync.Name}' is not streaming ({string.Join(", ", notStreaming.Select(l => $"{l.Source} -> {l.Target} {l.State}"))}): differing rows were looked at again without waiting");
            return;
        }
        // A daemon publishes status several times a second; one that has been silent for a few seconds is gone, and
        // waiting for it would only time out.
        var silent = await SilentSecondsAsync(sync.Name, cancellationToken).ConfigureAwait(false);
        if (silent > DaemonSilentAfter.TotalSeconds)
        {
            notes.Add($"sync '{sync.Name}' is not streaming (no status from a daemon for {silent.ToString("0", System.Globalization.CultureInfo.InvariantCulture)}s; is 'ibex run' running?): differing rows were looked at again without waiting");
            return;
        }
        var seconds = options.WaitTimeout.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
        options.Progress?.Invoke($"waiting up to {seconds}s for sync '{sync.Name}' to catch up before looking again at {rows} differing row(s)");
        // Wait, but give up as soon as the daemon stops publishing (stopped meanwhile): it would never catch up.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var waiting = new SyncWaiter(control).WaitAsync(sync.Name, options.WaitTimeout, stop.Token);
        while (!waiting.IsCompleted)
        {
            await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken)).ConfigureAwait(false);
            if (waiting.IsCompleted)
                break;
            silent = await SilentSecondsAsync(sync.Name, cancellationToken).ConfigureAwait(false);
            if (silent > DaemonSilentAfter.TotalSeconds)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                notes.Add($"sync '{sync.Name}' is not streaming (its daemon stopped publishing status {silent.ToString("0", System.Globalization.CultureInfo.InvariantCulture)}s ago): differing rows were looked at again without waiting for it");
                try
                {
                    await waiting.ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
                return;
            }
        }
        var behind = await waiting.ConfigureAwait(false);
        if (behind.Count > 0)
            notes.Add($"sync '{sync.Name}' did not catch up within {seconds}s ({string.Join(", ", behind.Select(b => $"{b.Target} {b.LagBytes} bytes behind {b.Source}"))}); some differences may still be in flight");
    }

    async Task<double> SilentSecondsAsync(string sync, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT coalesce(extract(epoch FROM now() - min(updated_at)), 1e9)::float8 FROM ibex.link WHERE sync = $1", conn);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = sync });
        return (double)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    // hashtextextended is much faster than md5, but its value depends on the server's byte order: use it only when
    // every node gives the same hash for the same text.
    static async Task<bool> SameTextHashAsync(IEnumerable<NpgsqlConnection> connections, CancellationToken cancellationToken)
    {
        var hashes = new HashSet<long>();
        foreach (var conn in connections)
        {
            await using var cmd = new NpgsqlCommand("SELECT hashtextextended($1, 0)", conn);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "ibex compare: byte order probe \u00fc\u00df\u20ac" });
            hashes.Add((long)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
        }
        return hashes.Count == 1;
    }

    static async Task<T> InSnapshotsAsync<T>(NpgsqlConnection a, NpgsqlConnection b, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        await using var ta = await a.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        await using var tb = await b.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var result = await work().ConfigureAwait(false);
        await ta.CommitAsync(cancellationToken).ConfigureAwait(false);
        await tb.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    static IbexException Usage(string message) => new(message) { ExitCode = UsageExitCode };
}
