using Ibex.Apply;
using Ibex.Changes;
using Ibex.Sql;
using Npgsql;

namespace Ibex.Conflicts;

/// <summary>
/// Applies a multi-master link's changes with conflict detection. For each row a transaction touches first, the local
/// version is read and locked (<see cref="ConflictLookups"/>), with the tombstone of a deleted row and the rows that
/// clash on other unique indexes, all in one round trip. Each way a change meets local data is a
/// <see cref="ConflictKind"/>, decided by the pure <see cref="ConflictRules.Decide"/>; this class only turns the
/// outcome into statements. A key change is a delete of the old key and a write of the new one, each decided on its own.
/// </summary>
public sealed class ConflictApplier
{
    static readonly TimeSpan RecorderWait = TimeSpan.FromSeconds(20);

    readonly MultiMasterLink _link;
    readonly Func<NpgsqlConnection> _connection;
    readonly ConflictLookups _lookups;
    readonly Dictionary<(QualifiedName Table, string Key), KeyState> _touched = [];
    BeginItem? _begin;

    public ConflictApplier(MultiMasterLink link, Func<NpgsqlConnection> connection)
    {
        _link = link;
        _connection = connection;
        _lookups = new ConflictLookups(link, connection);
    }

    /// <summary>What this transaction left at a key: a row it wrote, no row, or the local version it lost to.</summary>
    enum KeyState
    {
        Present,
        Absent,
        Kept,
    }

    public void BeginTransaction(BeginItem begin)
    {
        _begin = begin;
        _touched.Clear();
    }

    public Task LoadOriginsAsync(CancellationToken cancellationToken) => _lookups.LoadOriginsAsync(cancellationToken);

