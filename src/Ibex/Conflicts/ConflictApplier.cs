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

    public async Task<ResolvedChanges> ResolveAsync(IReadOnlyList<(Change Change, RelationPlan Plan)> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var begin = _begin ?? throw new InvalidOperationException("no transaction");
        var lookups = new List<ConflictLookup>();
        var probes = new Dictionary<(QualifiedName, string), KeyProbe>();
        var work = new List<ConflictWork>();
        foreach (var (change, plan) in changes)
        {
            if (change.Kind == ChangeKind.Truncate)
            {
                work.Add(new ConflictWork(change, plan, "", "", null, null, []));
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
            work.Add(new ConflictWork(change, plan, key, newKey, own, moved, clashes));
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
            var x = new ChangeResolver.Step(w, begin, _link.StrategyFor(w.Change.Relation.Name), new RowVersion(begin.CommitTimestamp, _link.RemoteNode), result);
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
        }
        return result;

        ConflictLookup Add(ConflictLookup l)
        {
            lookups.Add(l);
            return l;
        }

        // What this node holds at a key, looked up once per batch, unless this transaction already wrote it.
        KeyProbe? ProbeFor(RelationPlan plan, RowImage row, string key, bool withTombstone)
        {
            if (!_keys.NeedsLookup(plan.Target, key))
                return null;
            if (!probes.TryGetValue((plan.Target, key), out var probe))
                probes[(plan.Target, key)] = probe = new KeyProbe(plan.Source, key, Add(ConflictLookups.Row(plan, row, plan.Source.KeyColumns, null)));
            if (withTombstone && probe.Tomb is null)
                probe.Tomb = Add(_lookups.Tombstone(plan.Source, key));
            return probe;
        }
    }
}
