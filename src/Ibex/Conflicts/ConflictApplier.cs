using Ibex.Apply;
using Ibex.Changes;
using Ibex.Sql;
using Npgsql;

namespace Ibex.Conflicts;

/// <summary>
/// Applies a multi-master link's changes with conflict detection. For each row a transaction touches first, the local
/// version is read and locked (<see cref="ConflictLookups"/>), with the tombstone of a deleted row and the rows that
/// clash on other unique indexes, all in one round trip. Each way a change meets local data is a
/// <see cref="ConflictKind"/>, decided by the pure <see cref="ConflictRules.Decide"/>; <see cref="ChangeResolver"/>
/// turns the outcome into statements. <see cref="TransactionKeys"/> carries the decisions across one transaction.
/// </summary>
public sealed class ConflictApplier
{
    static readonly TimeSpan RecorderWait = TimeSpan.FromSeconds(20);
    static readonly TimeSpan RecorderGlance = TimeSpan.FromMilliseconds(20);

    readonly MultiMasterLink _link;
    readonly ConflictLookups _lookups;
    readonly TransactionKeys _keys = new();
    readonly ChangeResolver _resolver;
    BeginItem? _begin;

    public ConflictApplier(MultiMasterLink link, Func<NpgsqlConnection> connection)
    {
        _link = link;
        _lookups = new ConflictLookups(link, connection);
        _resolver = new ChangeResolver(link, connection, _keys);
    }

    public void BeginTransaction(BeginItem begin)
    {
        _begin = begin;
        _keys.Clear();
    }

    public Task LoadOriginsAsync(CancellationToken cancellationToken) => _lookups.LoadOriginsAsync(cancellationToken);

