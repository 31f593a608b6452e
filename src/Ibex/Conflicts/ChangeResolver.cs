using Ibex.Apply;
using Ibex.Changes;
using Npgsql;

namespace Ibex.Conflicts;

/// <summary>
/// Decides one remote change against what the lookups found (<see cref="ConflictRules.Decide"/> for every choice) and
/// adds the statements that carry the outcome out: the change itself, rows it beat deleted, tombstones, a custom
/// function's row. A key change is a delete of the old key and a write of the new one, each decided on its own.
/// </summary>
public sealed class ChangeResolver(MultiMasterLink link, Func<NpgsqlConnection> connection, TransactionKeys keys)
{
    readonly TransactionKeys _keys = keys;
    readonly ConflictContest _contest = new(link, connection, keys);

    /// <summary>One change being decided, with what it needs.</summary>
    public sealed record Step(ConflictWork W, BeginItem Begin, ConflictStrategy Strategy, RowVersion Remote, ResolvedChanges Result)
    {
        /// <summary>A version of the change's key that reached this node was written knowing the change (<see cref="ConflictCase.Superseded"/>).</summary>
        public bool Superseded { get; init; }
    }

    public async Task DeleteAsync(Step x, CancellationToken cancellationToken)
    {
        var (w, plan) = (x.W, x.W.Plan);
        var state = _keys[plan.Target, w.Key];
        bool delete;
        if (state is KeyState.Present or KeyState.Absent)
            delete = state == KeyState.Present;
        else if (state == KeyState.Kept)
            delete = false; // this transaction's version already lost to the local one here
        else if (w.Own!.Row.Result is { } local)
            delete = await _contest.DecideAsync(x, ConflictKind.DeleteOriginDiffers, [local], true, cancellationToken).ConfigureAwait(false) == ConflictOutcome.ApplyRemote;
        else
            delete = await _contest.DecideAsync(x, ConflictKind.DeleteMissing, [], true, cancellationToken).ConfigureAwait(false) == ConflictOutcome.ApplyRemote;
        if (delete)
        {
            if (state is null)
                x.Result.Statements.AddRange(ValueRelease.Of(link, x, w.Own!.Row.Result, null));
            x.Result.Statements.Add(plan.DeleteCommand(w.Change.OldRow!));
            x.Result.Counts.Deletes++;
            _keys.Set(plan.Target, w.Key, KeyState.Absent);
        }
        else
            _keys.SetIfUndecided(plan.Target, w.Key, w.Own?.Row.Result is null ? KeyState.Absent : KeyState.Kept);
        // Kept even when the delete lost: a later version it beats may still arrive.
        _contest.AddTombstone(x, w.Key);
    }

