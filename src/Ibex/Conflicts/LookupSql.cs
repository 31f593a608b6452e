using System.Runtime.CompilerServices;
using Ibex.Apply;
using Ibex.Sql;

namespace Ibex.Conflicts;

/// <summary>
/// The text of a row lookup (<see cref="ConflictLookups.Row"/>) and of its guard (<see cref="RowGuard"/>) for one
/// relation plan and set of columns, built once: a multi-master link looks up every row a remote transaction writes,
/// and building the same text again for each of them was a visible part of the daemon's CPU per transaction.
/// </summary>
public sealed record LookupSql(string Lookup, string Guard)
{
    static readonly ConditionalWeakTable<RelationPlan, Dictionary<string, LookupSql>> Cache = [];

    /// <summary>The texts for rows whose <paramref name="match"/> columns hold given values, except one at the <paramref name="notKey"/> columns' values.</summary>
    public static LookupSql For(RelationPlan plan, IReadOnlyList<int> match, IReadOnlyList<int>? notKey)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(match);
        var byColumns = Cache.GetValue(plan, _ => []);
        var signature = string.Join(',', match) + "|" + (notKey is null ? "-" : string.Join(',', notKey));
        lock (byColumns)
        {
            if (!byColumns.TryGetValue(signature, out var sql))
                byColumns[signature] = sql = Build(plan, match, notKey);
            return sql;
        }
    }

    static LookupSql Build(RelationPlan plan, IReadOnlyList<int> match, IReadOnlyList<int>? notKey)
    {
        var rel = plan.Source;
        var n = 0;
        var where = string.Join(" AND ", match.Select(c => $"t.{Ident.Quote(rel.Columns[c])} = {rel.Placeholder(c, ++n)}"));
        if (notKey is not null)
            where += " AND NOT (" + string.Join(" AND ", notKey.Select(c => $"t.{Ident.Quote(rel.Columns[c])} = {rel.Placeholder(c, ++n)}")) + ")";
        var keys = string.Join(", ", rel.KeyColumns.Select(c => $"t.{Ident.Quote(rel.Columns[c])}::text"));
        var fromWhere = $"{plan.Target.Quoted} t WHERE {where}";
        // The version comes from the select list: when the lock waited for a concurrent writer, PostgreSQL re-reads
        // the row's new version and computes the select list again, but a joined function would keep the old xmin.
        var lookup = $"SELECT to_jsonb(t)::text, (pg_xact_commit_timestamp_origin(t.xmin)).timestamp, (pg_xact_commit_timestamp_origin(t.xmin)).roident::int, ARRAY[{keys}]::text[], t.xmin::text FROM {fromWhere} FOR UPDATE OF t";
        return new LookupSql(lookup, RowGuard.Text(fromWhere, n + 1));
    }
}
