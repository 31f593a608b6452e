namespace Ibex.Conflicts;

/// <summary>
/// The conflict decision as a pure function: (kind, local versions, remote version, strategy) → outcome. The applier
/// (<see cref="ConflictApplier"/>) reads rows and writes statements; every choice between them is made here.
/// </summary>
/// <remarks>
/// The rules, for every strategy:
/// <list type="bullet">
/// <item><c>update_missing</c>: nothing here to weigh; the row is written from the remote values (it exists on the
/// remote node). <c>delete_missing</c>: nothing to delete (skip); the delete's tombstone is still kept.</item>
/// <item>A local version the remote node had already seen when it made its change is superseded by it: the change
/// was made knowing it. Only concurrent versions are weighed.</item>
/// <item>The other way round, a remote change that the writer of a version of the key which already reached this node
/// had seen (<see cref="ConflictCase.Superseded"/>) was replaced there: it loses here as on every node, whatever the
/// versions it meets, unlogged (it is not concurrent with what replaced it). The applier asks this only for tables
/// without a secondary unique index: a superseded change may have removed rows holding its values on other nodes.</item>
/// <item><c>latest</c> and <c>priority</c>: the remote change wins when it beats every concurrent local version by the
/// strategy's total order; then all of them are replaced (rows clashing on unique values are deleted). Otherwise the
/// remote change is dropped whole, nothing of it applied.</item>
/// <item><c>keep-local</c>: the local versions stay. <c>abort</c>: stop (decided as <c>latest</c> once an operator
/// resumes). <c>custom</c>: the function decides a conflict over the one row at the change's own key; conflicts over
/// rows at other keys (<c>update_exists</c>, <c>multiple_unique_conflicts</c>, a clash on a unique value, a key
/// change) are decided as under <c>latest</c>.</item>
/// </list>
/// </remarks>
public static class ConflictRules
{
    public static ConflictOutcome Decide(ConflictCase conflict, ConflictStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(conflict);
        ArgumentNullException.ThrowIfNull(strategy);
        switch (conflict.Kind)
        {
            case ConflictKind.UpdateMissing:
                return conflict.Superseded ? ConflictOutcome.KeepLocal : ConflictOutcome.ApplyRemote;
            case ConflictKind.DeleteMissing:
                return ConflictOutcome.Skip;
        }
        if (conflict.Superseded)
            return ConflictOutcome.KeepLocal;
        if (conflict.Local.Count == 0)
            throw new ArgumentException($"a {conflict.Kind.Name()} conflict needs the local version(s) the change met", nameof(conflict));
        if (!conflict.Concurrent)
            return ConflictOutcome.ApplyRemote;
        var s = strategy.Kind == StrategyKind.Abort && conflict.OperatorResolved ? ConflictStrategy.Latest : strategy;
        if (s.IsTotalOrder)
            return ByOrder(conflict, s);
        return s.Kind switch
        {
            StrategyKind.KeepLocal => ConflictOutcome.KeepLocal,
            StrategyKind.Abort => ConflictOutcome.Abort,
            StrategyKind.Custom when conflict.OneRow && conflict.Kind is not (ConflictKind.UpdateExists or ConflictKind.MultipleUniqueConflicts) => ConflictOutcome.CallCustom,
            _ => ByOrder(conflict, ConflictStrategy.Latest),
        };
    }

    /// <summary>Is the conflict written to the conflict log? Not a superseded change; missing rows always; otherwise when concurrent or lost.</summary>
    public static bool IsLogged(ConflictCase conflict, ConflictOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(conflict);
        return !conflict.Superseded && (conflict.Kind is ConflictKind.UpdateMissing or ConflictKind.DeleteMissing || conflict.Concurrent || outcome != ConflictOutcome.ApplyRemote);
    }

    /// <summary>The local version the log shows: the strongest concurrent one under the order (the first when none is).</summary>
    public static int Strongest(ConflictCase conflict, ConflictStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(conflict);
        ArgumentNullException.ThrowIfNull(strategy);
        var order = strategy.IsTotalOrder ? strategy : ConflictStrategy.Latest;
        var best = -1;
        for (var i = 0; i < conflict.Local.Count; i++)
            if (conflict.Local[i].Concurrent && (best < 0 || order.RemoteWins(conflict.Local[best].Version, conflict.Local[i].Version)))
                best = i;
        return Math.Max(best, 0);
    }

    /// <summary>
    /// Was this local version written without <paramref name="remoteNode"/> having seen it? Not when that node wrote it;
    /// not when its time is unknown; else when it is later than the newest change from its writer the remote node had
    /// applied (<paramref name="seen"/>), or, for a writer the remote node never heard from, later than the sync's creation.
    /// </summary>
    public static bool IsConcurrent(RowVersion local, string remoteNode, IReadOnlyDictionary<string, DateTime>? seen, DateTime baseline)
    {
        ArgumentNullException.ThrowIfNull(local);
        if (local.Node == remoteNode || local.CommitTimestamp is not { } t)
            return false;
        if (local.Node is null || seen is null || !seen.TryGetValue(local.Node, out var s))
            return t > baseline;
        return t > s;
    }

    /// <summary>
    /// Had the writer of a version of the key that reached this node seen the <paramref name="remote"/> change when it
    /// wrote? <paramref name="seen"/>: per node, the latest commit time of that node's changes such a writer had applied
    /// (<see cref="TombstoneSql.SeenUpsert"/>). Then the change was replaced on that writer's node and is superseded on
    /// every node, whichever of the two arrives first.
    /// </summary>
    public static bool IsSuperseded(RowVersion remote, IEnumerable<RowVersion> seen)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(seen);
        return remote is { Node: { } node, CommitTimestamp: { } t } && seen.Any(s => s.Node == node && s.CommitTimestamp >= t);
    }

    /// <summary>
    /// The deletes of a key that still count against an update of the <paramref name="local"/> row: those later than it
    /// (concurrent with it: they lost to it here) that no version which reached this node was written knowing
    /// (<paramref name="seen"/>, as in <see cref="IsSuperseded"/>). An update made knowing the row replaces the row,
    /// not them: it is weighed against them too (after the row, in <see cref="ConflictCase.Local"/>).
    /// </summary>
    public static IReadOnlyList<RowVersion> LaterDeletes(RowVersion local, IEnumerable<RowVersion> tombstones, IEnumerable<RowVersion> seen)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(tombstones);
        ArgumentNullException.ThrowIfNull(seen);
        var known = seen.ToList();
        return local.CommitTimestamp is { } t ? [.. tombstones.Where(d => d.CommitTimestamp > t && !IsSuperseded(d, known))] : [];
    }

    /// <summary>
    /// An update of a row (<see cref="ConflictCase.Local"/>[0]), weighed with its <see cref="LaterDeletes"/>, lost to one
    /// of those deletes though made knowing the row: the row goes, as on the node that made the update once that delete
    /// reaches it.
    /// </summary>
    public static bool RowGoes(ConflictCase conflict, ConflictOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(conflict);
        return outcome == ConflictOutcome.KeepLocal && conflict.Kind == ConflictKind.UpdateOriginDiffers && !conflict.Superseded
            && conflict.Local.Count > 1 && !conflict.Local[0].Concurrent;
    }

    static ConflictOutcome ByOrder(ConflictCase conflict, ConflictStrategy order)
        => conflict.Local.Where(l => l.Concurrent).All(l => order.RemoteWins(l.Version, conflict.Remote)) ? ConflictOutcome.ApplyRemote : ConflictOutcome.KeepLocal;
}