    /// <summary>Plans, looks up and decides a run of changes of the transaction begun last, its lookups made inside it.</summary>
    public async Task<ResolvedChanges> ResolveAsync(IReadOnlyList<(Change Change, RelationPlan Plan)> changes, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(changes, cancellationToken).ConfigureAwait(false);
        await LookupAsync([plan], cancellationToken).ConfigureAwait(false);
        return await DecideAsync(plan, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The lookups a run of changes of the transaction begun last needs (keys it already wrote need none).</summary>
    public async Task<ConflictPlan> PlanAsync(IReadOnlyList<(Change Change, RelationPlan Plan)> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var result = new ConflictPlan();
        foreach (var (change, plan) in changes)
        {
            if (change.Kind == ChangeKind.Truncate)
            {
                result.Work.Add(new ConflictWork(change, plan, "", "", null, null, []));
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
            var released = new List<ConflictLookup>();
            var uniques = await _lookups.UniquesAsync(plan, cancellationToken).ConfigureAwait(false);
            if (change.Kind is ChangeKind.Insert or ChangeKind.Update)
                foreach (var cols in uniques)
                {
                    var idx = cols.Select(c => rel.Columns.ToList().IndexOf(c)).ToArray();
                    if (idx.Any(i => i < 0 || change.NewRow!.IsNull(i) || change.NewRow.IsUnchangedToast(i)))
                        continue;
                    // First the value's lock: a version of another link dropped on arrival holds it by a value tombstone only.
                    result.Lookups.Add(_lookups.ValueLock(plan, change.NewRow!, idx));
                    var clash = ConflictLookups.Row(plan, change.NewRow!, idx, rel.KeyColumns);
                    result.Lookups.Add(clash);
                    clashes.Add(clash);
                    // After the row lookup: a local writer it waited for that gave the value up has recorded it by then.
                    var gone = _lookups.ValueTombstone(plan, change.NewRow!, idx);
                    result.Lookups.Add(gone);
                    released.Add(gone);
                    result.Footprint.Add(ConflictPlan.FootprintOf(plan.Target, KeyJson.Of(idx.Select(i => (rel.Columns[i], change.NewRow!.Text(i))))));
                }
            result.Work.Add(new ConflictWork(change, plan, key, newKey, own, moved, clashes) { Released = released, Uniques = uniques });
        }
        return result;

        // What this node holds at a key, looked up once per run, unless this transaction already wrote it.
        KeyProbe? ProbeFor(RelationPlan plan, RowImage row, string key, bool withTombstone)
        {
            if (!_keys.NeedsLookup(plan.Target, key))
                return null;
            if (!result.Probes.TryGetValue((plan.Target, key), out var probe))
            {
                var lookup = ConflictLookups.Row(plan, row, plan.Source.KeyColumns, null);
                result.Lookups.Add(lookup);
                result.Probes[(plan.Target, key)] = probe = new KeyProbe(plan.Source, key, lookup);
                result.Footprint.Add(ConflictPlan.FootprintOf(plan.Target, key));
                if (_link.Coordinator.TracksSeen)
                {
                    probe.Seen = _lookups.Seen(plan.Source, key);
                    result.Lookups.Add(probe.Seen);
                }
            }
            if (withTombstone && probe.Tomb is null)
            {
                probe.Tomb = _lookups.Tombstone(plan.Source, key);
                result.Lookups.Add(probe.Tomb);
            }
            return probe;
        }
    }

    /// <summary>
    /// Runs the lookups of several plans in one round trip. This node's own deletes are recorded as tombstones by its
    /// reader, a little after they commit: if that recorder had not caught up with this node's WAL when we looked, and
    /// a row was found absent, the recorder is waited for (a fence through this node's stream when it does not get
    /// there by itself at once), and those tombstones are read again if it wrote any in between.
    /// </summary>
    public async Task LookupAsync(IReadOnlyList<ConflictPlan> plans, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plans);
        var isSource = _link.Coordinator.IsSource(_link.LocalNode);
        var recordedBefore = _link.Coordinator.Recorded(_link.LocalNode);
        var walNow = await _lookups.RunAsync([.. plans.SelectMany(p => p.Lookups)], isSource, cancellationToken).ConfigureAwait(false);
        var unsure = plans.SelectMany(p => p.Unsure).ToList();
        if (!isSource || unsure.Count == 0 || recordedBefore >= walNow)
            return;
        // On a node being written to, the recorder passes that position with the next commits it reads: wait a
        // moment for that before writing a fence (a statement on another session, and a message every reader of the
        // node's stream decodes).
        if (!await _link.Coordinator.WaitRecordedAsync(_link.LocalNode, walNow, RecorderGlance, cancellationToken).ConfigureAwait(false))
        {
            // A marker in this node's own stream, after everything committed so far: the reader passes it on at once,
            // even when nothing else is being written.
            var fence = await _link.Coordinator.FenceAsync(_link.LocalNode, cancellationToken).ConfigureAwait(false);
            if (!await _link.Coordinator.WaitRecordedAsync(_link.LocalNode, fence, RecorderWait, cancellationToken).ConfigureAwait(false))
                throw new ApplyException($"target '{_link.LocalNode}': its own deletes are not being read (is its replication slot being read?); cannot decide a change of a deleted row in {unsure[0].Relation.Name.Display} yet", true);
        }
        // The recorder wrote no tombstone for what it read since before the lookups: they saw every one there is.
        if (_link.Coordinator.TombstonesWritten(_link.LocalNode) <= recordedBefore)
            return;
        var again = unsure.Select(p => (Probe: p, Lookup: _lookups.Tombstone(p.Relation, p.Key))).ToList();
        await _lookups.RunAsync([.. again.Select(a => a.Lookup)], false, cancellationToken).ConfigureAwait(false);
        foreach (var (p, l) in again)
        {
            p.Tomb!.Tombstones = l.Tombstones;
            p.Tomb.Fingerprint = l.Fingerprint;
        }
    }

    /// <summary>Decides each change of a looked-up plan of the transaction begun last and turns the outcomes into statements.</summary>
    public async Task<ResolvedChanges> DecideAsync(ConflictPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var begin = _begin ?? throw new InvalidOperationException("no transaction");
        var result = new ResolvedChanges();
        var recorded = new HashSet<(QualifiedName, string)>();
        foreach (var w in plan.Work)
        {
            var remote = new RowVersion(begin.CommitTimestamp, _link.RemoteNode);
            var x = new ChangeResolver.Step(w, begin, _link.StrategyFor(w.Change.Relation.Name), remote, result)
            {
                // Not with secondary unique values: a superseded change may still have removed rows holding its values elsewhere.
                Superseded = w.Uniques.Count == 0 && w.Own?.Seen is { } seen && ConflictRules.IsSuperseded(remote, seen.Tombstones),
            };
            switch (w.Change.Kind)
            {
                case ChangeKind.Truncate:
                    result.Statements.Add(new NpgsqlBatchCommand($"TRUNCATE {w.Plan.Target.Quoted}"));
                    result.Counts.Truncates++;
                    break;
                case ChangeKind.Delete:
                    await _resolver.DeleteAsync(x, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await _resolver.WriteAsync(x, cancellationToken).ConfigureAwait(false);
                    break;
            }
            if (w.Change.Kind != ChangeKind.Truncate)
                RecordSeen(w, begin, result, recorded);
        }
        return result;
    }

    /// <summary>
    /// What the change's writer had seen of third nodes, kept at its key(s) whatever the change's outcome here: a
    /// change of theirs it had seen that reaches this node later is superseded (<see cref="ConflictRules.IsSuperseded"/>).
    /// Not kept for a node whose changes up to that time have all reached this node already, nor for a table with a
    /// secondary unique index (not used there: see <see cref="ChangeResolver.Step.Superseded"/>'s use above).
    /// </summary>
    void RecordSeen(ConflictWork w, BeginItem begin, ResolvedChanges result, HashSet<(QualifiedName, string)> recorded)
    {
        if (!_link.Coordinator.TracksSeen || begin.Seen is null || w.Uniques.Count > 0)
            return;
        foreach (var key in w.NewKey == w.Key ? [w.Key] : new[] { w.Key, w.NewKey })
        {
            if (!recorded.Add((w.Plan.Target, key)))
                continue;
            foreach (var (node, at) in begin.Seen)
                if (node != _link.RemoteNode && node != _link.LocalNode && at > _link.Coordinator.Baseline && at >= _link.Coordinator.Watermark(node, _link.LocalNode))
                    result.Statements.Add(ConflictStatements.Seen(_link.Sync, w.Change.Relation, key, node, at));
        }
    }
}
