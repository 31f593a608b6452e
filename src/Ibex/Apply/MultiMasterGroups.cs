using Ibex.Changes;
using Ibex.Conflicts;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Apply;

/// <summary>
/// Multi-master: turns a link's remote transactions into the applier's batch with conflict detection. Whole
/// transactions are decided together (<see cref="TransactionGroup"/>): their lookups in one round trip, each decided
/// in commit order, all sent in one round trip, each beginning with the guards of the rows it was decided on; a
/// transaction that grows long, truncates or runs DDL is decided in place instead, its lookups made inside it.
/// </summary>
public sealed class MultiMasterGroups
{
    // A transaction with this many changes pending is decided in place from then on.
    const int InPlaceAfter = 256;

    readonly ConflictApplier _conflicts;
    readonly IBatchSender _sender;
    readonly string _targetName;
    readonly string _origin;
    readonly ILogger _log;
    readonly List<(Change Change, RelationPlan Plan)> _pending = [];
    readonly TransactionGroup _group = new(64, 1024);
    List<ConflictRecord> _txnConflicts = [];
    TxnCounts _txnCounts;
    BeginItem? _current;
    bool _inPlace;

    public MultiMasterGroups(MultiMasterLink link, Func<NpgsqlConnection> connection, IBatchSender sender, string targetName, string origin, ILogger log)
    {
        _conflicts = new ConflictApplier(link, connection);
        _sender = sender;
        _targetName = targetName;
        _origin = origin;
        _log = log;
    }

    ApplyBatch Batch => _sender.Batch;

    /// <summary>Transactions are waiting in the group.</summary>
    public bool HasGroup => _group.Count > 0;

    public Task LoadOriginsAsync(CancellationToken cancellationToken) => _conflicts.LoadOriginsAsync(cancellationToken);

    /// <summary>A remote transaction begins (one the target does not have yet).</summary>
    public void Begin(BeginItem begin)
    {
        _current = begin;
        _txnConflicts = [];
        _txnCounts = default;
        _inPlace = false;
    }

