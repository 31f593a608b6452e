using System.Text;
using Ibex.Changes;

namespace Ibex.Apply;

/// <summary>
/// Encodes rows in COPY's text format (tab-separated, \N for NULL, backslash escapes) into a reusable buffer, so a long
/// run of inserts costs no allocation per row.
/// </summary>
public sealed class CopyText
{
    char[] _line = new char[4096];
    char[] _value = new char[1024];

    /// <summary>Encodes one row (the given columns, newline included) and returns it; valid until the next call.</summary>
    public ReadOnlyMemory<char> Encode(RowImage row, IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(columns);
        var used = 0;
        for (var k = 0; k < columns.Count; k++)
        {
            var i = columns[k];
            if (row.IsNull(i))
            {
                Ensure(ref _line, used + 3);
                if (k > 0)
                    _line[used++] = '\t';
                _line[used++] = '\\';
                _line[used++] = 'N';
                continue;
            }
            var bytes = row.Bytes(i);
            Ensure(ref _value, bytes.Length);
            var n = Encoding.UTF8.GetChars(bytes, _value);
            // Every character may need two (an escape): room for the worst case, then copy.
            Ensure(ref _line, used + 1 + (2 * n) + 1);
            if (k > 0)
                _line[used++] = '\t';
            for (var j = 0; j < n; j++)
            {
                var c = _value[j];
                switch (c)
                {
                    case '\\':
                        _line[used++] = '\\';
                        _line[used++] = '\\';
                        break;
                    case '\n':
                        _line[used++] = '\\';
                        _line[used++] = 'n';
                        break;
                    case '\r':
                        _line[used++] = '\\';
                        _line[used++] = 'r';
                        break;
                    case '\t':
                        _line[used++] = '\\';
                        _line[used++] = 't';
                        break;
                    default:
                        _line[used++] = c;
                        break;
                }
            }
        }
        Ensure(ref _line, used + 1);
        _line[used++] = '\n';
        var line = _line.AsMemory(0, used);
        // Do not keep a buffer a single huge value needed.
        if (_line.Length > 1 << 20 && used < 1 << 16)
            _line = new char[4096];
        return line;
    }

    static void Ensure(ref char[] buffer, int size)
    {
        if (buffer.Length < size)
            Array.Resize(ref buffer, Math.Max(size, buffer.Length * 2));
    }
}
