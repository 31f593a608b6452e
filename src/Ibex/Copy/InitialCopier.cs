using Ibex.Connections;
using Ibex.Control;
using Npgsql;
using Npgsql.Replication;
using NpgsqlTypes;
using Microsoft.Extensions.Logging;

namespace Ibex.Copy;

/// <summary>
/// Copies tables from a source to targets without a gap: a temporary slot exports a snapshot, every table is read
/// inside that snapshot (several in parallel, COPY out of the source streamed straight into COPY on each target,
/// binary where portable), and the slot's consistent point is returned. Changes committed before that point are
/// in the copy; the stream applies only those committed after it, so nothing is lost or applied twice.
/// </summary>
public sealed class InitialCopier(NpgsqlConnectionStringBuilder source, string sourceName, IReadOnlyDictionary<string, NpgsqlConnectionStringBuilder> targets, ILogger log)
{
    /// <summary>Tables copied at once, and streams at once (a large table's ranges count one each).</summary>
    public int Parallelism { get; init; } = 2;

    /// <summary>Splits large tables into ranges copied in parallel and resumable (one-way copies into empty targets); null: one stream per table.</summary>
    public RangeCopier? Ranges { get; init; }

    /// <summary>Called with (task, destination, bytes and rows so far) about once a second while a table is copied.</summary>
    public Func<CopyTask, CopyDestination, CopyCount, Task>? Progress { get; init; }

    /// <summary>Called when one table is fully committed on one target, with the snapshot's LSN.</summary>
    public Func<CopyTask, CopyDestination, NpgsqlLogSequenceNumber, CopyCount, Task>? Done { get; init; }

    /// <summary>Drops a target table's plain indexes before a copy into it from empty and builds them after (null: never).</summary>
    public DeferredIndexes? Indexes { get; init; }

    /// <summary>
    /// Multi-master: per target node, the origin the copied rows are committed under (the first source's link), with
    /// <see cref="OriginTimestamp"/> as their commit time, so every node sees copied rows as that source's, written when
    /// the sync was made (no false conflicts). One session per origin at a time means tables go one by one.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Origins { get; init; }

    public DateTime OriginTimestamp { get; init; }

    /// <summary>Multi-master: copied rows meet rows written on a node since the sync was made by the sync's strategy.</summary>
    public MultiMasterCopy? MultiMaster { get; init; }

    /// <summary>Name for the temporary slot.</summary>
    public required string SlotName { get; init; }

