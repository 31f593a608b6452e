using System.Buffers;
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
        // Once or twice per change a multi-master link applies: no LINQ, and one writer per thread reused.
        if (keyColumns.Count == 1)
            return Write([(relation.Columns[keyColumns[0]], row.Text(keyColumns[0]))]);
        var key = new (string Column, string? Value)[keyColumns.Count];
        for (var k = 0; k < key.Length; k++)
            key[k] = (relation.Columns[keyColumns[k]], row.Text(keyColumns[k]));
        return Write(key);
    }

    /// <summary>The same text from column names and their text values (rows read with SQL, e.g. by the initial copy).</summary>
    public static string Of(IEnumerable<(string Column, string? Value)> key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Write([.. key]);
    }

    [ThreadStatic]
    static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? _writer;

    static string Write((string Column, string? Value)[] key)
    {
        if (key.Length > 1)
            Array.Sort(key, static (a, b) => string.CompareOrdinal(a.Column, b.Column));
        var (buffer, w) = _writer ??= (new ArrayBufferWriter<byte>(256), new Utf8JsonWriter(Stream.Null));
        buffer.ResetWrittenCount();
        w.Reset(buffer);
        w.WriteStartObject();
        foreach (var (column, value) in key)
            w.WriteString(column, value);
        w.WriteEndObject();
        w.Flush();
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
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