    public async Task WriteAsync(Step x, CancellationToken cancellationToken)
    {
        var (w, change, plan) = (x.W, x.W.Change, x.W.Plan);
        var own = (Target: plan.Target, Key: w.Key);
        var keyChange = w.NewKey != w.Key;
        var ownState = _keys[own.Target, own.Key];

        // The change's own key: the row there, or its delete, against the remote version.
        var ownWins = true;
        var ownExists = ownState == KeyState.Present;
        LocalRow? local = null;
        if (ownState is null or KeyState.Kept)
        {
            local = w.Own!.Row.Result;
            ownExists = local is not null;
            var outcome = ConflictOutcome.ApplyRemote;
            if (ownState == KeyState.Kept)
                outcome = ConflictOutcome.KeepLocal; // this transaction's version already lost to the local one here
            else if (local is not null && change.Kind == ChangeKind.Update)
            {
                // Deletes later than the row lost to it here; a change made knowing the row still meets them.
                IReadOnlyList<RowVersion> deletes = keyChange || !x.Strategy.IsTotalOrder || w.Uniques.Count > 0 ? []
                    : ConflictRules.LaterDeletes(local.Version, w.Own.Tomb?.Tombstones ?? [], w.Own.Seen?.Tombstones ?? []);
                List<LocalRow> weighed = [local, .. deletes.Select(ConflictContest.Gone)];
                var conflict = _contest.Case(x, ConflictKind.UpdateOriginDiffers, weighed, !keyChange);
                outcome = await _contest.DecideAsync(x, conflict, weighed, cancellationToken).ConfigureAwait(false);
                if (ConflictRules.RowGoes(conflict, outcome))
                {
                    x.Result.Statements.AddRange(ValueRelease.Of(link, x, local, null));
                    x.Result.Statements.Add(ConflictStatements.DeleteByKey(plan, local.KeyValues));
                    x.Result.Counts.Deletes++;
                    _keys.Set(own.Target, own.Key, KeyState.Kept); // later changes of the row in this transaction lose too
                    return;
                }
            }
            else if (local is not null)
                outcome = await _contest.DecideAsync(x, ConflictKind.InsertExists, [local], true, cancellationToken).ConfigureAwait(false);
            else if (local is null && w.Own.Tomb!.Tombstones.Count > 0)
                outcome = await _contest.DecideAsync(x, ConflictKind.UpdateDeleted, [.. w.Own.Tomb.Tombstones.Select(ConflictContest.Gone)], !keyChange, cancellationToken).ConfigureAwait(false);
            else if (local is null && change.Kind == ChangeKind.Update)
                outcome = await _contest.DecideAsync(x, ConflictKind.UpdateMissing, [], true, cancellationToken).ConfigureAwait(false);
            if (outcome == ConflictOutcome.CallCustom)
                return;
            ownWins = outcome == ConflictOutcome.ApplyRemote;
        }
        if (!keyChange)
        {
            await WriteOwnKeyAsync(x, local, ownWins, ownExists, cancellationToken).ConfigureAwait(false);
            return;
        }

        // A key change: the new key's row, rows holding the new values, or the new key's delete, against the remote version.
        var moved = (Target: plan.Target, Key: w.NewKey);
        var movedState = _keys[moved.Target, moved.Key];
        var clashes = Clashes(x, ownWins && ownExists ? [w.NewKey, w.Key] : [w.NewKey]);
        var released = Released(x);
        var there = movedState is null or KeyState.Kept ? w.Moved!.Row.Result : null;
        List<LocalRow> met = there is null ? clashes : [there, .. clashes];
        // At the new key: the row there, or when none, the key's tombstones (weighed with the value holders too).
        List<LocalRow> atKey = there is not null ? [there] : movedState is null ? [.. w.Moved!.Tomb!.Tombstones.Select(ConflictContest.Gone)] : [];
        List<LocalRow> opponents = there is null ? [.. met, .. atKey, .. released] : [.. met, .. released];
        var newWins = true;
        if (movedState == KeyState.Kept)
            newWins = false;
        else if (met.Count > 0)
            newWins = await _contest.DecideAsync(x, met.Count == 1 ? ConflictKind.UpdateExists : ConflictKind.MultipleUniqueConflicts, opponents, false, cancellationToken).ConfigureAwait(false) == ConflictOutcome.ApplyRemote;
        else if (opponents.Count > 0)
            newWins = await _contest.DecideAsync(x, ConflictKind.UpdateDeleted, opponents, false, cancellationToken).ConfigureAwait(false) == ConflictOutcome.ApplyRemote;

        var stmts = x.Result.Statements;
        var movedGone = false;
        // Lost at the new key (to the row there or to a later delete of it): dropped, as a change that loses at its own
        // key is; it still took its values from older rows (UniqueMoveTests).
        if (!newWins && (movedState == KeyState.Kept || (atKey.Count > 0 && !_contest.Beats(x, atKey))))
            await DroppedAsync(x, [w.NewKey, w.Key], cancellationToken).ConfigureAwait(false);
        else if (!newWins && x.Strategy.IsTotalOrder && x.W.Uniques.Count > 0)
        {
            // The new key lost on a unique value, not at the key: decided apart, as on a node where the versions came
            // one by one. The version there (if any) it replaced, and then it was deleted for the value; its key
            // tombstone keeps an older version of the new key from coming back here, as WriteOwnKeyAsync does.
            if (there is not null && _contest.Beats(x, [there]))
            {
                stmts.AddRange(ValueRelease.Of(link, x, there, null));
                stmts.Add(ConflictStatements.DeleteByKey(plan, there.KeyValues));
                x.Result.Counts.Deletes++;
                movedGone = true;
            }
            if (there is null || movedGone)
                _contest.AddTombstone(x, w.NewKey);
            HeldUntilLost(x, clashes);
        }
        if (newWins)
        {
            RemoveClashes(x, clashes);
            if (there is not null)
            {
                // The version at the new key is replaced: the values it gives up it held until now (UniqueMoveTests).
                stmts.AddRange(ValueRelease.Of(link, x, there, change.NewRow));
                stmts.Add(ConflictStatements.DeleteByKey(plan, there.KeyValues));
            }
        }
        if (ownWins && ownExists)
            stmts.AddRange(ValueRelease.Of(link, x, local, newWins ? change.NewRow : null));
        if (ownWins && ownExists && newWins)
        {
            stmts.Add(plan.UpdateCommand(change.NewRow!, change.OldRow)); // the row moves, unchanged TOAST values and all
            x.Result.Counts.Updates++;
        }
        else if (ownWins && ownExists)
        {
            stmts.Add(plan.DeleteCommand(change.OldRow!));
            x.Result.Counts.Deletes++;
        }
        else if (newWins)
        {
            stmts.Add(plan.InsertCommand(change.NewRow!));
            x.Result.Counts.Inserts++;
        }
        _keys.Set(own.Target, own.Key, ownWins ? KeyState.Absent : KeyState.Kept);
        _keys.Set(moved.Target, moved.Key, newWins ? KeyState.Present : movedGone ? KeyState.Absent : KeyState.Kept);
        _contest.AddTombstone(x, w.Key); // the old key is gone on the remote node: a delete, as far as later versions of it go
    }

