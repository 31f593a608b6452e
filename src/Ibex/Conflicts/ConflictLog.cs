using Ibex.Control;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Conflicts;

/// <summary>
/// Writes conflicts to <c>ibex.conflict</c> in the control database, in the background and in batches (a target
/// transaction never waits for the control database). Counts are kept in memory for status and metrics.
/// </summary>
public sealed class ConflictLog(ControlDatabase control, ILogger log)
{
    readonly List<ConflictRecord> _pending = [];
    readonly Dictionary<(string Node, ConflictKind Kind), long> _counts = [];

    /// <summary>Conflicts resolved since the daemon started, by node and kind.</summary>
    public IReadOnlyDictionary<(string Node, ConflictKind Kind), long> Counts
    {
        get
        {
            lock (_pending)
                return new Dictionary<(string, ConflictKind), long>(_counts);
        }
    }

    public void Add(IEnumerable<ConflictRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        lock (_pending)
            foreach (var r in records)
            {
                _pending.Add(r);
                _counts[(r.Node, r.Kind)] = _counts.GetValueOrDefault((r.Node, r.Kind)) + 1;
            }
    }

    /// <summary>Writes one conflict now (an abort: the operator must see it before anything else happens).</summary>
    public async Task WriteNowAsync(ConflictRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await WriteAsync([record], cancellationToken).ConfigureAwait(false);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The last conflicts, written before the daemon stops; a control database that does not answer cannot hold the stop up.
            using var last = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await FlushAsync(last.Token).ConfigureAwait(false);
        }
    }

    async Task FlushAsync(CancellationToken cancellationToken)
    {
        List<ConflictRecord> batch;
        lock (_pending)
        {
            if (_pending.Count == 0)
                return;
            batch = [.. _pending];
            _pending.Clear();
        }
        try
        {
            await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IbexException or NpgsqlException or TimeoutException or OperationCanceledException)
        {
            log.LogWarning("could not write {Count} conflict(s) to the control database: {Error}; will retry", batch.Count, e.Message);
            lock (_pending)
                _pending.InsertRange(0, batch);
        }
    }

    async Task WriteAsync(IReadOnlyList<ConflictRecord> records, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(conn);
        foreach (var r in records)
        {
            var cmd = new NpgsqlBatchCommand("""
                INSERT INTO ibex.conflict (sync, schema_name, table_name, key, kind, node, local_origin, remote_origin, local_row, remote_row,
                                           local_commit_ts, remote_commit_ts, strategy, winner, resolved, remote_lsn)
                VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12, $13, $14, $15, $16)
                """);
            cmd.Parameters.Add(new() { Value = r.Sync });
            cmd.Parameters.Add(new() { Value = r.Schema });
            cmd.Parameters.Add(new() { Value = r.Table });
            cmd.Parameters.Add(new() { Value = r.KeyJson });
            cmd.Parameters.Add(new() { Value = r.Kind.Name() });
            cmd.Parameters.Add(new() { Value = r.Node });
            cmd.Parameters.Add(Text(r.LocalOrigin));
            cmd.Parameters.Add(new() { Value = r.RemoteOrigin });
            cmd.Parameters.Add(Text(r.LocalRowJson));
            cmd.Parameters.Add(Text(r.RemoteRowJson));
            cmd.Parameters.Add(new() { Value = (object?)r.LocalCommitTimestamp ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            cmd.Parameters.Add(new() { Value = (object?)r.RemoteCommitTimestamp ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            cmd.Parameters.Add(new() { Value = r.Strategy });
            cmd.Parameters.Add(new() { Value = r.Winner });
            cmd.Parameters.Add(new() { Value = r.Resolved });
            cmd.Parameters.Add(new() { Value = r.RemoteCommitLsn, NpgsqlDbType = NpgsqlDbType.PgLsn });
            batch.BatchCommands.Add(cmd);
        }
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };
}
