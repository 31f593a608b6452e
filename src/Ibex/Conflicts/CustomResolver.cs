using Ibex.Apply;
using Ibex.Changes;
using Ibex.Sql;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Conflicts;

/// <summary>
/// Strategy <c>custom:schema.function</c>: calls <c>function(table text, local jsonb, remote jsonb, local_ts timestamptz,
/// remote_ts timestamptz) returns jsonb</c> and writes what it returns in place of the local row (NULL: the row is deleted).
/// </summary>
public static class CustomResolver
{
    /// <summary>Adds the statements that replace <paramref name="local"/> with the function's row; false when it returned NULL.</summary>
    public static async Task<bool> ApplyAsync(ConflictStrategy strategy, RelationPlan plan, Change change, LocalRow local, BeginItem begin, NpgsqlConnection connection, ResolvedChanges result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(begin);
        ArgumentNullException.ThrowIfNull(result);
        var rel = change.Relation;
        var fn = strategy.Function!.Value;
        var remoteJson = change.NewRow is { } n ? KeyJson.Row(rel, n) : null;
        string? kept;
        await using (var cmd = new NpgsqlCommand(
            $"SELECT {fn.Quoted}($1, $2::jsonb, CASE WHEN $3::jsonb IS NOT NULL THEN (SELECT to_jsonb(r) FROM jsonb_populate_record(NULL::{plan.Target.Quoted}, $3::jsonb) r) END, $4, $5)::text", connection))
        {
            cmd.Parameters.Add(new() { Value = rel.Name.Display });
            cmd.Parameters.Add(new() { Value = local.RowJson == "null" ? DBNull.Value : local.RowJson, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new() { Value = (object?)remoteJson ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new() { Value = (object?)local.Version.CommitTimestamp ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            cmd.Parameters.Add(new() { Value = begin.CommitTimestamp, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            kept = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }
        if (local.KeyValues.Count > 0)
            result.Statements.Add(ConflictStatements.DeleteByKey(plan, local.KeyValues));
        if (kept is null)
        {
            result.Counts.Deletes++;
            return false;
        }
        var cols = Ident.QuoteList(rel.Columns);
        var insert = new NpgsqlBatchCommand($"INSERT INTO {plan.Target.Quoted} ({cols}) OVERRIDING SYSTEM VALUE SELECT {cols} FROM jsonb_populate_record(NULL::{plan.Target.Quoted}, $1::jsonb)");
        insert.Parameters.Add(new() { Value = kept, NpgsqlDbType = NpgsqlDbType.Text });
        result.Statements.Add(insert);
        result.Counts.Updates++;
        return true;
    }
}