    // An insert, or an update that keeps its key: the row at the key (decided above) and the rows holding its unique values.
    async Task WriteOwnKeyAsync(Step x, LocalRow? local, bool ownWins, bool ownExists, CancellationToken cancellationToken)
    {
        var (w, change, plan) = (x.W, x.W.Change, x.W.Plan);
        var own = (Target: plan.Target, Key: w.Key);
        if (!ownWins)
        {
            _keys.Set(own.Target, own.Key, KeyState.Kept);
            await DroppedAsync(x, [w.Key], cancellationToken).ConfigureAwait(false);
            return;
        }
        var clashes = Clashes(x, [w.Key]);
        var released = Released(x);
        // The row at its key was decided above (the change's version replaces it), its unique values here: the rows
        // holding them at other keys, and rows that held them and gave them up (value tombstones), which count as
        // (deleted) holders: a value lost to them stays lost. Decided apart, as on a node where the versions arrive
        // one after the other: the change replaces the row at its key even when it then loses a value.
        if (clashes.Count > 0 || released.Count > 0)
        {
            var kind = clashes.Count > 1 ? ConflictKind.MultipleUniqueConflicts
                : clashes.Count == 0 ? ConflictKind.UpdateDeleted
                : change.Kind == ChangeKind.Insert ? ConflictKind.InsertExists : ConflictKind.UpdateExists;
            var outcome = await _contest.DecideAsync(x, kind, [.. clashes, .. released], false, cancellationToken).ConfigureAwait(false);
            if (outcome == ConflictOutcome.CallCustom)
                return;
            if (outcome != ConflictOutcome.ApplyRemote)
                HeldUntilLost(x, clashes);
            if (outcome != ConflictOutcome.ApplyRemote && ownExists)
            {
                // The change replaced the row's old version (decided above) but its new values lost: the row ends with
                // no version, as on the writing node once the winner reaches it (it deletes the loser there).
                x.Result.Statements.AddRange(ValueRelease.Of(link, x, local, null));
                x.Result.Statements.Add(local is not null ? ConflictStatements.DeleteByKey(plan, local.KeyValues) : plan.DeleteCommand(change.OldRow ?? change.NewRow!));
                x.Result.Counts.Deletes++;
                _contest.AddTombstone(x, w.Key);
                _keys.Set(own.Target, own.Key, KeyState.Absent);
                return;
            }
            if (outcome != ConflictOutcome.ApplyRemote)
            {
                // Nothing at its key here, but on a node where it arrived first it replaced what was there and was then
                // deleted for the value: its key tombstone (the losing version, as RemoveClashes writes there) keeps an
                // older version of the key from coming back here.
                _contest.AddTombstone(x, w.Key);
                _keys.Set(own.Target, own.Key, KeyState.Kept);
                return;
            }
        }
        RemoveClashes(x, clashes);
        if (ownExists)
        {
            x.Result.Statements.AddRange(ValueRelease.Of(link, x, local, change.NewRow));
            x.Result.Statements.Add(change.Kind == ChangeKind.Insert ? plan.OverwriteCommand(change.NewRow!) : plan.UpdateCommand(change.NewRow!, change.OldRow));
            x.Result.Counts.Updates++;
        }
        else
        {
            // A new row, or one coming back after a delete it beat (values not sent, unchanged TOAST, are NULL).
            x.Result.Statements.Add(plan.InsertCommand(change.NewRow!));
            x.Result.Counts.Inserts++;
        }
        _keys.Set(own.Target, own.Key, KeyState.Present);
    }

