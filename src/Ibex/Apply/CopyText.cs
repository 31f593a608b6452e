using Ibex.Changes;

namespace Ibex.Apply;

/// <summary>
/// Collects rows in COPY's text format (tab-separated, \N for NULL, backslash escapes) in one reusable byte buffer,
/// straight from the rows' UTF-8 bytes: nothing is decoded to characters and encoded again, and a long run of inserts
/// costs no allocation per row. The escaped characters are ASCII, and no byte of a multi-byte UTF-8 sequence is
/// ASCII, so escaping byte by byte is exact. The target session's client encoding is UTF-8 (Npgsql's).
/// </summary>
public sealed class CopyText
{
    const int InitialSize = 1 << 16;
    byte[] _buffer = new byte[InitialSize];
    int _used;

    /// <summary>Bytes collected and not yet taken.</summary>
    public int Length => _used;

    /// <summary>The rows collected so far; valid until <see cref="Clear"/> or the next <see cref="Append"/>.</summary>
    public ReadOnlyMemory<byte> Pending => _buffer.AsMemory(0, _used);

    /// <summary>Appends one row (the given columns, newline included).</summary>
    public void Append(RowImage row, IReadOnlyList<int> columns)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(columns);
        for (var k = 0; k < columns.Count; k++)
        {
            var i = columns[k];
            if (row.IsNull(i))
            {
                Ensure(3);
                if (k > 0)
                    _buffer[_used++] = (byte)'\t';
                _buffer[_used++] = (byte)'\\';
                _buffer[_used++] = (byte)'N';
                continue;
            }
            var bytes = row.Bytes(i);
            // Every byte may need two (an escape): room for the worst case, then copy.
            Ensure(1 + (2 * bytes.Length));
            if (k > 0)
                _buffer[_used++] = (byte)'\t';
            var start = 0;
            for (var j = 0; j < bytes.Length; j++)
            {
                var escape = bytes[j] switch
                {
                    (byte)'\\' => (byte)'\\',
                    (byte)'\n' => (byte)'n',
                    (byte)'\r' => (byte)'r',
                    (byte)'\t' => (byte)'t',
                    _ => (byte)0,
                };
                if (escape == 0)
                    continue;
                bytes[start..j].CopyTo(_buffer.AsSpan(_used));
                _used += j - start;
                _buffer[_used++] = (byte)'\\';
                _buffer[_used++] = escape;
                start = j + 1;
            }
            bytes[start..].CopyTo(_buffer.AsSpan(_used));
            _used += bytes.Length - start;
        }
        Ensure(1);
        _buffer[_used++] = (byte)'\n';
    }

    /// <summary>Forgets what was collected (after it was sent, or when the COPY is abandoned).</summary>
    public void Clear()
    {
        _used = 0;
        // Do not keep a buffer a single huge value needed.
        if (_buffer.Length > 1 << 20)
            _buffer = new byte[InitialSize];
    }

    void Ensure(int more)
    {
        if (_buffer.Length - _used < more)
            Array.Resize(ref _buffer, Math.Max(_used + more, _buffer.Length * 2));
    }
}
