using Ibex.Conflicts;

namespace Ibex.Copy;

/// <summary>
/// How a copied row meets what a target already holds for its key when the target was written to before or during
/// the copy (pure decisions; <see cref="StagedMerge"/> reads the rows and applies them).
/// </summary>
/// <remarks>
/// One-way: the source is authoritative, so its copied row replaces the target's row with the same key; rows only the
/// target has stay. Multi-master: the copied row is a version (its commit time on the source, the source node) and the
/// node's row or delete is another; <c>latest</c> and <c>priority</c> decide them by the same total order as every
/// other conflict, so every node ends with the same row. <c>keep-local</c>, <c>abort</c> and <c>custom</c> keep the
/// node's own version (the node's change reaches the other nodes by its stream, where their strategy decides it).
/// </remarks>
public static class CopyMergeRules
{
    /// <summary>Does the copied version replace the local row (or undo the local delete) of the same key?</summary>
    public static bool CopiedWins(ConflictStrategy? strategy, RowVersion local, RowVersion copied)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(copied);
        if (strategy is null)
            return true; // one-way: the source wins
        return strategy.IsTotalOrder && strategy.RemoteWins(local, copied);
    }

    /// <summary>A local version is a conflict when another node than the copy's source wrote it (an earlier copy's row is not).</summary>
    public static bool IsConflict(RowVersion local, string source)
    {
        ArgumentNullException.ThrowIfNull(local);
        return local.Node != source;
    }

    /// <summary>The delete that decides: the greatest under a total order, else the newest.</summary>
    public static RowVersion? StrongestDelete(ConflictStrategy strategy, IReadOnlyList<RowVersion> deletes)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(deletes);
        if (deletes.Count == 0)
            return null;
        var best = deletes[0];
        foreach (var d in deletes.Skip(1))
            if (strategy.IsTotalOrder ? strategy.RemoteWins(best, d) : ConflictStrategy.LaterWins(best, d))
                best = d;
        return best;
    }
}
