using Ibex.Apply;
using Ibex.Changes;
using Ibex.Sql;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Conflicts;

/// <summary>Statements conflict resolution adds beside the change's own: deleting a local row by its key, recording a tombstone or what a writer had seen.</summary>
public static class ConflictStatements
{
    public static NpgsqlBatchCommand DeleteByKey(RelationPlan plan, IReadOnlyList<string?> keyValues)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(keyValues);
        var rel = plan.Source;
        var cmd = new NpgsqlBatchCommand($"DELETE FROM {plan.Target.Quoted} WHERE {string.Join(" AND ", rel.KeyColumns.Select((c, k) => $"{Ident.Quote(rel.Columns[c])} = {rel.Placeholder(c, k + 1)}"))}");
        foreach (var v in keyValues)
            cmd.Parameters.Add(new() { Value = (object?)v ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Unknown });
        return cmd;
    }

    /// <summary>Records that <paramref name="node"/> deleted (or moved away) the row at <paramref name="key"/> at <paramref name="at"/>.</summary>
    public static NpgsqlBatchCommand Tombstone(string sync, RelationInfo rel, string key, DateTime at, string node)
    {
        ArgumentNullException.ThrowIfNull(rel);
        var cmd = new NpgsqlBatchCommand(TombstoneSql.Upsert);
        cmd.Parameters.Add(new() { Value = sync });
        cmd.Parameters.Add(new() { Value = rel.Name.Quoted });
        cmd.Parameters.Add(new() { Value = key });
        cmd.Parameters.Add(new() { Value = at, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new() { Value = node });
        return cmd;
    }

    /// <summary>Records that a version of <paramref name="key"/> reaching this node had seen <paramref name="node"/>'s changes up to <paramref name="at"/>.</summary>
    public static NpgsqlBatchCommand Seen(string sync, RelationInfo rel, string key, string node, DateTime at)
    {
        ArgumentNullException.ThrowIfNull(rel);
        var cmd = new NpgsqlBatchCommand(TombstoneSql.SeenUpsert);
        cmd.Parameters.Add(new() { Value = sync });
        cmd.Parameters.Add(new() { Value = rel.Name.Quoted });
        cmd.Parameters.Add(new() { Value = key });
        cmd.Parameters.Add(new() { Value = node });
        cmd.Parameters.Add(new() { Value = at, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return cmd;
    }

    /// <summary>The key (as <see cref="KeyJson"/>) of a local row, from its key values as text.</summary>
    public static string KeyOf(RelationInfo rel, IReadOnlyList<string?> keyValues)
    {
        ArgumentNullException.ThrowIfNull(rel);
        ArgumentNullException.ThrowIfNull(keyValues);
        var keyColumns = rel.KeyColumns.ToList();
        return KeyJson.Of(rel, RowImage.FromText([.. rel.Columns.Select((_, i) => keyColumns.IndexOf(i) is var k and >= 0 ? keyValues[k] : null)]), rel.KeyColumns);
    }
}
