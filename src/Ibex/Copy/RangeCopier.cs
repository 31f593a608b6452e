using Ibex.Connections;
using Ibex.Control;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Copy;

/// <summary>
/// Copies one large table as ranges (<see cref="RangePlanner"/>), each by its own source session importing the copy's
/// snapshot, several at once. Each range goes to each target in its own transaction, whose xid is recorded in the
/// control database before its COMMIT: after a crash, the target's own record of that xid (<c>txid_status</c>) tells
/// whether the range is there, so no range is ever copied twice or lost. A copy that resumes continues with the
/// ranges not done (key ranges; a block-ranged table is emptied and copied again, with a warning).
/// Only into empty targets: a target already holding rows goes through <see cref="StagedMerge"/> as one stream.
/// </summary>
public sealed class RangeCopier(NpgsqlConnectionStringBuilder source, string sourceName, IReadOnlyDictionary<string, NpgsqlConnectionStringBuilder> targets, CopyRangeStore store, ILogger log)
{
    /// <summary>Tables larger than this on the source are split (<c>--copy-range-mb</c>).</summary>
    public long SplitAboveBytes { get; init; } = CopyOptions.DefaultRangeBytes;

    /// <summary>About how many bytes of the source table one range holds (<see cref="CopyOptions.RangeBytesFor"/>).</summary>
    public long RangeBytes { get; init; } = CopyOptions.DefaultRangeBytes;

    /// <summary>The outcome per target node: the snapshot LSN of its latest range, and the bytes copied (in every run).</summary>
    public sealed record Outcome(NpgsqlLogSequenceNumber CopyLsn, CopyCount Count);

    /// <summary>
    /// Copies <paramref name="task"/> by ranges, each stream holding a slot of <paramref name="streams"/>; null when the
    /// table is not split (small, partitioned, or a target not empty): the caller copies it as one stream.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, Outcome>?> CopyAsync(CopyTask task, string snapshot, NpgsqlLogSequenceNumber lsn, SemaphoreSlim streams,
        Func<CopyDestination, CopyCount, Task>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(streams);
        var table = task.Table;
        var columns = task.Columns?.ToList() ?? [.. table.WritableColumns.Select(c => c.Name)];
        var recorded = (await store.ListAsync(cancellationToken).ConfigureAwait(false))
            .Where(r => r.Table == table.Name && task.Targets.Any(d => d.Node == r.Target)).ToList();
        RangePlan plan;
        bool binary;
        await using (var src = await SnapshotSession.OpenAsync(source, sourceName, snapshot, cancellationToken).ConfigureAwait(false))
        {
            var conns = new Dictionary<CopyDestination, NpgsqlConnection>();
            try
            {
                foreach (var d in task.Targets)
                    conns[d] = await NodeConnections.OpenAsync(targets[d.Node], $"target '{d.Node}'", "copy", cancellationToken).ConfigureAwait(false);
                if (recorded.Count == 0)
                {
                    var fresh = await RangePlanner.PlanAsync(src, table, await TableStreamer.OwnRowsAsync(src, table.Name, cancellationToken).ConfigureAwait(false), SplitAboveBytes, RangeBytes, cancellationToken).ConfigureAwait(false);
                    if (fresh is null || !await AllEmptyAsync(conns, cancellationToken).ConfigureAwait(false))
                        return null;
                    plan = fresh;
                    await store.SavePlanAsync(task.Targets.Select(d => d.Node), table.Name, plan, cancellationToken).ConfigureAwait(false);
                    log.LogInformation("copying {Table} in {Count} ranges by {Kind}", table.Name.Display, plan.Ranges.Count, plan.KeyColumn ?? "block");
                }
                else
                {
                    plan = PlanOf(recorded);
                    var missing = task.Targets.Where(d => recorded.All(r => r.Target != d.Node)).Select(d => d.Node).ToList();
                    if (missing.Count > 0)
                        await store.SavePlanAsync(missing, table.Name, plan, cancellationToken).ConfigureAwait(false);
                    foreach (var (d, conn) in conns)
                        await ResumeAsync(conn, d, table.Name, plan, recorded.Where(r => r.Target == d.Node).ToList(), cancellationToken).ConfigureAwait(false);
                }
                binary = await CopyFormat.BinaryAsync(table, columns, src, conns.Select(c => (c.Value, c.Key.Table)), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                foreach (var c in conns.Values)
                    await c.DisposeAsync().ConfigureAwait(false);
            }
        }
        var rows = (await store.ListAsync(cancellationToken).ConfigureAwait(false)).Where(r => r.Table == table.Name && task.Targets.Any(d => d.Node == r.Target)).ToList();
        var bytes = new RangeBytesCounter(task.Targets.Select(d => d.Node), rows.Where(r => r.State == RangeState.Done));
        var work = plan.Ranges.Select(range => (Range: range, Dests: task.Targets.Where(d => rows.Any(r => r.Target == d.Node && r.Range.Number == range.Number && r.State == RangeState.Pending)).ToList()))
            .Where(w => w.Dests.Count > 0)
            .Select(async w =>
            {
                await streams.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await CopyRangeAsync(task, plan, w.Range, w.Dests, columns, binary, snapshot, lsn, bytes, progress, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    streams.Release();
                }
            }).ToList();
        await Task.WhenAll(work).ConfigureAwait(false);
        var final = (await store.ListAsync(cancellationToken).ConfigureAwait(false)).Where(r => r.Table == table.Name).ToList();
        return task.Targets.ToDictionary(d => d.Node, d => new Outcome(
            final.Where(r => r.Target == d.Node).Select(r => r.CopyLsn ?? lsn).Max(), bytes.Of(d.Node)));
    }

