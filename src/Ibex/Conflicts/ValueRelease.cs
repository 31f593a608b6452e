using System.Text.Json;
using Ibex.Apply;
using Ibex.Changes;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Conflicts;

/// <summary>
/// The value tombstones a remote change writes. Every version held its secondary unique values from its commit until
/// the version that replaced it, whichever node it came from and whatever order the versions arrive in; so when a
/// remote change replaces a local version (made knowing it, or beating it), the values that version gives up are
/// recorded (<see cref="Of"/>), and so are the values of a remote version that arrives after a later version of its
/// own row and is dropped (<see cref="OfDropped"/>): on a node that received it first it held them, and took them from
/// older rows. Local writes record theirs with the trigger (<see cref="ValueTombstoneSql"/>), which does not fire in
/// apply sessions.
/// </summary>
public static class ValueRelease
{
    const string Sql = """
        INSERT INTO ibex_mm.value_tombstone AS v (sync, relation, value, held_by, held_at)
        SELECT $1, $2, $3::jsonb, $4::oid, $5
        WHERE $6::jsonb IS NULL
           OR $3::jsonb IS DISTINCT FROM {1}
        ON CONFLICT (sync, relation, value, held_by) DO UPDATE SET held_at = EXCLUDED.held_at WHERE v.held_at < EXCLUDED.held_at
        """;

    const string DroppedSql = """
        INSERT INTO ibex_mm.value_tombstone AS v (sync, relation, value, held_by, held_at)
        SELECT $1, $2, {1}, o.roident, $5 FROM pg_replication_origin o WHERE o.roname = $4
        ON CONFLICT (sync, relation, value, held_by) DO UPDATE SET held_at = EXCLUDED.held_at WHERE v.held_at < EXCLUDED.held_at
        """;

    /// <summary>
    /// Statements recording the unique values of <paramref name="local"/> that <paramref name="newRow"/> (null: the row
    /// is deleted) no longer holds.
    /// </summary>
    public static IEnumerable<NpgsqlBatchCommand> Of(MultiMasterLink link, ChangeResolver.Step x, LocalRow? local, RowImage? newRow)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(x);
        if (local is null || local.Version.CommitTimestamp is not { } held || x.W.Uniques.Count == 0)
            yield break;
        using var doc = JsonDocument.Parse(local.RowJson);
        var rel = x.W.Change.Relation;
        foreach (var cols in x.W.Uniques)
        {
            var old = new Dictionary<string, JsonElement>();
            foreach (var c in cols)
                if (doc.RootElement.TryGetProperty(c, out var e) && e.ValueKind != JsonValueKind.Null)
                    old[c] = e.Clone();
            if (old.Count != cols.Length)
                continue;
            string? now = null;
            if (newRow is not null)
            {
                var idx = Indexes(rel, cols);
                if (idx.Any(i => i < 0 || newRow.IsUnchangedToast(i)))
                    continue; // not sent: unchanged, still held
                if (idx.All(i => !newRow.IsNull(i)))
                    now = KeyJson.Of(rel, newRow, idx);
            }
            var cmd = new NpgsqlBatchCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, Sql, x.W.Plan.Target.Quoted, ValueTombstoneSql.Typed(x.W.Plan.Target.Quoted, "$6")));
            cmd.Parameters.Add(new() { Value = link.Sync });
            cmd.Parameters.Add(new() { Value = x.W.Plan.Target.Quoted });
            cmd.Parameters.Add(new() { Value = JsonSerializer.Serialize(old) });
            cmd.Parameters.Add(new() { Value = (long)local.OriginId });
            cmd.Parameters.Add(new() { Value = held, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            cmd.Parameters.Add(new() { Value = (object?)now ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            yield return cmd;
        }
    }

    /// <summary>
    /// Statements recording the unique values the remote change's new row holds, as held by the remote version: it is
    /// dropped here (a later version of its row is here already) but held them until that later version.
    /// </summary>
    public static IEnumerable<NpgsqlBatchCommand> OfDropped(MultiMasterLink link, ChangeResolver.Step x)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(x);
        var row = x.W.Change.NewRow;
        if (row is null || x.W.Uniques.Count == 0)
            yield break;
        var origin = link.Coordinator.OriginsInto(link.LocalNode).FirstOrDefault(o => o.Value == link.RemoteNode).Key;
        if (origin is null)
            yield break;
        var rel = x.W.Change.Relation;
        foreach (var cols in x.W.Uniques)
        {
            var idx = Indexes(rel, cols);
            if (idx.Any(i => i < 0 || row.IsNull(i) || row.IsUnchangedToast(i)))
                continue;
            var cmd = new NpgsqlBatchCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, DroppedSql, x.W.Plan.Target.Quoted, ValueTombstoneSql.Typed(x.W.Plan.Target.Quoted, "$3")));
            cmd.Parameters.Add(new() { Value = link.Sync });
            cmd.Parameters.Add(new() { Value = x.W.Plan.Target.Quoted });
            cmd.Parameters.Add(new() { Value = KeyJson.Of(rel, row, idx), NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new() { Value = origin });
            cmd.Parameters.Add(new() { Value = x.Begin.CommitTimestamp, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            yield return cmd;
        }
    }

    static int[] Indexes(RelationInfo rel, string[] cols) => [.. cols.Select(c => rel.Columns.ToList().IndexOf(c))];
}
