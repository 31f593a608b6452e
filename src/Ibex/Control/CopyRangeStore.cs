using Ibex.Copy;
using Ibex.Sql;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Control;

/// <summary>The ranges of the tables one source copies, per target, in <c>ibex.table_copy_range</c>.</summary>
public sealed class CopyRangeStore(ControlDatabase control, string sync, string source)
{
    /// <summary>One range of a table's copy to one target.</summary>
    public sealed record Row(string Target, QualifiedName Table, RangeKind Kind, string? KeyColumn, CopyRange Range, RangeState State, long? TargetXid, NpgsqlLogSequenceNumber? CopyLsn, long Bytes);

    const string Columns = "target, schema_name, table_name, kind, key_column, range_no, lower_bound, upper_bound, state, target_xid, copy_lsn, bytes_copied";

    /// <summary>Every range of this source's tables, ordered by target, table and range.</summary>
    public async Task<IReadOnlyList<Row>> ListAsync(CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM ibex.table_copy_range WHERE sync = $1 AND source = $2 ORDER BY target, schema_name, table_name, range_no", conn);
        cmd.Parameters.Add(new() { Value = sync });
        cmd.Parameters.Add(new() { Value = source });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<Row>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add(new Row(r.GetString(0), new QualifiedName(r.GetString(1), r.GetString(2)), Enum.Parse<RangeKind>(r.GetString(3), ignoreCase: true),
                r.IsDBNull(4) ? null : r.GetString(4), new CopyRange(r.GetInt32(5), r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7)),
                Enum.Parse<RangeState>(r.GetString(8), ignoreCase: true), r.IsDBNull(9) ? null : r.GetInt64(9),
                r.IsDBNull(10) ? null : r.GetFieldValue<NpgsqlLogSequenceNumber>(10), r.GetInt64(11)));
        return list;
    }

    /// <summary>Records a table's plan for every given target (replacing any older one), all ranges pending.</summary>
    public async Task SavePlanAsync(IEnumerable<string> targets, QualifiedName table, RangePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(plan);
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var target in targets)
        {
            await ExecAsync(conn, "DELETE FROM ibex.table_copy_range WHERE sync = $1 AND source = $2 AND target = $3 AND schema_name = $4 AND table_name = $5",
                [sync, source, target, table.Schema, table.Name], cancellationToken).ConfigureAwait(false);
            foreach (var r in plan.Ranges)
                await ExecAsync(conn, "INSERT INTO ibex.table_copy_range (sync, source, target, schema_name, table_name, range_no, kind, key_column, lower_bound, upper_bound) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    [sync, source, target, table.Schema, table.Name, r.Number, plan.Kind.ToString().ToLowerInvariant(), plan.KeyColumn, r.Lower, r.Upper], cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets a table's ranges on one target (its copy starts afresh).</summary>
    public Task ClearAsync(string target, QualifiedName table, CancellationToken cancellationToken)
        => UpdateAsync("DELETE FROM ibex.table_copy_range WHERE sync = $1 AND source = $2 AND target = $3 AND schema_name = $4 AND table_name = $5", target, table, [], cancellationToken);

    /// <summary>Every range of a table on one target back to pending (its copy there starts again from the first row).</summary>
    public Task ResetAsync(string target, QualifiedName table, CancellationToken cancellationToken)
        => UpdateAsync("UPDATE ibex.table_copy_range SET state = 'pending', target_xid = NULL, copy_lsn = NULL, bytes_copied = 0, finished_at = NULL WHERE sync = $1 AND source = $2 AND target = $3 AND schema_name = $4 AND table_name = $5",
            target, table, [], cancellationToken);

    /// <summary>Before the target's COMMIT: the transaction's xid, so a crash right after it can still be told apart.</summary>
    public Task MarkCommittingAsync(string target, QualifiedName table, int range, long xid, NpgsqlLogSequenceNumber copyLsn, long bytes, CancellationToken cancellationToken)
        => UpdateAsync("UPDATE ibex.table_copy_range SET state = 'committing', target_xid = $7, copy_lsn = $8, bytes_copied = $9 WHERE sync = $1 AND source = $2 AND target = $3 AND schema_name = $4 AND table_name = $5 AND range_no = $6",
            target, table, [range, xid, copyLsn, bytes], cancellationToken);

    public Task MarkDoneAsync(string target, QualifiedName table, int range, CancellationToken cancellationToken)
        => UpdateAsync("UPDATE ibex.table_copy_range SET state = 'done', finished_at = now() WHERE sync = $1 AND source = $2 AND target = $3 AND schema_name = $4 AND table_name = $5 AND range_no = $6",
            target, table, [range], cancellationToken);

    public Task MarkPendingAsync(string target, QualifiedName table, int range, CancellationToken cancellationToken)
        => UpdateAsync("UPDATE ibex.table_copy_range SET state = 'pending', target_xid = NULL, copy_lsn = NULL WHERE sync = $1 AND source = $2 AND target = $3 AND schema_name = $4 AND table_name = $5 AND range_no = $6",
            target, table, [range], cancellationToken);

    async Task UpdateAsync(string sql, string target, QualifiedName table, object[] more, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecAsync(conn, sql, [sync, source, target, table.Schema, table.Name, .. more], cancellationToken).ConfigureAwait(false);
    }

    static async Task ExecAsync(NpgsqlConnection conn, string sql, object?[] args, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args)
            cmd.Parameters.Add(a switch
            {
                NpgsqlLogSequenceNumber lsn => new NpgsqlParameter { Value = lsn, NpgsqlDbType = NpgsqlDbType.PgLsn },
                null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                _ => new NpgsqlParameter { Value = a },
            });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