    async Task CopyRangeAsync(CopyTask task, RangePlan plan, CopyRange range, List<CopyDestination> dests, List<string> columns, bool binary, string snapshot,
        NpgsqlLogSequenceNumber lsn, RangeBytesCounter bytes, Func<CopyDestination, CopyCount, Task>? progress, CancellationToken cancellationToken)
    {
        var table = task.Table.Name;
        await using var src = await SnapshotSession.OpenAsync(source, sourceName, snapshot, cancellationToken).ConfigureAwait(false);
        var conns = new List<(CopyDestination Dest, NpgsqlConnection Conn)>();
        try
        {
            foreach (var d in dests)
            {
                var conn = await NodeConnections.OpenAsync(targets[d.Node], $"target '{d.Node}'", "copy", cancellationToken).ConfigureAwait(false);
                conns.Add((d, conn));
                await SnapshotSession.ExecAsync(conn, "SET session_replication_role = replica", cancellationToken).ConfigureAwait(false);
                await SnapshotSession.ExecAsync(conn, "BEGIN", cancellationToken).ConfigureAwait(false);
            }
            var where = task.Where is null ? plan.Predicate(range) : $"({task.Where}) AND {plan.Predicate(range)}";
            var meter = new CopyMeter(binary);
            using (var reporting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var reporter = meter.ReportAsync(count => ReportAsync(dests, bytes.Running(range.Number, count), progress), TimeSpan.FromSeconds(1), reporting.Token);
                try
                {
                    await TableStreamer.CopyAsync(src, table, columns, where, binary, [.. conns.Select(c => (c.Conn, c.Dest.Table))], meter, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await reporting.CancelAsync().ConfigureAwait(false);
                    await reporter.ConfigureAwait(false);
                }
            }
            var copied = meter.Count;
            foreach (var (d, conn) in conns)
            {
                // The xid goes to the control database before the COMMIT: whatever happens next, the target knows its fate.
                long xid;
                await using (var cmd = new NpgsqlCommand("SELECT txid_current()", conn))
                    xid = (long)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                await store.MarkCommittingAsync(d.Node, table, range.Number, xid, lsn, copied.Bytes, cancellationToken).ConfigureAwait(false);
                await SnapshotSession.ExecAsync(conn, "COMMIT", cancellationToken).ConfigureAwait(false);
                await store.MarkDoneAsync(d.Node, table, range.Number, cancellationToken).ConfigureAwait(false);
                bytes.Finish(d.Node, range.Number, copied);
            }
            await ReportAsync(dests, bytes.Running(range.Number, default), progress).ConfigureAwait(false);
            log.LogDebug("copied range {Range} of {Table} ({Rows} rows, {Bytes} bytes)", range.Number, table.Display, copied.Rows, copied.Bytes);
        }
        finally
        {
            foreach (var (_, conn) in conns)
                await conn.DisposeAsync().ConfigureAwait(false);
        }
    }

    // A copy interrupted by a crash: ranges caught committing are settled by their xid's fate on the target; a block-
    // ranged table cannot be resumed (a change cannot be mapped to its block), so it is emptied and copied again.
    async Task ResumeAsync(NpgsqlConnection conn, CopyDestination d, Sql.QualifiedName table, RangePlan plan, List<CopyRangeStore.Row> rows, CancellationToken cancellationToken)
    {
        foreach (var r in rows.Where(r => r.State == RangeState.Committing))
        {
            await using var cmd = new NpgsqlCommand("SELECT txid_status($1)", conn);
            cmd.Parameters.Add(new() { Value = r.TargetXid!.Value });
            var status = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            if (status == "committed")
                await store.MarkDoneAsync(d.Node, table, r.Range.Number, cancellationToken).ConfigureAwait(false);
            else if (status == "aborted")
                await store.MarkPendingAsync(d.Node, table, r.Range.Number, cancellationToken).ConfigureAwait(false);
            else if (status == "in progress")
                throw new IbexException($"target '{d.Node}': range {r.Range.Number} of {table.Display} is still being committed by a previous copy (transaction {r.TargetXid}); retrying");
            else
                throw new IbexException($"target '{d.Node}': whether range {r.Range.Number} of {table.Display} was committed is no longer known (transaction {r.TargetXid} is too old); empty {d.Table.Display} there and copy the table again");
        }
        var started = rows.Any(r => r.State != RangeState.Pending);
        if (plan.Resumable || !started)
        {
            if (started)
                log.LogInformation("resuming the copy of {Table} to '{Target}': {Done} of {Count} ranges were copied", table.Display, d.Node, rows.Count(r => r.State != RangeState.Pending), rows.Count);
            return;
        }
        log.LogWarning("the copy of {Table} to '{Target}' was interrupted; its ranges are by block (it has no single integer or uuid primary key), so a change cannot be told apart by range: {Target}'s {TargetTable} is emptied and copied again from the start",
            table.Display, d.Node, d.Node, d.Table.Display);
        await SnapshotSession.ExecAsync(conn, $"TRUNCATE {await TableStreamer.OwnRowsAsync(conn, d.Table, cancellationToken).ConfigureAwait(false)}", cancellationToken).ConfigureAwait(false);
        await store.ResetAsync(d.Node, table, cancellationToken).ConfigureAwait(false);
    }

    static RangePlan PlanOf(List<CopyRangeStore.Row> rows)
    {
        var first = rows[0];
        return new RangePlan(first.Kind, first.KeyColumn, [.. rows.Where(r => r.Target == first.Target).Select(r => r.Range).OrderBy(r => r.Number)]);
    }

    static async Task<bool> AllEmptyAsync(Dictionary<CopyDestination, NpgsqlConnection> conns, CancellationToken cancellationToken)
    {
        foreach (var (d, conn) in conns)
        {
            await using var cmd = new NpgsqlCommand($"SELECT NOT EXISTS (SELECT 1 FROM {await TableStreamer.OwnRowsAsync(conn, d.Table, cancellationToken).ConfigureAwait(false)})", conn);
            if (await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
                return false;
        }
        return true;
    }

    static async Task ReportAsync(List<CopyDestination> dests, CopyCount total, Func<CopyDestination, CopyCount, Task>? progress)
    {
        if (progress is null)
            return;
        foreach (var d in dests)
            await progress(d, total).ConfigureAwait(false);
    }
}
