using Npgsql;
using NpgsqlTypes;

namespace Ibex.Control;

/// <summary>Writes the daemon's view of each link into <c>ibex.link</c> (state, position, lag, counters).</summary>
public sealed class StatusStore(ControlDatabase control)
{
    const string Sql = """
        UPDATE ibex.link SET
            state = $4, error = $5, error_at = CASE WHEN $5::text IS NULL THEN NULL WHEN error IS DISTINCT FROM $5 THEN now() ELSE error_at END,
            position_lsn = CASE WHEN $6::pg_lsn = '0/0' THEN position_lsn ELSE greatest(position_lsn, $6::pg_lsn) END,
            last_commit_ts = coalesce($7, last_commit_ts), last_applied_at = coalesce($8, last_applied_at),
            lag_seconds = $9, lag_bytes = $10,
            inserts = inserts + $11, updates = updates + $12, deletes = deletes + $13, truncates = truncates + $14,
            transactions = transactions + $15, updated_at = now()
        WHERE sync = $1 AND source = $2 AND target = $3
        """;

    public async Task PublishAsync(string sync, IReadOnlyCollection<LinkSnapshot> links, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(links);
        if (links.Count == 0)
            return;
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(conn);
        foreach (var l in links)
        {
            var cmd = new NpgsqlBatchCommand(Sql);
            cmd.Parameters.Add(new() { Value = sync });
            cmd.Parameters.Add(new() { Value = l.Source });
            cmd.Parameters.Add(new() { Value = l.Target });
            cmd.Parameters.Add(new() { Value = l.State });
            cmd.Parameters.Add(new() { Value = (object?)l.Error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new() { Value = l.Position, NpgsqlDbType = NpgsqlDbType.PgLsn });
            cmd.Parameters.Add(new() { Value = (object?)l.LastCommitTimestamp ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            cmd.Parameters.Add(new() { Value = (object?)l.LastAppliedAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            cmd.Parameters.Add(new() { Value = (object?)l.LagSeconds ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double });
            cmd.Parameters.Add(new() { Value = (object?)l.LagBytes ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            cmd.Parameters.Add(new() { Value = l.Inserts });
            cmd.Parameters.Add(new() { Value = l.Updates });
            cmd.Parameters.Add(new() { Value = l.Deletes });
            cmd.Parameters.Add(new() { Value = l.Truncates });
            cmd.Parameters.Add(new() { Value = l.Transactions });
            batch.BatchCommands.Add(cmd);
        }
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets the state of every link of a sync (e.g. 'paused').</summary>
    public async Task SetStateAsync(string sync, string state, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("UPDATE ibex.link SET state = $2, lag_seconds = NULL, updated_at = now() WHERE sync = $1", conn);
        cmd.Parameters.Add(new() { Value = sync });
        cmd.Parameters.Add(new() { Value = state });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
