namespace Ibex.Compare;

/// <summary>
/// A range of key values: rows whose key is greater than <see cref="After"/> and at most <see cref="UpTo"/>
/// (null bounds are open). Bounds are key values as text; PostgreSQL converts them to the key columns' types.
/// </summary>
public sealed record KeyRange(IReadOnlyList<string>? After, IReadOnlyList<string>? UpTo)
{
    public static readonly KeyRange All = new(null, null);
}
