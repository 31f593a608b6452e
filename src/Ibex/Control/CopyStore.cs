using Ibex.Copy;
using Ibex.Sql;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Control;

/// <summary>Initial-copy work per (sync, source, target, table) in <c>ibex.table_copy</c>.</summary>
public sealed class CopyStore(ControlDatabase control)
{
    /// <summary>One table to copy to one target.</summary>
    public sealed record Item(string Target, QualifiedName Table, string State, NpgsqlLogSequenceNumber? CopyLsn, long BytesEstimated);

    public async Task<IReadOnlyList<Item>> ListAsync(string sync, string source, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT target, schema_name, table_name, state, copy_lsn, coalesce(bytes_estimated, 0) FROM ibex.table_copy WHERE sync = $1 AND source = $2 ORDER BY schema_name, table_name, target", conn);
        cmd.Parameters.Add(new() { Value = sync });
        cmd.Parameters.Add(new() { Value = source });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<Item>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add(new Item(r.GetString(0), new QualifiedName(r.GetString(1), r.GetString(2)), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetFieldValue<NpgsqlLogSequenceNumber>(4), r.GetInt64(5)));
        return list;
    }

    /// <summary>A copy starts: counts back to zero; rows expected (null: unknown) and the source table's size as estimates.</summary>
    public Task MarkCopyingAsync(string sync, string source, string target, QualifiedName table, long? rowsEstimated, long bytesEstimated, CancellationToken cancellationToken)
        => UpdateAsync("UPDATE ibex.table_copy SET state = 'copying', started_at = now(), finished_at = NULL, bytes_copied = 0, rows_copied = 0, rows_estimated = $6, bytes_estimated = $7, error = NULL WHERE sync = $1 AND source = $2 AND target = $3 AND schema_name = $4 AND table_name = $5",
            [sync, source, target, table.Schema, table.Name, rowsEstimated ?? (object)DBNull.Value, bytesEstimated], cancellationToken);

    public Task ProgressAsync(string sync, string source, string target, QualifiedName table, CopyCount count, CancellationToken cancellationToken)
        => UpdateAsync("UPDATE ibex.table_copy SET bytes_copied = $6, rows_copied = $7 WHERE sync = $1 AND source = $2 AND target = $3 AND schema_name = $4 AND table_name = $5 AND state = 'copying'",
            [sync, source, target, table.Schema, table.Name, count.Bytes, count.Rows], cancellationToken);

    public Task MarkDoneAsync(string sync, string source, string target, QualifiedName table, NpgsqlLogSequenceNumber copyLsn, CopyCount count, CancellationToken cancellationToken)
        => UpdateAsync("UPDATE ibex.table_copy SET state = 'done', copy_lsn = $6, bytes_copied = $7, rows_copied = $8, finished_at = now(), error = NULL WHERE sync = $1 AND source = $2 AND target = $3 AND schema_name = $4 AND table_name = $5",
            [sync, source, target, table.Schema, table.Name, copyLsn, count.Bytes, count.Rows], cancellationToken);

    public Task MarkFailedAsync(string sync, string source, string target, QualifiedName table, string error, CancellationToken cancellationToken)
        => UpdateAsync("UPDATE ibex.table_copy SET error = $6 WHERE sync = $1 AND source = $2 AND target = $3 AND schema_name = $4 AND table_name = $5",
            [sync, source, target, table.Schema, table.Name, error], cancellationToken);

    async Task UpdateAsync(string sql, object[] args, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args)
            cmd.Parameters.Add(a is NpgsqlLogSequenceNumber lsn ? new NpgsqlParameter { Value = lsn, NpgsqlDbType = NpgsqlDbType.PgLsn } : new NpgsqlParameter { Value = a });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
