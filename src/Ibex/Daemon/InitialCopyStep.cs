using Ibex.Apply;
using Ibex.Catalog;
using Ibex.Conflicts;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Copy;
using Ibex.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Daemon;

/// <summary>
/// The first step of a pipeline run: copies the source's pending tables to its targets (<see cref="InitialCopier"/>)
/// and hands the appliers the copy points — per target and table, the LSN of the copy's snapshot, so a change already
/// in the copy is never applied again. Multi-master: while the copy runs, the source's own deletes keep being recorded
/// as tombstones (<see cref="DeleteRecording"/>), so other nodes' changes into this node are decided without waiting
/// for the copy to end.
/// </summary>
public sealed class InitialCopyStep(SyncRecord sync, string source, IReadOnlyDictionary<string, NodeRecord> nodes, ControlDatabase control,
    IReadOnlyList<LinkRuntime> links, MultiMasterCoordinator? mm, ILoggerFactory loggers)
{
    /// <summary>Multi-master: starts recording this source's deletes for the duration of the copy (null: no recording).</summary>
    public Func<CancellationToken, Task<DeleteRecording>>? RecordDeletes { get; init; }

    /// <summary>Publishes link states (the copying links show <c>copying</c>).</summary>
    public required Func<CancellationToken, Task> Publish { get; init; }

    /// <summary>Streams at once and the size of a large table's ranges.</summary>
    public CopyOptions Copy { get; init; } = new();

    /// <summary>
    /// After <see cref="RunAsync"/>: the tables whose copy was resumed, so that their ranges were copied at different
    /// snapshots; their changes are skipped per range, not per table.
    /// </summary>
    public IReadOnlyDictionary<(string Target, QualifiedName Table), RangeSkip> RangeSkips { get; private set; } = new Dictionary<(string, QualifiedName), RangeSkip>();

    /// <summary>Copies what is pending, then returns every copy point of this source.</summary>
    public async Task<IReadOnlyDictionary<(string Target, QualifiedName Table), NpgsqlLogSequenceNumber>> RunAsync(CancellationToken cancellationToken)
    {
        var store = new CopyStore(control);
        // Indexes an interrupted copy left dropped are built before anything else (see DeferredIndexes).
        if (mm is null)
            await Indexes().RestoreAsync(cancellationToken).ConfigureAwait(false);
        var items = await store.ListAsync(sync.Name, source, cancellationToken).ConfigureAwait(false);
        var pending = items.Where(i => i.State is "pending" or "copying").ToList();
        var ranges = new CopyRangeStore(control, sync.Name, source);
        if (pending.Count > 0)
        {
            // Ranges of a copy not begun are stale (the table was queued again); those of one under way are resumed.
            foreach (var p in pending.Where(p => p.State == "pending"))
                await ranges.ClearAsync(p.Target, p.Table, cancellationToken).ConfigureAwait(false);
            var recording = RecordDeletes is null ? null : await RecordDeletes(cancellationToken).ConfigureAwait(false);
            try
            {
                await CopyAsync(store, ranges, pending, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (recording is not null)
                    await recording.DisposeAsync().ConfigureAwait(false);
            }
            items = await store.ListAsync(sync.Name, source, cancellationToken).ConfigureAwait(false);
        }
        var done = items.Where(i => i.State == "done" && i.CopyLsn is not null).ToDictionary(i => (i.Target, i.Table), i => i.CopyLsn!.Value);
        RangeSkips = ResumedTables(await ranges.ListAsync(cancellationToken).ConfigureAwait(false), done);
        return done;
    }

    // A done table whose ranges carry different snapshot LSNs (its copy was resumed) is skipped by range.
    static Dictionary<(string Target, QualifiedName Table), RangeSkip> ResumedTables(IReadOnlyList<CopyRangeStore.Row> rows, Dictionary<(string Target, QualifiedName Table), NpgsqlLogSequenceNumber> done)
        => rows.Where(r => done.ContainsKey((r.Target, r.Table)) && r.Kind != RangeKind.Block && r.KeyColumn is not null && r.CopyLsn is not null)
            .GroupBy(r => (r.Target, r.Table))
            .Where(g => g.Select(r => r.CopyLsn).Distinct().Count() > 1)
            .ToDictionary(g => g.Key, g => new RangeSkip(g.First().Kind, g.First().KeyColumn!, [.. g.OrderBy(r => r.Range.Number).Select(r => (r.Range, r.CopyLsn!.Value))]));

    async Task CopyAsync(CopyStore store, CopyRangeStore ranges, List<CopyStore.Item> pending, CancellationToken cancellationToken)
    {
        foreach (var l in links.Where(l => pending.Any(p => p.Target == l.Link.Target)))
            l.SetState("copying");
        await Publish(cancellationToken).ConfigureAwait(false);
        IReadOnlyDictionary<QualifiedName, TableInfo> tables;
        await using (var conn = await NodeDataSources.OpenAsync(nodes[source], cancellationToken).ConfigureAwait(false))
        {
            await CatalogReader.PrepareSessionAsync(conn, cancellationToken).ConfigureAwait(false);
            tables = await CatalogReader.ReadTablesAsync(conn, pending.Select(p => p.Table).Distinct(), cancellationToken).ConfigureAwait(false);
        }
        var tasks = new List<CopyTask>();
        foreach (var group in pending.GroupBy(p => p.Table))
        {
            if (!tables.TryGetValue(group.Key, out var info) && sync.Ddl == DdlMode.Replicate)
            {
                // Dropped or renamed since the sync was made: the stream carries that DDL, and the sync follows it (a
                // renamed table's copy waits, under its new name, for the pipeline's next start).
                loggers.CreateLogger("Ibex.Copy").LogWarning("sync {Sync}: table {Table} is not on '{Source}' to be copied; its DDL in the stream decides what becomes of it", sync.Name, group.Key.Display, source);
                continue;
            }
            if (info is null)
                throw new IbexException($"source '{source}': table {group.Key.Display} no longer exists; re-create it or remove it from sync '{sync.Name}'");
            var table = sync.Tables.FirstOrDefault(t => t.Name == group.Key);
            var options = table?.Options ?? new TableOptions();
            // 'always' empties a one-way target in the copy's transaction. A multi-master node keeps what was written
            // on it since the sync was made (its writers never pause): the copy is merged with it by the strategy.
            var always = sync.CopyMode == CopyMode.Always;
            tasks.Add(new CopyTask(info, [.. group.Select(p => new CopyDestination(p.Target,
                sync.Sources.Any(n => n.Node == p.Target) || table is null ? p.Table : table.TargetName,
                always && mm is null) { ReplaceRowsOlderThan = always && mm is not null ? sync.CreatedAt : null })])
            {
                Columns = options.Columns,
                Where = options.Where,
            });
        }
        var progressLog = new CopyProgressLog(loggers.CreateLogger("Ibex.Copy"));
        long copyBytes = 0;
        foreach (var t in tasks)
        {
            var (rows, bytes) = await EstimateAsync(t.Table.Name, cancellationToken).ConfigureAwait(false);
            copyBytes += bytes;
            foreach (var d in t.Targets)
            {
                await store.MarkCopyingAsync(sync.Name, source, d.Node, t.Table.Name, rows, bytes, cancellationToken).ConfigureAwait(false);
                progressLog.Started(t.Table.Name, d.Node, rows, bytes);
            }
        }
        var sourceSettings = await ReplicationHost.ResolveAsync(NodeConnections.Settings(nodes[source]), $"node '{source}'", cancellationToken).ConfigureAwait(false);
        var copier = new InitialCopier(sourceSettings, source, nodes.ToDictionary(n => n.Key, n => NodeConnections.Settings(n.Value)), loggers.CreateLogger("Ibex.Copy"))
        {
            SlotName = ObjectNames.CopySlot(sync.Name, source),
            Progress = (t, d, count) =>
            {
                progressLog.Report(t.Table.Name, d.Node, count);
                return store.ProgressAsync(sync.Name, source, d.Node, t.Table.Name, count, cancellationToken);
            },
            Done = (t, d, lsn, count) => store.MarkDoneAsync(sync.Name, source, d.Node, t.Table.Name, lsn, count, cancellationToken),
            Indexes = mm is null ? Indexes() : null,
            Origins = mm is null ? null : links.ToDictionary(l => l.Link.Target, l => l.Link.OriginName),
            OriginTimestamp = sync.CreatedAt,
            MultiMaster = mm is null ? null : new MultiMasterCopy(mm, source),
            Parallelism = Math.Max(1, Copy.Jobs),
            Ranges = new RangeCopier(sourceSettings, source, nodes.ToDictionary(n => n.Key, n => NodeConnections.Settings(n.Value)), ranges, loggers.CreateLogger("Ibex.Copy")) { SplitAboveBytes = Copy.RangeBytes, RangeBytes = Copy.RangeBytesFor(copyBytes) },
        };
        try
        {
            // A node joining a live sync: its links from the other sources start where this copy ends.
            foreach (var target in pending.Select(p => p.Target).Distinct())
                await JoinPositions.AlignAsync(sync, source, target, nodes, cancellationToken).ConfigureAwait(false);
            await copier.CopyAsync(tasks, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var message = e is IbexException ? e.Message : $"initial copy from '{source}' failed: {Errors.Describe(e)}";
            foreach (var l in links.Where(l => pending.Any(p => p.Target == l.Link.Target)))
                l.Fail(new ApplyException(message, Errors.IsConnectionFailure(e)));
            throw new IbexException(message, e);
        }
    }

    DeferredIndexes Indexes() => new(new DeferredIndexStore(control), sync.Name, source, nodes.ToDictionary(n => n.Key, n => NodeConnections.Settings(n.Value)),
        loggers.CreateLogger("Ibex.Copy"));

    // What the copy of a table should move: the rows the source's statistics count (null when never analyzed) and its
    // size on disk; a partitioned table's are its partitions'.
    async Task<(long? Rows, long Bytes)> EstimateAsync(QualifiedName table, CancellationToken cancellationToken)
    {
        await using var conn = await NodeDataSources.OpenAsync(nodes[source], cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("""
            WITH t AS (SELECT pg_catalog.to_regclass($1) AS oid),
            leaves AS (SELECT p.relid AS oid FROM t, pg_catalog.pg_partition_tree(t.oid) p WHERE p.isleaf
                       UNION SELECT t.oid FROM t JOIN pg_catalog.pg_class c ON c.oid = t.oid WHERE c.relkind <> 'p')
            SELECT CASE WHEN bool_and(c.reltuples >= 0) THEN sum(c.reltuples)::bigint END, coalesce(sum(pg_catalog.pg_table_size(c.oid)), 0)::bigint
            FROM leaves JOIN pg_catalog.pg_class c ON c.oid = leaves.oid
            """, conn);
        cmd.Parameters.Add(new() { Value = table.Quoted });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await r.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (r.IsDBNull(0) ? null : r.GetInt64(0), r.GetInt64(1));
    }
}
