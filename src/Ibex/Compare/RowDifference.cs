namespace Ibex.Compare;

/// <summary>One row that differs between the source and a target.</summary>
/// <param name="Kind">Missing on the target, extra on the target, or different values.</param>
/// <param name="Key">The row's key values (for a table without a key: the md5 of the row's text).</param>
public sealed record RowDifference(DifferenceKind Kind, RowKey Key)
{
    /// <summary>How many copies of the row differ (tables without a key may hold duplicates); 1 for keyed tables.</summary>
    public long Count { get; init; } = 1;

    /// <summary>The source's values of the compared columns, as text (null for SQL NULL); null when not fetched.</summary>
    public IReadOnlyList<string?>? SourceRow { get; init; }

    /// <summary>The target's values of the compared columns, as text; null when not fetched.</summary>
    public IReadOnlyList<string?>? TargetRow { get; init; }

    /// <summary>Columns whose values differ (for <see cref="DifferenceKind.Different"/> rows whose values were fetched).</summary>
    public IReadOnlyList<string> ChangedColumns { get; init; } = [];
}
