using System.Text.Json;
using Ibex.Changes;

namespace Ibex.Conflicts;

/// <summary>
/// A row's key as JSON text, <c>{"id":"42"}</c>: key columns sorted by name with their text values, so the same key
/// gives the same text on every node whatever the column order (used for tombstones and the conflict log).
/// </summary>
public static class KeyJson
{
    public static string Of(RelationInfo relation, RowImage row, IReadOnlyList<int> keyColumns)
    {
        ArgumentNullException.ThrowIfNull(relation);
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(keyColumns);
        return Of(keyColumns.Select(i => (relation.Columns[i], row.Text(i))));
    }

    /// <summary>The same text from column names and their text values (rows read with SQL, e.g. by the initial copy).</summary>
    public static string Of(IEnumerable<(string Column, string? Value)> key)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            foreach (var (column, value) in key.OrderBy(k => k.Column, StringComparer.Ordinal))
                w.WriteString(column, value);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The whole row as a JSON object of text values (unchanged TOAST values left out), for the conflict log.</summary>
    public static string Row(RelationInfo relation, RowImage row)
    {
        ArgumentNullException.ThrowIfNull(relation);
        ArgumentNullException.ThrowIfNull(row);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            for (var i = 0; i < row.Count; i++)
            {
                if (row.IsUnchangedToast(i))
                    continue;
                if (row.IsNull(i))
                    w.WriteNull(relation.Columns[i]);
                else
                    w.WriteString(relation.Columns[i], row.Text(i));
            }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
