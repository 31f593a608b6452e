using System.Text.Json;
using Ibex.Changes;
using Ibex.Conflicts;
using Ibex.Sql;

namespace Ibex.Tests.MultiMaster;

/// <summary>
/// A key's JSON text is how tombstones and the conflict log name a row on every node: the faster writer must give
/// exactly the text the first one gave (columns sorted by name, the same escaping), or tombstones written before an
/// upgrade would no longer be found.
/// </summary>
public sealed class KeyJsonTests
{
    // The first implementation, kept as the reference.
    static string Reference(IEnumerable<(string Column, string? Value)> key)
    {
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

    [Theory]
    [InlineData(new[] { 0 })]
    [InlineData(new[] { 2, 0 })]
    [InlineData(new[] { 1, 2, 0 })]
    [InlineData(new[] { 3 })]
    public void Same_text_as_the_reference_whatever_the_values(int[] keyColumns)
    {
        var rel = new RelationInfo(1, 1, new QualifiedName("public", "t"), ["zeta", "Alpha", "mid \"q\"", "é<&>"], [25, 25, 25, 25], keyColumns, false);
        string?[][] rows =
        [
            ["42", "x", "y", "z"],
            ["Zürich 東京 🐐", "<script>&'\"", "line1\nline2\t\\", null],
            [new string('a', 1000), "", "+", "\u0001\u007f"],
        ];
        foreach (var values in rows)
        {
            var row = RowImage.FromText(values);
            var expected = Reference(keyColumns.Select(i => (rel.Columns[i], row.Text(i))));
            Assert.Equal(expected, KeyJson.Of(rel, row, keyColumns));
            Assert.Equal(expected, KeyJson.Of(keyColumns.Select(i => (rel.Columns[i], row.Text(i)))));
        }
    }
}