    public async Task<ResolvedChanges> ResolveAsync(IReadOnlyList<(Change Change, RelationPlan Plan)> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var begin = _begin ?? throw new InvalidOperationException("no transaction");
        var lookups = new List<ConflictLookup>();
        var probes = new Dictionary<(QualifiedName, string), Probe>();
        var work = new List<Work>();
        foreach (var (change, plan) in changes)
        {
            if (change.Kind == ChangeKind.Truncate)
            {
                work.Add(new Work(change, plan, "", "", null, null, []));
                continue;
            }
            var rel = change.Relation;
            var row = change.Kind switch
            {
                ChangeKind.Insert => change.NewRow!,
                ChangeKind.Update => change.OldRow ?? change.NewRow!,
                _ => change.OldRow!,
            };
            var key = KeyJson.Of(rel, row, rel.KeyColumns);
            var newKey = change.Kind == ChangeKind.Update ? KeyJson.Of(rel, change.NewRow!, rel.KeyColumns) : key;
            var own = ProbeFor(plan, row, key, change.Kind != ChangeKind.Delete);
            var moved = newKey != key ? ProbeFor(plan, change.NewRow!, newKey, true) : null;
            var clashes = new List<ConflictLookup>();
            if (change.Kind is ChangeKind.Insert or ChangeKind.Update)
                foreach (var cols in await _lookups.UniquesAsync(plan, cancellationToken).ConfigureAwait(false))
                {
                    var idx = cols.Select(c => rel.Columns.ToList().IndexOf(c)).ToArray();
                    if (idx.Any(i => i < 0 || change.NewRow!.IsNull(i) || change.NewRow.IsUnchangedToast(i)))
                        continue;
                    clashes.Add(Add(ConflictLookups.Row(plan, change.NewRow!, idx, rel.KeyColumns)));
                }
            work.Add(new Work(change, plan, key, newKey, own, moved, clashes));
        }

        // This node's own deletes are recorded as tombstones by its reader, a little after they commit. If that
        // recorder had not caught up with this node's WAL when we looked, look again once it has.
        var isSource = _link.Coordinator.IsSource(_link.LocalNode);
        var recordedBefore = _link.Coordinator.Recorded(_link.LocalNode);
        var walNow = await _lookups.RunAsync(lookups, isSource, cancellationToken).ConfigureAwait(false);
        var unsure = probes.Values.Where(p => p.Tomb is not null && p.Row.Result is null).ToList();
        if (isSource && unsure.Count > 0 && recordedBefore < walNow)
        {
            // A marker in this node's own stream, after everything committed so far: the reader passes it on at once,
            // even when nothing else is being written.
            var fence = await _link.Coordinator.FenceAsync(_link.LocalNode, cancellationToken).ConfigureAwait(false);
            if (!await _link.Coordinator.WaitRecordedAsync(_link.LocalNode, fence, RecorderWait, cancellationToken).ConfigureAwait(false))
                throw new ApplyException($"target '{_link.LocalNode}': its own deletes are not being read (is its replication slot being read?); cannot decide a change of a deleted row in {unsure[0].Relation.Name.Display} yet", true);
            var again = unsure.Select(p => (Probe: p, Lookup: _lookups.Tombstone(p.Relation, p.Key))).ToList();
            await _lookups.RunAsync([.. again.Select(a => a.Lookup)], false, cancellationToken).ConfigureAwait(false);
            foreach (var (p, l) in again)
                p.Tomb!.Tombstones = l.Tombstones;
        }

        var result = new ResolvedChanges();
        foreach (var w in work)
        {
            var x = new Step(w, begin, _link.StrategyFor(w.Change.Relation.Name), new RowVersion(begin.CommitTimestamp, _link.RemoteNode), result);
            switch (w.Change.Kind)
            {
                case ChangeKind.Truncate:
                    result.Statements.Add(new NpgsqlBatchCommand($"TRUNCATE {w.Plan.Target.Quoted}"));
                    result.Counts.Truncates++;
                    break;
                case ChangeKind.Delete:
                    await DeleteAsync(x, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await WriteAsync(x, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        return result;

        ConflictLookup Add(ConflictLookup l)
        {
            lookups.Add(l);
            return l;
        }

        // What this node holds at a key, looked up once per batch, unless this transaction already wrote it.
        Probe? ProbeFor(RelationPlan plan, RowImage row, string key, bool withTombstone)
        {
            if (State(plan.Target, key) is KeyState.Present or KeyState.Absent)
                return null;
            if (!probes.TryGetValue((plan.Target, key), out var probe))
                probes[(plan.Target, key)] = probe = new Probe(plan.Source, key, Add(ConflictLookups.Row(plan, row, plan.Source.KeyColumns, null)));
            if (withTombstone && probe.Tomb is null)
                probe.Tomb = Add(_lookups.Tombstone(plan.Source, key));
            return probe;
        }
    }

    async Task DeleteAsync(Step x, CancellationToken cancellationToken)
    {
        var (w, plan) = (x.W, x.W.Plan);
        var state = State(plan.Target, w.Key);
        bool delete;
        if (state is KeyState.Present or KeyState.Absent)
            delete = state == KeyState.Present;
        else if (state == KeyState.Kept)
            delete = false; // this transaction's version already lost to the local one here
        else if (w.Own!.Row.Result is { } local)
            delete = await ContestAsync(x, ConflictKind.DeleteOriginDiffers, [local], true, cancellationToken).ConfigureAwait(false) == ConflictOutcome.ApplyRemote;
        else
            delete = await ContestAsync(x, ConflictKind.DeleteMissing, [], true, cancellationToken).ConfigureAwait(false) == ConflictOutcome.ApplyRemote;
        if (delete)
        {
            x.Result.Statements.Add(plan.DeleteCommand(w.Change.OldRow!));
            x.Result.Counts.Deletes++;
            _touched[(plan.Target, w.Key)] = KeyState.Absent;
        }
        else
            _touched.TryAdd((plan.Target, w.Key), w.Own?.Row.Result is null ? KeyState.Absent : KeyState.Kept);
        // Kept even when the delete lost: a later version it beats may still arrive.
        AddTombstone(x, w.Key);
    }

    async Task WriteAsync(Step x, CancellationToken cancellationToken)
    {
        var (w, change, plan) = (x.W, x.W.Change, x.W.Plan);
        var own = (plan.Target, w.Key);
        var keyChange = w.NewKey != w.Key;
        var ownState = State(own);

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
                outcome = await ContestAsync(x, ConflictKind.UpdateOriginDiffers, [local], !keyChange, cancellationToken).ConfigureAwait(false);
            else if (local is null && w.Own.Tomb!.Tombstones.Count > 0)
                outcome = await ContestAsync(x, ConflictKind.UpdateDeleted, [.. w.Own.Tomb.Tombstones.Select(Gone)], !keyChange, cancellationToken).ConfigureAwait(false);
            else if (local is null && change.Kind == ChangeKind.Update)
                outcome = await ContestAsync(x, ConflictKind.UpdateMissing, [], true, cancellationToken).ConfigureAwait(false);
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
        var moved = (plan.Target, w.NewKey);
        var movedState = State(moved);
        var clashes = Clashes(x, ownWins && ownExists ? [w.NewKey, w.Key] : [w.NewKey]);
        var there = movedState is null or KeyState.Kept ? w.Moved!.Row.Result : null;
        List<LocalRow> met = there is null ? clashes : [there, .. clashes];
        var newWins = true;
        if (movedState == KeyState.Kept)
            newWins = false;
        else if (met.Count > 0)
            newWins = await ContestAsync(x, met.Count == 1 ? ConflictKind.UpdateExists : ConflictKind.MultipleUniqueConflicts, met, false, cancellationToken).ConfigureAwait(false) == ConflictOutcome.ApplyRemote;
        else if (movedState is null && w.Moved!.Tomb!.Tombstones.Count > 0)
            newWins = await ContestAsync(x, ConflictKind.UpdateDeleted, [.. w.Moved.Tomb.Tombstones.Select(Gone)], false, cancellationToken).ConfigureAwait(false) == ConflictOutcome.ApplyRemote;

        var stmts = x.Result.Statements;
        if (newWins)
        {
            RemoveClashes(x, clashes);
            if (there is not null)
                stmts.Add(ConflictStatements.DeleteByKey(plan, there.KeyValues));
        }
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
        SetState(own, ownWins ? KeyState.Absent : KeyState.Kept);
        SetState(moved, newWins ? KeyState.Present : KeyState.Kept);
        AddTombstone(x, w.Key); // the old key is gone on the remote node: a delete, as far as later versions of it go
    }

    // An insert, or an update that keeps its key: the row at the key (decided above) and the rows holding its unique values.
    async Task WriteOwnKeyAsync(Step x, LocalRow? local, bool ownWins, bool ownExists, CancellationToken cancellationToken)
    {
        var (w, change, plan) = (x.W, x.W.Change, x.W.Plan);
        var own = (plan.Target, w.Key);
        if (!ownWins)
        {
            SetState(own, KeyState.Kept);
            return;
        }
        var clashes = Clashes(x, [w.Key]);
        // An insert meets the row at its key and the clashing rows as one conflict; an update met its row above.
        List<LocalRow> met = change.Kind == ChangeKind.Insert && local is not null ? [local, .. clashes] : clashes;
        if (met.Count > 0)
        {
            var kind = met.Count > 1 ? ConflictKind.MultipleUniqueConflicts : change.Kind == ChangeKind.Insert ? ConflictKind.InsertExists : ConflictKind.UpdateExists;
            var outcome = await ContestAsync(x, kind, met, clashes.Count == 0, cancellationToken).ConfigureAwait(false);
            if (outcome == ConflictOutcome.CallCustom)
                return;
            if (outcome != ConflictOutcome.ApplyRemote && change.Kind == ChangeKind.Update && ownExists)
            {
                // The update replaced the row's old version (decided above) but its new values lost: the row ends with
                // no version, as on the updating node once the winner reaches it (it deletes the loser there).
                x.Result.Statements.Add(local is not null ? ConflictStatements.DeleteByKey(plan, local.KeyValues) : plan.DeleteCommand(change.OldRow ?? change.NewRow!));
                x.Result.Counts.Deletes++;
                AddTombstone(x, w.Key);
                _touched[own] = KeyState.Absent;
                return;
            }
            if (outcome != ConflictOutcome.ApplyRemote)
            {
                SetState(own, KeyState.Kept);
                return;
            }
        }
        RemoveClashes(x, clashes);
        if (ownExists)
        {
            x.Result.Statements.Add(change.Kind == ChangeKind.Insert ? plan.OverwriteCommand(change.NewRow!) : plan.UpdateCommand(change.NewRow!, change.OldRow));
            x.Result.Counts.Updates++;
        }
        else
        {
            // A new row, or one coming back after a delete it beat (values not sent, unchanged TOAST, are NULL).
            x.Result.Statements.Add(plan.InsertCommand(change.NewRow!));
            x.Result.Counts.Inserts++;
        }
        _touched[own] = KeyState.Present;
    }

    /// <summary>Local rows at other keys holding one of the change's unique values, once each, not written by this transaction.</summary>
    List<LocalRow> Clashes(Step x, IReadOnlyCollection<string> exceptKeys)
    {
        var rows = new List<LocalRow>();
        var keys = new HashSet<string>(exceptKeys);
        foreach (var l in x.W.Clashes)
            if (l.Result is { } row && keys.Add(ConflictStatements.KeyOf(x.W.Change.Relation, row.KeyValues))
                && State(x.W.Plan.Target, ConflictStatements.KeyOf(x.W.Change.Relation, row.KeyValues)) is null or KeyState.Kept)
                rows.Add(row);
        return rows;
    }

    void RemoveClashes(Step x, List<LocalRow> clashes)
    {
        foreach (var row in clashes)
        {
            var key = ConflictStatements.KeyOf(x.W.Change.Relation, row.KeyValues);
            x.Result.Statements.Add(ConflictStatements.DeleteByKey(x.W.Plan, row.KeyValues));
            AddTombstone(x, key);
            x.Result.Counts.Deletes++;
            _touched[(x.W.Plan.Target, key)] = KeyState.Absent;
        }
    }

    /// <summary>Decides one conflict (<see cref="ConflictRules.Decide"/>), logs it, and carries out abort and custom.</summary>
    async Task<ConflictOutcome> ContestAsync(Step x, ConflictKind kind, IReadOnlyList<LocalRow> met, bool oneRow, CancellationToken cancellationToken)
    {
        var (w, begin) = (x.W, x.Begin);
        var conflict = new ConflictCase(kind, [.. met.Select(l => new LocalVersion(l.Version, ConflictRules.IsConcurrent(l.Version, _link.RemoteNode, begin.Seen, _link.Coordinator.Baseline)))], x.Remote)
        {
            OneRow = oneRow,
            OperatorResolved = x.Strategy.Kind == StrategyKind.Abort && _link.IsOperatorResolved(w.Change.Relation.Name, w.Key, begin.CommitLsn, begin.CommitTimestamp),
        };
        var outcome = ConflictRules.Decide(conflict, x.Strategy);
        var shown = met.Count == 0 ? Gone(new RowVersion(null, null)) : met[ConflictRules.Strongest(conflict, x.Strategy)];
        switch (outcome)
        {
            case ConflictOutcome.Abort:
                throw new ConflictAbortException(Record(x, kind, shown, "aborted"));
            case ConflictOutcome.CallCustom:
                var kept = await CustomResolver.ApplyAsync(x.Strategy, w.Plan, w.Change, shown, begin, _connection(), x.Result, cancellationToken).ConfigureAwait(false);
                SetState((w.Plan.Target, w.Key), kept ? KeyState.Present : KeyState.Absent);
                if (!kept)
                    AddTombstone(x, w.Key);
                x.Result.Conflicts.Add(Record(x, kind, shown, "custom"));
                break;
            default:
                if (ConflictRules.IsLogged(conflict, outcome))
                    x.Result.Conflicts.Add(Record(x, kind, shown, outcome == ConflictOutcome.KeepLocal ? "local" : "remote"));
                break;
        }
        return outcome;
    }

    ConflictRecord Record(Step x, ConflictKind kind, LocalRow local, string winner)
    {
        var rel = x.W.Change.Relation;
        var remoteRow = x.W.Change.NewRow is { } n ? KeyJson.Row(rel, n) : null;
        return new ConflictRecord(_link.Sync, rel.Name.Schema, rel.Name.Name, x.W.Key, kind, _link.LocalNode, local.Version.Node, _link.RemoteNode,
            local.RowJson == "null" ? null : local.RowJson, remoteRow, local.Version.CommitTimestamp, x.Remote.CommitTimestamp, x.Strategy.Text, winner, x.Begin.CommitLsn);
    }

    static LocalRow Gone(RowVersion deleted) => new("null", deleted, []);

    KeyState? State(QualifiedName table, string key) => State((table, key));

    KeyState? State((QualifiedName, string) key) => _touched.TryGetValue(key, out var s) ? s : null;

    // A row this transaction wrote stays written; otherwise the latest decision for the key counts.
    void SetState((QualifiedName, string) key, KeyState state)
    {
        if (state != KeyState.Kept || State(key) is null)
            _touched[key] = state;
    }

    void AddTombstone(Step x, string key)
        => x.Result.Statements.Add(ConflictStatements.Tombstone(_link.Sync, x.W.Change.Relation, key, x.Begin.CommitTimestamp, _link.RemoteNode));

    /// <summary>One change being decided, with what it needs.</summary>
    sealed record Step(Work W, BeginItem Begin, ConflictStrategy Strategy, RowVersion Remote, ResolvedChanges Result);

    /// <summary>A change and its lookups: at its key (the old key of an update), at the new key of a key change, on unique values.</summary>
    sealed record Work(Change Change, RelationPlan Plan, string Key, string NewKey, Probe? Own, Probe? Moved, List<ConflictLookup> Clashes);

    sealed class Probe(RelationInfo relation, string key, ConflictLookup row)
    {
        public RelationInfo Relation { get; } = relation;

        public string Key { get; } = key;

        public ConflictLookup Row { get; } = row;

        public ConflictLookup? Tomb { get; set; }
    }
}
