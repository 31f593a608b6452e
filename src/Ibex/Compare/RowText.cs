using Ibex.Sql;

namespace Ibex.Compare;

/// <summary>How reports name rows: keys like PostgreSQL's own messages, <c>(region, id)=(eu, 17)</c>; rows without a key by their values.</summary>
public static class RowText
{
    public static string Describe(TableComparison table, RowDifference difference)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(difference);
        if (table.KeyColumns.Count > 0)
            return $"({string.Join(", ", table.KeyColumns.Select(Name))})=({string.Join(", ", difference.Key.Values)})";
        var row = difference.SourceRow ?? difference.TargetRow;
        var text = row is null ? $"row with md5 {difference.Key.Values[0]}" : "(" + string.Join(", ", row.Select(v => v ?? "NULL")) + ")";
        return difference.Count > 1 ? $"{text} ×{difference.Count}" : text;
    }

    /// <summary>A column name as an operator reads it: quoted only when needed.</summary>
    public static string Name(string column)
    {
        ArgumentNullException.ThrowIfNull(column);
        var plain = column.Length > 0 && (char.IsAsciiLetterLower(column[0]) || column[0] == '_')
            && column.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
        return plain ? column : Ident.Quote(column);
    }
}
