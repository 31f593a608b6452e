using Ibex.Apply;
using Ibex.Changes;

namespace Ibex.Conflicts;

/// <summary>A remote change and its lookups: at its key (the old key of an update), at the new key of a key change, on its unique values.</summary>
/// <param name="Own">Null when this transaction already wrote the key.</param>
/// <param name="Moved">A key change only: the new key (null when this transaction already wrote it).</param>
public sealed record ConflictWork(Change Change, RelationPlan Plan, string Key, string NewKey, KeyProbe? Own, KeyProbe? Moved, IReadOnlyList<ConflictLookup> Clashes);
