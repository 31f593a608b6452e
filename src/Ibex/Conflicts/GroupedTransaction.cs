using Ibex.Apply;
using Ibex.Changes;

namespace Ibex.Conflicts;

/// <summary>
/// A whole remote transaction of a multi-master link waiting, with others, to be decided on lookups made together
/// (<see cref="TransactionGroup"/>); kept until the target has committed it, so it can be decided again.
/// </summary>
public sealed record GroupedTransaction(BeginItem Begin, IReadOnlyList<(Change Change, RelationPlan Plan)> Changes, CommitItem Commit, ConflictPlan Plan);
