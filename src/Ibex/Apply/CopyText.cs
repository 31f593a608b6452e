using System.Text;
using Ibex.Changes;

namespace Ibex.Apply;

/// <summary>Encodes row values in COPY's text format (tab-separated, \N for NULL, backslash escapes).</summary>
public static class CopyText
{
    /// <summary>Appends one row (the given columns of <paramref name="row"/>) as a COPY text line, newline included.</summary>
    public static void AppendRow(StringBuilder sb, RowImage row, IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(columns);
        for (var k = 0; k < columns.Count; k++)
        {
            if (k > 0)
                sb.Append('\t');
            var i = columns[k];
            if (row.IsNull(i))
            {
                sb.Append("\\N");
                continue;
            }
            var text = row.Text(i)!;
            var start = 0;
            for (var j = 0; j < text.Length; j++)
            {
                var escaped = text[j] switch
                {
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    _ => null,
                };
                if (escaped is null)
                    continue;
                sb.Append(text, start, j - start).Append(escaped);
                start = j + 1;
            }
            sb.Append(text, start, text.Length - start);
        }
        sb.Append('\n');
    }
}
