using System.Text;
using Ibex.Sql;

namespace Ibex.Compare;

/// <summary>
/// SQL that would make each target hold what the source holds, for the rows a comparison found: per target one
/// transaction of DELETEs, UPDATEs (of the changed columns only) and INSERTs. Ibex never runs it; values are literals
/// (<see cref="Ident.Literal"/>), and the session settings they were printed under are set first.
/// </summary>
public static class RepairScript
{
    public static string Build(CompareResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder();
        var byTarget = result.Tables.Where(t => t.Differences.Count > 0).GroupBy(t => t.Target).ToList();
        if (byTarget.Count == 0)
        {
            sb.AppendLine("-- ibex compare: nothing to repair");
            return sb.ToString();
        }
        foreach (var target in byTarget)
        {
            sb.AppendLine($"-- ibex compare: run on node {Comment(target.Key)} to make it match {Comment(result.Reference)}");
            sb.AppendLine("BEGIN;");
            sb.AppendLine("SET LOCAL DateStyle = ISO, YMD; SET LOCAL IntervalStyle = postgres; SET LOCAL TimeZone = 'UTC';");
            sb.AppendLine("SET LOCAL extra_float_digits = 3; SET LOCAL bytea_output = hex; SET LOCAL standard_conforming_strings = on;");
            foreach (var table in target)
                Table(sb, table);
            sb.AppendLine("COMMIT;");
        }
        return sb.ToString();
    }

    static void Table(StringBuilder sb, TableComparison t)
    {
        sb.AppendLine($"-- {Comment(t.Table.Display)}: {t.Count(DifferenceKind.MissingOnTarget)} missing, {t.Count(DifferenceKind.ExtraOnTarget)} extra, {t.Count(DifferenceKind.Different)} different");
        var name = t.Table.Quoted;
        var writable = t.Columns.Select((c, i) => (Name: c, Index: i)).Where(c => !t.GeneratedColumns.Contains(c.Name)).ToList();
        foreach (var d in t.Differences.Where(d => d.Kind == DifferenceKind.ExtraOnTarget))
        {
            if (t.KeyColumns.Count > 0)
                sb.AppendLine($"DELETE FROM {name} WHERE {KeyMatch(t, d.Key)};");
            else
                sb.AppendLine($"DELETE FROM {name} WHERE ctid IN (SELECT ctid FROM {name} WHERE md5(ROW({Ident.QuoteList(t.Columns)})::text) = {Ident.Literal(d.Key.Values[0])} LIMIT {d.Count});");
        }
        foreach (var d in t.Differences.Where(d => d.Kind == DifferenceKind.Different))
        {
            if (d.SourceRow is null)
            {
                sb.AppendLine($"-- {Comment(RowText.Describe(t, d))}: values not fetched, cannot repair");
                continue;
            }
            var changed = d.ChangedColumns.Count > 0 ? d.ChangedColumns : t.Columns.Where(c => !t.KeyColumns.Contains(c)).ToList();
            var sets = writable.Where(c => changed.Contains(c.Name)).Select(c => $"{Ident.Quote(c.Name)} = {Value(d.SourceRow[c.Index])}").ToList();
            if (sets.Count > 0)
                sb.AppendLine($"UPDATE {name} SET {string.Join(", ", sets)} WHERE {KeyMatch(t, d.Key)};");
        }
        foreach (var d in t.Differences.Where(d => d.Kind == DifferenceKind.MissingOnTarget))
        {
            if (d.SourceRow is null)
            {
                sb.AppendLine($"-- {Comment(RowText.Describe(t, d))}: values not fetched, cannot repair");
                continue;
            }
            var values = "(" + string.Join(", ", writable.Select(c => Value(d.SourceRow[c.Index]))) + ")";
            var rows = string.Join(", ", Enumerable.Repeat(values, (int)Math.Min(d.Count, int.MaxValue)));
            sb.AppendLine($"INSERT INTO {name} ({Ident.QuoteList(writable.Select(c => c.Name))}) OVERRIDING SYSTEM VALUE VALUES {rows};");
        }
    }

    static string KeyMatch(TableComparison t, RowKey key)
        => string.Join(" AND ", t.KeyColumns.Select((k, i) => $"{Ident.Quote(k)} = {Ident.Literal(key.Values[i])}"));

    static string Value(string? v) => v is null ? "NULL" : Ident.Literal(v);

    /// <summary>Text safe inside a one-line SQL comment.</summary>
    static string Comment(string s) => s.Replace('\n', ' ').Replace('\r', ' ');
}
