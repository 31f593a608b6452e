using Ibex.Apply;
using Ibex.Changes;

namespace Ibex.Conflicts;

/// <summary>A remote change and its lookups: at its key (the old key of an update), at the new key of a key change, on its unique values.</summary>
/// <param name="Own">Null when this transaction already wrote the key.</param>
/// <param name="Moved">A key change only: the new key (null when this transaction already wrote it).</param>
/// <param name="Clashes">The local rows at other keys holding its unique values.</param>
public sealed record ConflictWork(Change Change, RelationPlan Plan, string Key, string NewKey, KeyProbe? Own, KeyProbe? Moved, IReadOnlyList<ConflictLookup> Clashes)
{
    /// <summary>The value tombstones of its unique values: versions that held them here and gave them up.</summary>
    public IReadOnlyList<ConflictLookup> Released { get; init; } = [];

    /// <summary>The table's unique indexes other than its key, each as its column names.</summary>
    public IReadOnlyList<string[]> Uniques { get; init; } = [];
}