    /// <summary>A row change of the open transaction: kept until its commit, or decided in place once it is long.</summary>
    public async Task AddAsync(Change change, RelationPlan plan, CancellationToken cancellationToken)
    {
        _pending.Add((change, plan));
        if (_pending.Count >= InPlaceAfter)
            await BeforeStatementAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A truncate or DDL statement of the open transaction comes next: it is decided in place, up to here.</summary>
    public async Task BeforeStatementAsync(CancellationToken cancellationToken)
    {
        await DecideInPlaceAsync(cancellationToken).ConfigureAwait(false);
        await ResolvePendingAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The open transaction commits: it joins the group, or (decided in place) its last changes are decided and its
    /// commit queued; <paramref name="counts"/> is what the applier itself applied of it. True when queued in place.
    /// </summary>
    public async Task<bool> CommitAsync(CommitItem commit, TxnCounts counts, CancellationToken cancellationToken)
    {
        if (!_inPlace)
        {
            await GroupAsync(commit, cancellationToken).ConfigureAwait(false);
            return false;
        }
        await ResolvePendingAsync(cancellationToken).ConfigureAwait(false);
        Batch.AddCommit(commit, Sum(counts, _txnCounts), _txnConflicts);
        return true;
    }

    /// <summary>After a failed batch: the open transaction's changes are dropped (they are read again).</summary>
    public void DiscardPending() => _pending.Clear();

    // A finished transaction joins the group, which is sent first when they share a key.
    async Task GroupAsync(CommitItem commit, CancellationToken cancellationToken)
    {
        var begin = _current!;
        _conflicts.BeginTransaction(begin);
        var changes = _pending.ToList();
        _pending.Clear();
        var plan = await _conflicts.PlanAsync(changes, cancellationToken).ConfigureAwait(false);
        if (!_group.Admits(plan))
            await SendGroupAsync(cancellationToken).ConfigureAwait(false);
        _group.Add(new GroupedTransaction(begin, changes, commit, plan));
        if (_group.IsFull)
            await SendGroupAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The group's lookups in one round trip (one fence at most), each transaction decided in commit order, then all
    /// of them sent in one round trip, each beginning with the guards of the rows it was decided on.
    /// </summary>
    public async Task SendGroupAsync(CancellationToken cancellationToken)
    {
        if (_group.Count == 0)
            return;
        // What is finished but not sent yet (a transaction decided in place) goes first: the lookups must see it.
        if (Batch.Finished > 0)
            await _sender.SendAsync(Batch.Finished, cancellationToken).ConfigureAwait(false);
        var group = _group.Take();
        using (var activity = Monitoring.Metrics.IbexActivities.StartConflictCheck(_targetName, _origin, group.Sum(g => g.Changes.Count)))
        {
            await LookupGroupAsync(group, cancellationToken).ConfigureAwait(false);
            var conflicts = 0;
            foreach (var t in group)
            {
                _conflicts.BeginTransaction(t.Begin);
                var resolved = await _conflicts.DecideAsync(t.Plan, cancellationToken).ConfigureAwait(false);
                Batch.Add(new NpgsqlBatchCommand("BEGIN"));
                Batch.AddRange(t.Plan.Guards());
                Batch.AddRange(resolved.Statements);
                Batch.AddCommit(t.Commit, resolved.Counts, resolved.Conflicts);
                conflicts += resolved.Conflicts.Count;
            }
            activity?.SetTag("ibex.conflicts", conflicts);
        }
        try
        {
            Sending = true;
            await _sender.SendAsync(Batch.Finished, cancellationToken).ConfigureAwait(false);
        }
        catch (RowGuardException e)
        {
            Sending = false;
            _log.LogDebug("target {Target}: {Reason}; deciding the rest of the group again", _targetName, e.Message);
            await DecideAgainAsync(group, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Sending = false;
        }
    }

    // While a group is sent, a deadlock with another applier into this node (rows or unique values locked in another
    // order), or a key or unique value a local writer took after the guards ran (local writers take no advisory
    // locks), is retried as a failed guard is: what committed stays, the rest is decided again, the first of it on
    // lookups made inside its own transaction (where a real unique violation still fails the link).
    bool Sending { get; set; }

    /// <summary>The error ended a batch while a group was sent, and is to be retried as a failed guard is.</summary>
    public bool IsRaceInGroup(PostgresException e) =>
        Sending && e?.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.UniqueViolation;

    // The group's lookups run in an implicit transaction of their own: one that deadlocks with another applier's
    // locks is planned and run again (nothing was written).
    async Task LookupGroupAsync(List<GroupedTransaction> group, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _conflicts.LookupAsync([.. group.Select(g => g.Plan)], cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 10)
            {
                _log.LogDebug("target {Target}: lookups deadlocked ({Attempt}); looking up again", _targetName, attempt);
                for (var i = 0; i < group.Count; i++)
                {
                    _conflicts.BeginTransaction(group[i].Begin);
                    group[i] = group[i] with { Plan = await _conflicts.PlanAsync(group[i].Changes, cancellationToken).ConfigureAwait(false) };
                }
            }
        }
    }

    // After a guard failed: of the group's transactions the target has not committed, the first is decided on lookups
    // made inside it (rows locked, so it cannot fail again) and the others form a new group with fresh lookups.
    async Task DecideAgainAsync(List<GroupedTransaction> group, CancellationToken cancellationToken)
    {
        var rest = group.Where(t => t.Begin.CommitLsn >= _sender.Position).ToList();
        if (rest.Count == 0)
            return;
        var first = rest[0];
        Batch.Add(new NpgsqlBatchCommand("BEGIN"));
        _conflicts.BeginTransaction(first.Begin);
        await _sender.SendAsync(Batch.Count, cancellationToken).ConfigureAwait(false);
        var resolved = await _conflicts.ResolveAsync(first.Changes, cancellationToken).ConfigureAwait(false);
        Batch.AddRange(resolved.Statements);
        Batch.AddCommit(first.Commit, resolved.Counts, resolved.Conflicts);
        await _sender.SendAsync(Batch.Count, cancellationToken).ConfigureAwait(false);
        foreach (var t in rest.Skip(1))
        {
            _conflicts.BeginTransaction(t.Begin);
            var plan = await _conflicts.PlanAsync(t.Changes, cancellationToken).ConfigureAwait(false);
            if (!_group.Admits(plan))
                await SendGroupAsync(cancellationToken).ConfigureAwait(false);
            _group.Add(t with { Plan = plan });
        }
        await SendGroupAsync(cancellationToken).ConfigureAwait(false);
    }

    // The transaction being read is decided in place (it is long, truncates or runs DDL): the group goes first.
    async Task DecideInPlaceAsync(CancellationToken cancellationToken)
    {
        if (_inPlace)
            return;
        await SendGroupAsync(cancellationToken).ConfigureAwait(false);
        _inPlace = true;
        Batch.Add(new NpgsqlBatchCommand("BEGIN"));
        _conflicts.BeginTransaction(_current!);
    }

    // Looks up the local versions of the pending changes' rows inside the open transaction, decides, queues the outcome.
    async Task ResolvePendingAsync(CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
            return;
        await _sender.FlushAsync(cancellationToken).ConfigureAwait(false);
        using var activity = Monitoring.Metrics.IbexActivities.StartConflictCheck(_targetName, _origin, _pending.Count);
        var resolved = await _conflicts.ResolveAsync(_pending, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("ibex.conflicts", resolved.Conflicts.Count);
        _pending.Clear();
        Batch.AddRange(resolved.Statements);
        _txnCounts = Sum(_txnCounts, resolved.Counts);
        _txnConflicts.AddRange(resolved.Conflicts);
    }

    static TxnCounts Sum(TxnCounts a, TxnCounts b) => new()
    {
        Inserts = a.Inserts + b.Inserts,
        Updates = a.Updates + b.Updates,
        Deletes = a.Deletes + b.Deletes,
        Truncates = a.Truncates + b.Truncates,
    };
}
