namespace Ibex.Compare;

/// <summary>
/// The identity of a row being compared: the key columns' values as PostgreSQL prints them (<c>col::text</c>), or for
/// a table without a key, the md5 of the whole row's text.
/// </summary>
public sealed class RowKey : IEquatable<RowKey>
{
    readonly string[] _values;
    readonly int _hash;

    public RowKey(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = [.. values];
        var h = new HashCode();
        foreach (var v in _values)
            h.Add(v, StringComparer.Ordinal);
        _hash = h.ToHashCode();
    }

    public IReadOnlyList<string> Values => _values;

    public bool Equals(RowKey? other) => other is not null && _values.AsSpan().SequenceEqual(other._values);

    public override bool Equals(object? obj) => Equals(obj as RowKey);

    public override int GetHashCode() => _hash;

    public override string ToString() => string.Join(", ", _values);
}
