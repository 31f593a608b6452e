using System.Text.Json;
using Ibex.Apply;
using Ibex.Changes;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Conflicts;

/// <summary>
/// The value tombstones a remote change writes when it replaces a local version it was made knowing (not concurrent
/// with it): that version's secondary unique values the change gives up. A version replaced because it lost to a
/// concurrent one is not recorded: it lost, and on a node that received it after the winner it never held its values.
/// Local writes record theirs with the trigger (<see cref="ValueTombstoneSql"/>), which does not fire in apply sessions.
/// </summary>
public static class ValueRelease
{
    const string Sql = """
        INSERT INTO ibex_mm.value_tombstone AS v (sync, relation, value, held_by, held_at)
        SELECT $1, $2, $3::jsonb, $4::oid, $5
        WHERE $6::jsonb IS NULL
           OR $3::jsonb IS DISTINCT FROM (SELECT jsonb_object_agg(ibex_c.name, to_jsonb(ibex_r) -> ibex_c.name) FROM jsonb_populate_record(NULL::{0}, $6::jsonb) ibex_r, jsonb_object_keys($6::jsonb) AS ibex_c(name))
        ON CONFLICT (sync, relation, value, held_by) DO UPDATE SET held_at = EXCLUDED.held_at WHERE v.held_at < EXCLUDED.held_at
        """;

    /// <summary>
    /// Statements recording the unique values of <paramref name="local"/> that <paramref name="newRow"/> (null: the row
    /// is deleted) no longer holds, when the remote change replacing it was made knowing it.
    /// </summary>
    public static IEnumerable<NpgsqlBatchCommand> Of(MultiMasterLink link, ChangeResolver.Step x, LocalRow? local, RowImage? newRow)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(x);
        if (local is null || local.Version.CommitTimestamp is not { } held || x.W.Uniques.Count == 0
            || ConflictRules.IsConcurrent(local.Version, link.RemoteNode, x.Begin.Seen, link.Coordinator.Baseline))
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
                var idx = cols.Select(c => rel.Columns.ToList().IndexOf(c)).ToArray();
                if (idx.Any(i => i < 0 || newRow.IsUnchangedToast(i)))
                    continue; // not sent: unchanged, still held
                if (idx.All(i => !newRow.IsNull(i)))
                    now = KeyJson.Of(rel, newRow, idx);
            }
            var cmd = new NpgsqlBatchCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, Sql, x.W.Plan.Target.Quoted));
            cmd.Parameters.Add(new() { Value = link.Sync });
            cmd.Parameters.Add(new() { Value = x.W.Plan.Target.Quoted });
            cmd.Parameters.Add(new() { Value = JsonSerializer.Serialize(old) });
            cmd.Parameters.Add(new() { Value = (long)local.OriginId });
            cmd.Parameters.Add(new() { Value = held, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            cmd.Parameters.Add(new() { Value = (object?)now ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            yield return cmd;
        }
    }
}