    public async Task<NpgsqlLogSequenceNumber> CopyAsync(IReadOnlyList<CopyTask> tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var replication = new LogicalReplicationConnection(SessionSettings.For(source, "ibex copy").ConnectionString);
        await using (replication.ConfigureAwait(false))
        {
            await replication.Open(cancellationToken).ConfigureAwait(false);
            // The exported snapshot stays valid while this connection stays idle and open.
            var slot = await replication.CreatePgOutputReplicationSlot(SlotName, temporarySlot: true, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.Export, cancellationToken: cancellationToken).ConfigureAwait(false);
            var snapshot = slot.SnapshotName ?? throw new InvalidOperationException("the server did not export a snapshot");
            log.LogInformation("copying {Count} table(s) from {Source} at {Lsn}", tasks.Count, sourceName, slot.ConsistentPoint);
            tasks = await SnapshotLayout.ReadAsync(tasks, source, sourceName, targets, snapshot, cancellationToken).ConfigureAwait(false);
            using var gate = new SemaphoreSlim(Origins is null ? Parallelism : 1);
            using var streams = new SemaphoreSlim(Origins is null ? Parallelism : 1);
            var work = tasks.Select(async t =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    if (!await CopyByRangesAsync(t, snapshot, slot.ConsistentPoint, streams, cancellationToken).ConfigureAwait(false))
                    {
                        await streams.WaitAsync(cancellationToken).ConfigureAwait(false);
                        try
                        {
                            await CopyTableAsync(t, snapshot, slot.ConsistentPoint, cancellationToken).ConfigureAwait(false);
                        }
                        finally
                        {
                            streams.Release();
                        }
                    }
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();
            await Task.WhenAll(work).ConfigureAwait(false);
            return slot.ConsistentPoint;
        }
    }

    // Ranges only for one-way copies that keep nothing of the target (multi-master merges, 'always' empties or replaces
    // in the copy's one transaction) into empty tables: a table already holding rows is merged as one stream.
    async Task<bool> CopyByRangesAsync(CopyTask task, string snapshot, NpgsqlLogSequenceNumber lsn, SemaphoreSlim streams, CancellationToken cancellationToken)
    {
        if (Ranges is null || Origins is not null || MultiMaster is not null || task.Targets.Any(d => d.Truncate || d.ReplaceRowsOlderThan is not null))
            return false;
        var outcome = await Ranges.CopyAsync(task, snapshot, lsn, streams, Progress is null ? null : (d, bytes) => Progress(task, d, bytes), cancellationToken).ConfigureAwait(false);
        if (outcome is null)
            return false;
        foreach (var d in task.Targets)
            if (Done is not null)
                await Done(task, d, outcome[d.Node].CopyLsn, outcome[d.Node].Count).ConfigureAwait(false);
        log.LogInformation("copied {Table} to {Targets} in ranges", task.Table.Name.Display, string.Join(", ", task.Targets.Select(t => t.Node)));
        return true;
    }

    async Task CopyTableAsync(CopyTask task, string snapshot, NpgsqlLogSequenceNumber lsn, CancellationToken cancellationToken)
    {
        var table = task.Table;
        using var activity = Monitoring.Metrics.IbexActivities.StartCopy(sourceName, table.Name.Display, task.Targets.Select(t => t.Node));
        var columns = task.Columns?.ToList() ?? [.. table.WritableColumns.Select(c => c.Name)];
        await using var src = await SnapshotSession.OpenAsync(source, sourceName, snapshot, cancellationToken).ConfigureAwait(false);

        var dests = new List<(CopyDestination Dest, NpgsqlConnection Conn)>();
        try
        {
            // Straight into the tables when all are empty; else through a stage, merged without erasing anything
            // written on a target since the sync was made (its own writers, or another source's stream).
            var staged = false;
            var owns = new Dictionary<CopyDestination, string>();
            foreach (var d in task.Targets)
            {
                var conn = await NodeConnections.OpenAsync(targets[d.Node], $"target '{d.Node}'", "copy", cancellationToken).ConfigureAwait(false);
                dests.Add((d, conn));
                await ExecAsync(conn, "SET session_replication_role = replica", cancellationToken).ConfigureAwait(false);
                if (Origins?.GetValueOrDefault(d.Node) is { } origin)
                    await Apply.OriginSession.SetupAsync(conn, origin, cancellationToken).ConfigureAwait(false);
                await ExecAsync(conn, "BEGIN", cancellationToken).ConfigureAwait(false);
                var own = await TableStreamer.OwnRowsAsync(conn, d.Table, cancellationToken).ConfigureAwait(false);
                if (d.Truncate)
                    await ExecAsync(conn, $"TRUNCATE {own}", cancellationToken).ConfigureAwait(false);
                else if (d.ReplaceRowsOlderThan is { } before)
                    await DeleteOlderRowsAsync(conn, own, before, cancellationToken).ConfigureAwait(false);
                staged |= !d.Truncate && !await IsEmptyAsync(conn, own, cancellationToken).ConfigureAwait(false);
                owns[d] = own;
            }
            var merges = dests.ToDictionary(d => d.Dest, d => new StagedMerge(d.Conn, d.Dest.Table, owns[d.Dest], columns, [.. table.KeyColumns], log));
            if (staged)
                foreach (var m in merges.Values)
                    await m.CreateStageAsync(MultiMaster is not null, cancellationToken).ConfigureAwait(false);
            var into = dests.Select(d => (d.Conn, staged ? StagedMerge.Stage : d.Dest.Table)).ToList();
            var deferred = await DeferIndexesAsync(dests, staged, cancellationToken).ConfigureAwait(false);
            var binary = await CopyFormat.BinaryAsync(table, columns, src, dests.Select(d => (d.Conn, d.Dest.Table)), cancellationToken).ConfigureAwait(false);
            var meter = new CopyMeter(binary);
            using var reporting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reporter = meter.ReportAsync(count => ReportAsync(task, dests, count), TimeSpan.FromSeconds(1), reporting.Token);
            try
            {
                await TableStreamer.CopyAsync(src, table.Name, columns, task.Where, binary, into,
                    meter, cancellationToken, withCommitTimestamp: staged && MultiMaster is not null).ConfigureAwait(false);
            }
            finally
            {
                await reporting.CancelAsync().ConfigureAwait(false);
                await reporter.ConfigureAwait(false);
            }
            var copied = meter.Count;
            foreach (var (d, conn) in dests)
            {
                if (staged)
                    await MergeAsync(merges[d], d, table, lsn, cancellationToken).ConfigureAwait(false);
                if (Origins?.ContainsKey(d.Node) == true)
                {
                    await using var setup = new NpgsqlCommand("SELECT pg_replication_origin_xact_setup('0/0', $1)", conn);
                    setup.Parameters.Add(new() { Value = OriginTimestamp, NpgsqlDbType = NpgsqlDbType.TimestampTz });
                    await setup.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                await ExecAsync(conn, "COMMIT", cancellationToken).ConfigureAwait(false);
                if (Done is not null)
                    await Done(task, d, lsn, copied).ConfigureAwait(false);
            }
            foreach (var (d, indexes) in deferred)
                await Indexes!.RebuildAsync(d.Node, indexes, cancellationToken).ConfigureAwait(false);
            log.LogInformation("copied {Table} ({Rows} rows, {Bytes} bytes) to {Targets}{Merged}", table.Name.Display, copied.Rows, copied.Bytes, string.Join(", ", task.Targets.Select(t => t.Node)),
                staged ? ", merged with the rows already there" : "");
        }
        finally
        {
            foreach (var (_, conn) in dests)
                await conn.DisposeAsync().ConfigureAwait(false);
        }
    }

    async Task MergeAsync(StagedMerge merge, CopyDestination d, Catalog.TableInfo table, NpgsqlLogSequenceNumber lsn, CancellationToken cancellationToken)
    {
        if (MultiMaster is null)
        {
            await merge.MergeSourceWinsAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        var conflicts = await merge.MergeByStrategyAsync(MultiMaster, d.Node, table.Name, lsn, cancellationToken).ConfigureAwait(false);
        if (conflicts.Count == 0)
            return;
        MultiMaster.Coordinator.Log.Add(conflicts);
        log.LogInformation("sync {Sync}: {Count} copied row(s) of {Table} met rows or deletes written on '{Node}' meanwhile; decided by {Strategy}",
            MultiMaster.Coordinator.SyncName, conflicts.Count, table.Name.Display, d.Node, conflicts[0].Strategy);
    }

    // Multi-master 'always': the rows a node held before the sync existed are replaced by the copy; rows written since stay.
    static async Task DeleteOlderRowsAsync(NpgsqlConnection conn, string ownRows, DateTime before, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand($"DELETE FROM {ownRows} t WHERE coalesce(pg_xact_commit_timestamp(t.xmin) < $1, true)", conn);
        cmd.Parameters.Add(new() { Value = before, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    static async Task<bool> IsEmptyAsync(NpgsqlConnection conn, string ownRows, CancellationToken cancellationToken)
    {
        await using var check = new NpgsqlCommand($"SELECT NOT EXISTS (SELECT 1 FROM {ownRows})", conn);
        return (bool)(await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    // Into empty tables only (not the staged merge), and never on a multi-master node, whose writers would wait on the drop.
    async Task<List<(CopyDestination Dest, IReadOnlyList<IndexDefinition> Indexes)>> DeferIndexesAsync(List<(CopyDestination Dest, NpgsqlConnection Conn)> dests, bool staged,
        CancellationToken cancellationToken)
    {
        var deferred = new List<(CopyDestination, IReadOnlyList<IndexDefinition>)>();
        if (Indexes is null || staged || MultiMaster is not null)
            return deferred;
        foreach (var (d, conn) in dests)
            deferred.Add((d, await Indexes.DropAsync(conn, d.Node, d.Table, cancellationToken).ConfigureAwait(false)));
        return deferred;
    }

    async Task ReportAsync(CopyTask task, List<(CopyDestination Dest, NpgsqlConnection Conn)> dests, CopyCount total)
    {
        if (Progress is null)
            return;
        foreach (var (d, _) in dests)
            await Progress(task, d, total).ConfigureAwait(false);
    }

    static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