    /// <summary>
    /// The remote version lost at its own key to a later version there, but held its unique values from its commit
    /// until that version, as on a node where it arrived first: it takes them from older rows holding them (deleted)
    /// and is remembered as their holder (a value tombstone), so a write of them older than it loses here as there.
    /// Under <c>latest</c> and <c>priority</c>; the other strategies do not converge on unique values.
    /// </summary>
    async Task DroppedAsync(Step x, IReadOnlyCollection<string> exceptKeys, CancellationToken cancellationToken)
    {
        if (!x.Strategy.IsTotalOrder || x.W.Uniques.Count == 0 || x.W.Change.NewRow is null)
            return;
        var clashes = Clashes(x, exceptKeys);
        if (clashes.Count > 0)
        {
            var kind = clashes.Count > 1 ? ConflictKind.MultipleUniqueConflicts : x.W.Change.Kind == ChangeKind.Insert ? ConflictKind.InsertExists : ConflictKind.UpdateExists;
            await _contest.DecideAsync(x, kind, [.. clashes, .. Released(x)], false, cancellationToken).ConfigureAwait(false);
        }
        HeldUntilLost(x, clashes);
    }

    /// <summary>
    /// The remote version is not kept here (it lost at its key or on a value), but on a node where it came first it
    /// took its unique values from the older rows holding them and held them until a later version took them or its
    /// row: the rows it beats are deleted, and its values are recorded as held by it (a value tombstone), so an older
    /// write of one of them loses here as there (UniqueManyTests). A value it lost to a later version is recorded too,
    /// which changes nothing: the later version beats what the record beats. Under <c>latest</c> and <c>priority</c>.
    /// </summary>
    void HeldUntilLost(Step x, List<LocalRow> clashes)
    {
        if (!x.Strategy.IsTotalOrder || x.W.Uniques.Count == 0 || x.W.Change.NewRow is null)
            return;
        RemoveClashes(x, [.. clashes.Where(c => _contest.Beats(x, [c]))]);
        x.Result.Statements.AddRange(ValueRelease.OfDropped(link, x));
    }

    /// <summary>Local rows at other keys holding one of the change's unique values, once each, not written by this transaction.</summary>
    List<LocalRow> Clashes(Step x, IReadOnlyCollection<string> exceptKeys)
    {
        var rows = new List<LocalRow>();
        var keys = new HashSet<string>(exceptKeys);
        foreach (var l in x.W.Clashes)
            if (l.Result is { } row && keys.Add(ConflictStatements.KeyOf(x.W.Change.Relation, row.KeyValues))
                && _keys[x.W.Plan.Target, ConflictStatements.KeyOf(x.W.Change.Relation, row.KeyValues)] is null or KeyState.Kept)
                rows.Add(row);
        return rows;
    }

    /// <summary>Versions that held one of the change's unique values here and gave it up since (value tombstones).</summary>
    static List<LocalRow> Released(Step x) => [.. x.W.Released.SelectMany(l => l.Tombstones).Select(ConflictContest.Gone)];

    void RemoveClashes(Step x, List<LocalRow> clashes)
    {
        foreach (var row in clashes)
        {
            var key = ConflictStatements.KeyOf(x.W.Change.Relation, row.KeyValues);
            // The values it gives up that the change does not take (another unique column) it held until now.
            x.Result.Statements.AddRange(ValueRelease.Of(link, x, row, x.W.Change.NewRow));
            x.Result.Statements.Add(ConflictStatements.DeleteByKey(x.W.Plan, row.KeyValues));
            // Its tombstone carries the losing version, as on a node where that version arrives after the winner and
            // is dropped (and its row deleted): every node then weighs a later change of the row against the same delete.
            x.Result.Statements.Add(ConflictStatements.Tombstone(link.Sync, x.W.Change.Relation, key,
                row.Version.CommitTimestamp ?? x.Begin.CommitTimestamp, row.Version.CommitTimestamp is null ? link.RemoteNode : row.Version.Node ?? link.RemoteNode));
            x.Result.Counts.Deletes++;
            _keys.Set(x.W.Plan.Target, key, KeyState.Absent);
        }
    }
}
