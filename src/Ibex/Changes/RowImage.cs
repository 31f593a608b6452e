using System.Text;

namespace Ibex.Changes;

/// <summary>
/// One row as pgoutput sent it: each column is NULL, "unchanged TOAST" (an UPDATE did not touch a large value and
/// it was not sent), or text bytes in the database's encoding (UTF-8). The bytes are copied out of Npgsql's
/// buffers, so a row stays valid after the next message is read.
/// </summary>
public sealed class RowImage
{
    /// <summary>Length marker of a NULL column.</summary>
    public const int Null = -1;

    /// <summary>Length marker of an unchanged TOAST column (value not sent; keep the target's).</summary>
    public const int UnchangedToast = -2;

    readonly byte[] _data;
    readonly int[] _offsets;
    readonly int[] _lengths;

    public RowImage(byte[] data, int[] offsets, int[] lengths)
    {
        _data = data;
        _offsets = offsets;
        _lengths = lengths;
    }

    public int Count => _lengths.Length;

    /// <summary>Memory the row holds, object headers included (three arrays and the row object), for the queue budget.</summary>
    public int ByteSize => _data.Length + (_lengths.Length * 8) + 112;

    public bool IsNull(int i) => _lengths[i] == Null;

    public bool IsUnchangedToast(int i) => _lengths[i] == UnchangedToast;

    public bool HasUnchangedToast => Array.IndexOf(_lengths, UnchangedToast) >= 0;

    /// <summary>Raw length: ≥ 0 for a value, <see cref="Null"/> or <see cref="UnchangedToast"/>.</summary>
    public int Length(int i) => _lengths[i];

    public ReadOnlySpan<byte> Bytes(int i) => _lengths[i] < 0 ? [] : _data.AsSpan(_offsets[i], _lengths[i]);

    /// <summary>The text value, or null for NULL and unchanged TOAST.</summary>
    public string? Text(int i) => _lengths[i] < 0 ? null : Encoding.UTF8.GetString(_data, _offsets[i], _lengths[i]);

    internal byte[] RawData => _data;

    internal int[] RawOffsets => _offsets;

    internal int[] RawLengths => _lengths;

    /// <summary>Builds a row from text values (null = NULL); for tests and for rows read with SQL.</summary>
    public static RowImage FromText(IReadOnlyList<string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var builder = new RowImageBuilder(values.Count);
        foreach (var v in values)
        {
            if (v is null)
                builder.AddNull();
            else
                builder.AddBytes(Encoding.UTF8.GetBytes(v));
        }
        return builder.Build();
    }
}
