using System.Text;
using Ibex.Catalog;
using Ibex.Changes;
using Ibex.Conflicts;
using Ibex.Connections;
using Ibex.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Apply;

/// <summary>
/// Applies one source's transactions on one target, in commit order, each as one target transaction that also
/// advances the target's replication origin for this link (so a crash never loses or repeats a transaction).
/// Small transactions are pipelined — several go to the server in one round trip — and long runs of inserts into
/// one table go through COPY. Transactions the target already has (commit LSN below its origin progress) are skipped.
/// </summary>
/// <remarks>
/// Why this file is over the ~300 lines the data path aims for: it is one state machine (the open transaction, the
/// batch being built, the COPY run in progress, the skip rules for copied tables and restarts) whose steps all read
/// and change that per-transaction state; cutting it apart would pass that state around instead. What is not the
/// state machine already lives beside it: <see cref="RelationPlan"/>, <see cref="CopyText"/>, <see cref="OriginSession"/>,
/// <see cref="TargetLayoutCheck"/>, <see cref="TargetLiveness"/>. Multi-master grouping (<c>GroupAsync</c>,
/// <c>SendGroupAsync</c>, <c>DecideAgainAsync</c>) and DDL (<c>ApplyDdlAsync</c>) write into the same batch and positions;
/// the batch builder, with them, is the next part to move out.
/// </remarks>
public sealed class TargetApplier : IAsyncDisposable
{
    readonly NpgsqlConnectionStringBuilder _settings;
    readonly string _targetName;
    readonly string _origin;
    readonly ApplyOptions _options;
    readonly ILogger _log;
    readonly Func<QualifiedName, QualifiedName?> _mapName;
    readonly Dictionary<RelationInfo, RelationPlan> _plans = new(ReferenceEqualityComparer.Instance);
    readonly List<NpgsqlBatchCommand> _batch = [];
    readonly List<(NpgsqlLogSequenceNumber EndLsn, DateTime CommitTs, TxnCounts Counts, List<ConflictRecord> Conflicts)> _committedInBatch = [];
    readonly List<(int Index, ChangeKind Kind)> _rowChecks = [];
    NpgsqlConnection? _conn;
    TargetLiveness _liveness = null!;
    long _position;
    bool _inTxn;
    bool _skipping;
    BeginItem? _current;
    TxnCounts _txnCounts;
    NpgsqlLogSequenceNumber _deferredMarker;
    RelationPlan? _insertRunPlan;
    readonly List<RowImage> _insertRun = [];
    // The COPY of an insert run: the raw stream under Npgsql's text writer, ended with its asynchronous dispose (the
    // writer's own dispose is synchronous I/O, which must never run on the socket engine's thread).
    NpgsqlRawCopyStream? _copy;
    long _currentCommitTicks;
    DateTime? _deferredHeartbeat;

    readonly MultiMasterLink? _mm;
    readonly ConflictApplier? _conflicts;
    readonly List<(Change Change, RelationPlan Plan)> _mmPending = [];
    List<ConflictRecord> _txnConflicts = [];
    // Multi-master: whole transactions decided together (MultiMasterGroups); a transaction that grows long or
    // truncates is decided in place instead (_mmInPlace), its lookups made inside it.
    readonly TransactionGroup _mmGroup = new(64, 1024);
    bool _mmInPlace;

    public TargetApplier(string targetName, NpgsqlConnectionStringBuilder settings, string origin, ApplyOptions options, LinkCounters counters, ILogger log,
        Func<QualifiedName, QualifiedName?>? mapName = null, MultiMasterLink? multiMaster = null)
    {
        _mm = multiMaster;
        if (multiMaster is not null)
            _conflicts = new ConflictApplier(multiMaster, () => Conn);
        _targetName = targetName;
        _settings = settings;
        _origin = origin;
        _options = options;
        _log = log;
        _mapName = mapName ?? (n => n);
        Counters = counters;
        Queue = new SpillingQueue(options.QueueMemoryBytes, options.SpillDirectory, options.SpillCapBytes);
    }

    public string TargetName => _targetName;

    public SpillingQueue Queue { get; }

    public LinkCounters Counters { get; }

    /// <summary>Every source transaction committed before this LSN is on the target (or was not ours).</summary>
    public NpgsqlLogSequenceNumber Position => new((ulong)Interlocked.Read(ref _position));

    /// <summary>Commit time (on the source) of the transaction being applied; null when idle.</summary>
    public DateTime? CurrentCommitTimestamp
    {
        get
        {
            var t = Interlocked.Read(ref _currentCommitTicks);
            return t == 0 ? null : new DateTime(t, DateTimeKind.Utc);
        }
    }

    /// <summary>Source commit time of the last transaction applied.</summary>
    public DateTime? LastCommitTimestamp { get; private set; }

    public DateTime? LastAppliedAt { get; private set; }

    /// <summary>Skip changes of a table in transactions that committed before its copy (they are in the copy).</summary>
    public IDictionary<QualifiedName, NpgsqlLogSequenceNumber> CopiedAt { get; } = new Dictionary<QualifiedName, NpgsqlLogSequenceNumber>();

    /// <summary>Tables whose copy was resumed, so their ranges were copied at different snapshots: skip per range (before <see cref="CopiedAt"/>).</summary>
    public IDictionary<QualifiedName, Copy.RangeSkip> CopiedRanges { get; } = new Dictionary<QualifiedName, Copy.RangeSkip>();

    /// <summary>Opens the apply session: replica role, origin created if needed and bound to the session, progress read.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Statements repeat per table and change kind: let Npgsql prepare them once per session.
            var settings = new NpgsqlConnectionStringBuilder(_settings.ConnectionString) { MaxAutoPrepare = 256, AutoPrepareMinUsages = 2 };
            _conn = await NodeConnections.OpenAsync(settings, $"target '{_targetName}'", "apply", cancellationToken).ConfigureAwait(false);
            await ExecAsync("SET session_replication_role = replica", cancellationToken).ConfigureAwait(false);
            await ExecAsync("SET statement_timeout = 0", cancellationToken).ConfigureAwait(false);
            await OriginSession.SetupAsync(_conn, _origin, cancellationToken).ConfigureAwait(false);
            await using (var path = new NpgsqlCommand("SELECT pg_catalog.current_setting('search_path')", _conn))
                _searchPath = (string)(await path.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            if (_conflicts is not null)
                await _conflicts.LoadOriginsAsync(cancellationToken).ConfigureAwait(false);
            var progress = await ReadProgressAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _position, (long)(ulong)progress);
            _liveness = new TargetLiveness(_targetName);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new ApplyException($"target '{_targetName}': {e.MessageText}; the node's role needs superuser, or SET on session_replication_role and EXECUTE on the pg_replication_origin_* functions (see docs/operations.md)", false, e);
        }
        catch (IbexException e)
        {
            throw new ApplyException(e.Message, true, e);
        }
        catch (Exception e) when (Errors.IsConnectionFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            throw new ApplyException($"target '{_targetName}': {Errors.Describe(e)}", true, e);
        }
        catch (PostgresException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ApplyException($"target '{_targetName}': {Errors.Describe(e)}", false, e);
        }
    }

    /// <summary>Origin progress as the target has it: the end LSN of the last transaction committed here.</summary>
    public async Task<NpgsqlLogSequenceNumber> ReadProgressAsync(CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_replication_origin_progress($1, true)", Conn);
        cmd.Parameters.Add(new() { Value = _origin });
        var result = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return result is NpgsqlLogSequenceNumber lsn ? lsn : default;
    }

    /// <summary>Applies queued items until cancelled or a failure (thrown as <see cref="ApplyException"/>).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var yielding = new CooperativeYield(256);
        try
        {
            while (true)
            {
                if (yielding.Due())
                    await Task.Yield();
                if (!Queue.TryDequeue(out var item))
                {
                    // Nothing more right now: send what is pending, then wait. Inside a transaction only the finished
                    // transactions go: the rest of this one is on its way (pgoutput sends a transaction in one burst),
                    // and sending a lone BEGIN or a few statements would cost a round trip each.
                    if (!_inTxn)
                        await FlushAsync(cancellationToken).ConfigureAwait(false);
                    else if (_committedInBatch.Count > 0 || _mmGroup.Count > 0)
                    {
                        await SendGroupAsync(cancellationToken).ConfigureAwait(false);
                        await SendAsync(_finishedStatements, cancellationToken).ConfigureAwait(false);
                    }
                    item = await Queue.DequeueAsync(cancellationToken).ConfigureAwait(false);
                }
                await HandleAsync(item!, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            throw Describe(e);
        }
        catch (ConflictAbortException abort) when (_mm is not null && abort.Conflict is { } conflict)
        {
            // Nothing of this transaction is applied; the sync stops until an operator resumes it.
            await RecoverAfterErrorAsync(cancellationToken).ConfigureAwait(false);
            await _mm.Coordinator.AbortAsync(conflict, abort.Message, cancellationToken).ConfigureAwait(false);
            throw abort.ToApplyException();
        }
    }

    ApplyException Describe(Exception e)
    {
        if (Errors.IsConnectionFailure(e) && e is not PostgresException { SqlState: not ("57P01" or "57P02" or "57P03") })
            return new ApplyException($"target '{_targetName}': {Errors.Describe(e)}", true, e);
        return new ApplyException($"target '{_targetName}': {Errors.Describe(e)}", false, e);
    }

    async Task HandleAsync(StreamItem item, CancellationToken cancellationToken)
    {
        switch (item)
        {
            case BeginItem b:
                _inTxn = true;
                _current = b;
                _txnCounts = default;
                _skipping = b.CommitLsn < Position;
                _ddlInTxn = false;
                if (!_skipping)
                {
                    Interlocked.Exchange(ref _currentCommitTicks, b.CommitTimestamp.Ticks);
                    _txnConflicts = [];
                    _mmInPlace = false;
                    if (_conflicts is null)
                        _batch.Add(new NpgsqlBatchCommand("BEGIN"));
                }
                break;
            case DdlItem ddl:
                if (!_skipping)
                    await ApplyDdlAsync(ddl, cancellationToken).ConfigureAwait(false);
                break;
            case ChangeItem { Change: var seen }:
                if (_skipping || PastCopy(seen) is not { } change)
                    break;
                if (change.Kind == ChangeKind.Truncate)
                {
                    await DecideInPlaceAsync(cancellationToken).ConfigureAwait(false);
                    await ResolveConflictsAsync(cancellationToken).ConfigureAwait(false);
                    await ApplyTruncateAsync(change, cancellationToken).ConfigureAwait(false);
                    break;
                }
                if (await PlanAsync(change.Relation, cancellationToken).ConfigureAwait(false) is not { } plan)
                    break; // a table no longer in the sync
                if (_conflicts is not null)
                {
                    _mmPending.Add((change, plan));
                    if (_mmPending.Count >= 256)
                    {
                        await DecideInPlaceAsync(cancellationToken).ConfigureAwait(false);
                        await ResolveConflictsAsync(cancellationToken).ConfigureAwait(false);
                    }
                    break;
                }
                await ApplyChangeAsync(change, plan, cancellationToken).ConfigureAwait(false);
                break;
            case CommitItem c:
                _inTxn = false;
                if (_skipping)
                {
                    _skipping = false;
                    break;
                }
                await EndInsertRunAsync(cancellationToken).ConfigureAwait(false);
                if (_conflicts is not null && !_mmInPlace)
                {
                    await GroupAsync(c, cancellationToken).ConfigureAwait(false);
                    break;
                }
                if (_conflicts is not null)
                    await ResolveConflictsAsync(cancellationToken).ConfigureAwait(false);
                AddCommit(c, _txnCounts, _txnConflicts);
                if (_batch.Count >= _options.MaxBatchStatements)
                    await FlushAsync(cancellationToken).ConfigureAwait(false);
                break;
            case MarkerItem m:
                if (_inTxn || _batch.Count > 0 || _mmGroup.Count > 0)
                    _deferredMarker = m.Lsn > _deferredMarker ? m.Lsn : _deferredMarker;
                else
                {
                    Advance(m.Lsn);
                    await _liveness.CheckIfQuietAsync(Conn, cancellationToken).ConfigureAwait(false);
                }
                if (m.Heartbeat is { } beat && _mm is not null)
                {
                    // Every change of the source before the heartbeat is queued before it: none older is still to come.
                    if (_inTxn || _batch.Count > 0 || _mmGroup.Count > 0)
                        _deferredHeartbeat = beat;
                    else
                        _mm.Coordinator.ReportWatermark(_mm.RemoteNode, _mm.LocalNode, beat);
                }
                break;
        }
    }

    // The end of a transaction in the batch: the origin's position with it, then COMMIT.
    void AddCommit(CommitItem c, TxnCounts counts, List<ConflictRecord> conflicts)
    {
        var setup = new NpgsqlBatchCommand("SELECT pg_replication_origin_xact_setup($1, $2)");
        setup.Parameters.Add(new() { Value = c.EndLsn, NpgsqlDbType = NpgsqlDbType.PgLsn });
        setup.Parameters.Add(new() { Value = c.CommitTimestamp, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        _batch.Add(setup);
        _batch.Add(new NpgsqlBatchCommand("COMMIT"));
        _finishedStatements = _batch.Count;
        _committedInBatch.Add((c.EndLsn, c.CommitTimestamp, counts, conflicts));
    }

    // Multi-master: a finished transaction joins the group, which is sent first when they share a key.
    async Task GroupAsync(CommitItem commit, CancellationToken cancellationToken)
    {
        var begin = _current!;
        _conflicts!.BeginTransaction(begin);
        var changes = _mmPending.ToList();
        _mmPending.Clear();
        var plan = await _conflicts.PlanAsync(changes, cancellationToken).ConfigureAwait(false);
        if (!_mmGroup.Admits(plan))
            await SendGroupAsync(cancellationToken).ConfigureAwait(false);
        _mmGroup.Add(new GroupedTransaction(begin, changes, commit, plan));
        if (_mmGroup.IsFull)
            await SendGroupAsync(cancellationToken).ConfigureAwait(false);
    }

    // Multi-master: the group's lookups in one round trip (one fence at most), each transaction decided in commit
    // order, then all of them sent in one round trip, each beginning with the guards of the rows it was decided on.
    async Task SendGroupAsync(CancellationToken cancellationToken)
    {
        if (_mmGroup.Count == 0)
            return;
        // What is finished but not sent yet (a transaction decided in place) goes first: the lookups must see it.
        if (_finishedStatements > 0)
            await SendAsync(_finishedStatements, cancellationToken).ConfigureAwait(false);
        var group = _mmGroup.Take();
        using (var activity = Monitoring.Metrics.IbexActivities.StartConflictCheck(_targetName, _origin, group.Sum(g => g.Changes.Count)))
        {
            await LookupGroupAsync(group, cancellationToken).ConfigureAwait(false);
            var conflicts = 0;
            foreach (var t in group)
            {
                _conflicts!.BeginTransaction(t.Begin);
                var resolved = await _conflicts.DecideAsync(t.Plan, cancellationToken).ConfigureAwait(false);
                _batch.Add(new NpgsqlBatchCommand("BEGIN"));
                _batch.AddRange(t.Plan.Guards());
                _batch.AddRange(resolved.Statements);
                AddCommit(t.Commit, resolved.Counts, resolved.Conflicts);
                conflicts += resolved.Conflicts.Count;
            }
            activity?.SetTag("ibex.conflicts", conflicts);
        }
        try
        {
            _sendingGroup = true;
            await SendAsync(_finishedStatements, cancellationToken).ConfigureAwait(false);
        }
        catch (RowGuardException e)
        {
            _sendingGroup = false;
            _log.LogDebug("target {Target}: {Reason}; deciding the rest of the group again", _targetName, e.Message);
            await DecideAgainAsync(group, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendingGroup = false;
        }
    }

    // While a group is sent, a deadlock with another applier into this node (rows or unique values locked in another
    // order), or a key or unique value a local writer took after the guards ran (local writers take no advisory
    // locks), is retried as a failed guard is: what committed stays, the rest is decided again, the first of it on
    // lookups made inside its own transaction (where a real unique violation still fails the link).
    bool _sendingGroup;

    static bool IsRaceInGroup(PostgresException e) =>
        e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.UniqueViolation;

    // The group's lookups run in an implicit transaction of their own: one that deadlocks with another applier's
    // locks is planned and run again (nothing was written).
    async Task LookupGroupAsync(List<GroupedTransaction> group, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _conflicts!.LookupAsync([.. group.Select(g => g.Plan)], cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 10)
            {
                _log.LogDebug("target {Target}: lookups deadlocked ({Attempt}); looking up again", _targetName, attempt);
                for (var i = 0; i < group.Count; i++)
                {
                    _conflicts!.BeginTransaction(group[i].Begin);
                    group[i] = group[i] with { Plan = await _conflicts.PlanAsync(group[i].Changes, cancellationToken).ConfigureAwait(false) };
                }
            }
        }
    }

    // After a guard failed: of the group's transactions the target has not committed, the first is decided on lookups
    // made inside it (rows locked, so it cannot fail again) and the others form a new group with fresh lookups.
    async Task DecideAgainAsync(List<GroupedTransaction> group, CancellationToken cancellationToken)
    {
        var rest = group.Where(t => t.Begin.CommitLsn >= Position).ToList();
        if (rest.Count == 0)
            return;
        var first = rest[0];
        _batch.Add(new NpgsqlBatchCommand("BEGIN"));
        _conflicts!.BeginTransaction(first.Begin);
        await SendAsync(_batch.Count, cancellationToken).ConfigureAwait(false);
        var resolved = await _conflicts.ResolveAsync(first.Changes, cancellationToken).ConfigureAwait(false);
        _batch.AddRange(resolved.Statements);
        AddCommit(first.Commit, resolved.Counts, resolved.Conflicts);
        await SendAsync(_batch.Count, cancellationToken).ConfigureAwait(false);
        foreach (var t in rest.Skip(1))
        {
            _conflicts.BeginTransaction(t.Begin);
            var plan = await _conflicts.PlanAsync(t.Changes, cancellationToken).ConfigureAwait(false);
            if (!_mmGroup.Admits(plan))
                await SendGroupAsync(cancellationToken).ConfigureAwait(false);
            _mmGroup.Add(t with { Plan = plan });
        }
        await SendGroupAsync(cancellationToken).ConfigureAwait(false);
    }

    // Multi-master: the transaction being read is decided in place (it is long, or truncates): the group goes first.
    async Task DecideInPlaceAsync(CancellationToken cancellationToken)
    {
        if (_conflicts is null || _mmInPlace)
            return;
        await SendGroupAsync(cancellationToken).ConfigureAwait(false);
        _mmInPlace = true;
        _batch.Add(new NpgsqlBatchCommand("BEGIN"));
        _conflicts.BeginTransaction(_current!);
    }

    // The change as the target still needs it after the initial copy: null when the copy holds it already.
    Change? PastCopy(Change change)
    {
        if (_current is null)
            return change;
        if (CopiedRanges.Count > 0 && CopiedRanges.TryGetValue(change.Relation.Name, out var ranges))
            return ranges.Filter(change, _current.CommitLsn);
        return CopiedAt.Count > 0 && CopiedAt.TryGetValue(change.Relation.Name, out var at) && _current.CommitLsn < at ? null : change;
    }

    async Task ApplyChangeAsync(Change change, RelationPlan plan, CancellationToken cancellationToken)
    {
        if (change.Kind == ChangeKind.Insert)
        {
            if (_insertRunPlan != plan)
            {
                await EndInsertRunAsync(cancellationToken).ConfigureAwait(false);
                _insertRunPlan = plan;
            }
            _txnCounts.Inserts++;
            if (_copy is not null)
            {
                await WriteCopyRowAsync(plan, change.NewRow!, cancellationToken).ConfigureAwait(false);
                return;
            }
            _insertRun.Add(change.NewRow!);
            if (_insertRun.Count >= _options.CopyThreshold)
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
                _copy = (NpgsqlRawCopyStream)(await Conn.BeginTextImportAsync(plan.CopySql, cancellationToken).ConfigureAwait(false)).BaseStream;
                foreach (var row in _insertRun)
                    await WriteCopyRowAsync(plan, row, cancellationToken).ConfigureAwait(false);
                _insertRun.Clear();
            }
            return;
        }
        await EndInsertRunAsync(cancellationToken).ConfigureAwait(false);
        switch (change.Kind)
        {
            case ChangeKind.Update:
                AddRowStatement(plan.UpdateCommand(change.NewRow!, change.OldRow), ChangeKind.Update);
                _txnCounts.Updates++;
                break;
            case ChangeKind.Delete:
                AddRowStatement(plan.DeleteCommand(change.OldRow!), ChangeKind.Delete);
                _txnCounts.Deletes++;
                break;
        }
        if (_batch.Count >= _options.MaxBatchStatements)
            await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    async Task ApplyTruncateAsync(Change change, CancellationToken cancellationToken)
    {
        await EndInsertRunAsync(cancellationToken).ConfigureAwait(false);
        var names = new List<string>();
        foreach (var rel in change.Truncated ?? [change.Relation])
        {
            if (PastCopy(change with { Relation = rel }) is null)
                continue;
            // ONLY: a truncated inheritance parent lists its truncated children itself; a partitioned table has no ONLY.
            if (await PlanAsync(rel, cancellationToken).ConfigureAwait(false) is { } plan)
                names.Add((_layouts!.IsPartitioned(plan.Target) ? "" : "ONLY ") + plan.Target.Quoted);
        }
        if (names.Count > 0)
            _batch.Add(new NpgsqlBatchCommand($"TRUNCATE {string.Join(", ", names)}{(change.RestartIdentity ? " RESTART IDENTITY" : "")}"));
        _txnCounts.Truncates++;
    }

    // Multi-master: look up the local versions of the pending changes' rows, decide conflicts, queue the outcome.
    async Task ResolveConflictsAsync(CancellationToken cancellationToken)
    {
        if (_mmPending.Count == 0)
            return;
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        using var activity = Monitoring.Metrics.IbexActivities.StartConflictCheck(_targetName, _origin, _mmPending.Count);
        var resolved = await _conflicts!.ResolveAsync(_mmPending, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("ibex.conflicts", resolved.Conflicts.Count);
        _mmPending.Clear();
        _batch.AddRange(resolved.Statements);
        _txnCounts.Inserts += resolved.Counts.Inserts;
        _txnCounts.Updates += resolved.Counts.Updates;
        _txnCounts.Deletes += resolved.Counts.Deletes;
        _txnCounts.Truncates += resolved.Counts.Truncates;
        _txnConflicts.AddRange(resolved.Conflicts);
    }

    void AddRowStatement(NpgsqlBatchCommand cmd, ChangeKind kind)
    {
        _rowChecks.Add((_batch.Count, kind));
        _batch.Add(cmd);
    }

    readonly CopyText _copyText = new();

    async Task WriteCopyRowAsync(RelationPlan plan, RowImage row, CancellationToken cancellationToken)
    {
        _copyText.Append(row, plan.AllColumns);
        if (_copyText.Length >= CopyChunk)
            await SendCopyTextAsync(cancellationToken).ConfigureAwait(false);
    }

    // Rows go to the COPY in chunks of about this many bytes, as UTF-8 straight to the stream under the text writer.
    const int CopyChunk = 1 << 16;

    async Task SendCopyTextAsync(CancellationToken cancellationToken)
    {
        await _copy!.WriteAsync(_copyText.Pending, cancellationToken).ConfigureAwait(false);
        _copyText.Clear();
    }

    /// <summary>Ends a run of inserts: finishes its COPY, or queues the few rows as INSERT statements.</summary>
    async Task EndInsertRunAsync(CancellationToken cancellationToken)
    {
        if (_copy is not null)
        {
            await SendCopyTextAsync(cancellationToken).ConfigureAwait(false);
            await _copy.DisposeAsync().ConfigureAwait(false);
            _copy = null;
        }
        else if (_insertRun.Count > 0)
        {
            var plan = _insertRunPlan!;
            foreach (var row in _insertRun)
                _batch.Add(plan.InsertCommand(row));
            _insertRun.Clear();
        }
        _insertRunPlan = null;
    }

    /// <summary>Sends everything that can go now: all of the batch, and a finished insert run outside a transaction.</summary>
    async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendGroupAsync(cancellationToken).ConfigureAwait(false);
        if (_copy is not null)
        {
            if (_inTxn)
                return; // a COPY is still going; it ends with the next other change or the commit
            await EndInsertRunAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (_insertRun.Count > 0 && !_inTxn)
            await EndInsertRunAsync(cancellationToken).ConfigureAwait(false);
        // Rows of an insert run still being collected stay aside: they come after everything in the batch.
        await SendAsync(_batch.Count, cancellationToken).ConfigureAwait(false);
        if (!_inTxn)
        {
            Interlocked.Exchange(ref _currentCommitTicks, 0);
            if (_deferredMarker != default)
            {
                Advance(_deferredMarker);
                _deferredMarker = default;
            }
            if (_deferredHeartbeat is { } beat && _mm is not null)
            {
                _mm.Coordinator.ReportWatermark(_mm.RemoteNode, _mm.LocalNode, beat);
                _deferredHeartbeat = null;
            }
        }
    }

    // Statements of the batch up to the end of its last finished transaction.
    int _finishedStatements;

    /// <summary>
    /// Sends the first <paramref name="count"/> statements of the batch in one round trip (which must include every
    /// finished transaction in it) and keeps the rest, the beginning of the transaction being read, for later.
    /// </summary>
    async Task SendAsync(int count, CancellationToken cancellationToken)
    {
        if (count == 0)
            return;
        using var activity = Monitoring.Metrics.IbexActivities.StartApplyBatch(_targetName, _origin, count);
        await using var batch = new NpgsqlBatch(Conn);
        for (var i = 0; i < count; i++)
            batch.BatchCommands.Add(_batch[i]);
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (RowGuard.IsGuardFailure(e) || (_sendingGroup && IsRaceInGroup(e)))
        {
            // A row changed after a group's lookups: what committed before it stays, the rest is decided again.
            var sent = _committedInBatch.ToList();
            await RecoverAfterErrorAsync(cancellationToken, keepPending: true).ConfigureAwait(false);
            Completed(sent.Where(t => t.EndLsn <= Position));
            throw new RowGuardException(e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && _mm is not null && _committedInBatch.Count > 0)
        {
            await CompletedBeforeCancelAsync().ConfigureAwait(false);
            throw;
        }
        catch (PostgresException e)
        {
            await RecoverAfterErrorAsync(cancellationToken).ConfigureAwait(false);
            throw new ApplyException($"target '{_targetName}': {e.MessageText}{Errors.DetailOf(e)}{(e.TableName is { } t ? $" (table {e.SchemaName}.{t})" : "")} (SQLSTATE {e.SqlState}); fix the target and the sync retries by itself", false, e);
        }
        var kept = 0;
        for (var i = 0; i < _rowChecks.Count; i++)
        {
            var (index, kind) = _rowChecks[i];
            if (index >= count)
            {
                _rowChecks[kept++] = (index - count, kind);
                continue;
            }
            if (batch.BatchCommands[index].RecordsAffected == 0)
            {
                Counters.AddMissingRows(1);
                _log.LogWarning("target {Target}: {Kind} found no row ({Sql})", _targetName, kind, batch.BatchCommands[index].CommandText);
            }
        }
        _liveness.Answered();
        _rowChecks.RemoveRange(kept, _rowChecks.Count - kept);
        _batch.RemoveRange(0, count);
        _finishedStatements = Math.Max(0, _finishedStatements - count);
        Completed(_committedInBatch);
        _committedInBatch.Clear();
    }

    // Transactions the target has committed: counted, the position advanced, their conflicts logged.
    void Completed(IEnumerable<(NpgsqlLogSequenceNumber EndLsn, DateTime CommitTs, TxnCounts Counts, List<ConflictRecord> Conflicts)> committed)
    {
        foreach (var (end, ts, counts, conflicts) in committed)
        {
            Counters.Add(counts);
            Advance(end);
            LastCommitTimestamp = ts;
            LastAppliedAt = DateTime.UtcNow;
            if (_mm is not null)
            {
                if (conflicts.Count > 0)
                    _mm.Coordinator.Log.Add(conflicts);
                _mm.Coordinator.ReportWatermark(_mm.RemoteNode, _mm.LocalNode, ts);
            }
        }
    }

    // Stopping (a sync paused by an abort elsewhere, say) while a batch was on its way: the transactions the target
    // committed before the cancel still count, and their conflicts are logged. A short wait of its own: the stop's
    // token is cancelled already.
    async Task CompletedBeforeCancelAsync()
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await ExecAsync("ROLLBACK", wait.Token).ConfigureAwait(false);
            var progress = await ReadProgressAsync(wait.Token).ConfigureAwait(false);
            Completed(_committedInBatch.Where(t => t.EndLsn <= progress));
            _committedInBatch.Clear();
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or InvalidOperationException or IOException)
        {
            _log.LogDebug(e, "target {Target}: reading what committed before the stop", _targetName);
        }
    }

    // After an error the session may sit in an aborted transaction; some transactions of the batch may already be
    // committed. Roll back and take the position from the origin itself, which is exact.
    async Task RecoverAfterErrorAsync(CancellationToken cancellationToken, bool keepPending = false)
    {
        try
        {
            await ExecAsync("ROLLBACK", cancellationToken).ConfigureAwait(false);
            var progress = await ReadProgressAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _position, (long)(ulong)progress);
            _liveness = new TargetLiveness(_targetName);
        }
        catch (NpgsqlException e)
        {
            _log.LogDebug(e, "recovery after apply error on {Target}", _targetName);
        }
        _batch.Clear();
        _copyText.Clear();
        _finishedStatements = 0;
        _rowChecks.Clear();
        _committedInBatch.Clear();
        if (!keepPending)
            _mmPending.Clear();
    }

    void Advance(NpgsqlLogSequenceNumber lsn)
    {
        var value = (long)(ulong)lsn;
        long current;
        do
        {
            current = Interlocked.Read(ref _position);
            if (value <= current)
                return;
        }
        while (Interlocked.CompareExchange(ref _position, value, current) != current);
    }

    /// <summary>The source's current description of a table, for type names (drift messages, added columns).</summary>
    public Func<QualifiedName, CancellationToken, Task<TableInfo?>>? SourceTable { get; init; }

    /// <summary>Check each new layout of a source table against the target before applying it (false: <c>--ddl ignore</c>).</summary>
    public bool CheckLayouts { get; init; } = true;

    /// <summary>Multi-master: the publication of this sync on the target, which tables created by replicated DDL join.</summary>
    public string? PublishCreatedIn { get; init; }

    // Replicated DDL: whether one ran in the open transaction; the apply session's own search_path.
    bool _ddlInTxn;
    string _searchPath = "\"$user\", public";

    /// <summary>Multi-master: waits, before a replicated statement runs, until its source holds the DDL lock.</summary>
    public Func<DdlItem, CancellationToken, Task>? BeforeDdl { get; init; }

    async Task ApplyDdlAsync(DdlItem ddl, CancellationToken cancellationToken)
    {
        if (BeforeDdl is not null)
            await BeforeDdl(ddl, cancellationToken).ConfigureAwait(false);
        await EndInsertRunAsync(cancellationToken).ConfigureAwait(false);
        // Multi-master: a transaction with DDL is decided in place (its BEGIN sent before the statement).
        await DecideInPlaceAsync(cancellationToken).ConfigureAwait(false);
        if (_conflicts is not null)
            await ResolveConflictsAsync(cancellationToken).ConfigureAwait(false);
        _ddlInTxn = true;
        // What came before goes first; the statement then runs in a round trip of its own, so a failure names it.
        // CONCURRENTLY: what came before is committed (its origin progress is set at the source commit), the statement
        // runs outside a transaction, and a new transaction takes the rest of the source transaction.
        await SendAsync(_batch.Count, cancellationToken).ConfigureAwait(false);
        if (!ddl.Transactional)
            await ExecAsync("COMMIT", cancellationToken).ConfigureAwait(false);
        try
        {
            await DdlApply.RunAsync(Conn, ddl, _searchPath, PublishCreatedIn, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            await RecoverAfterErrorAsync(cancellationToken).ConfigureAwait(false);
            throw DdlApply.Failed(_targetName, ddl, e);
        }
        if (!ddl.Transactional)
            await ExecAsync("BEGIN", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Add columns the source gained instead of stopping (<c>--auto-add-columns</c>).</summary>
    public bool AutoAddColumns { get; init; }

    /// <summary>
    /// The statements for one layout of a source table; null when the table is not (any longer) part of the sync. A new
    /// layout is checked against the target first (<see cref="TargetLayoutCheck"/>), after what is pending was sent.
    /// </summary>
    async Task<RelationPlan?> PlanAsync(RelationInfo relation, CancellationToken cancellationToken)
    {
        if (_plans.TryGetValue(relation, out var plan))
            return plan;
        if (_mapName(relation.Name) is not { } target)
        {
            // The reader lets through only tables that left the sync (and its publication) after these changes.
            if (_skippedTables.Add(relation.Name))
                _log.LogWarning("target {Target}: skipping changes of {Table}: it is no longer in the sync", _targetName, relation.Name.Display);
            return null;
        }
        _layouts ??= new TargetLayoutCheck(_settings, _targetName, SourceTable, AutoAddColumns, _log);
        // A DDL statement earlier in this transaction already made the target's table what the source sent (and the
        // check's own session could not see it before the commit); with --ddl ignore nothing is checked.
        if (CheckLayouts && !_ddlInTxn && !_layouts.IsKnown(relation, target))
        {
            await EndInsertRunAsync(cancellationToken).ConfigureAwait(false);
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            await _layouts.CheckAsync(relation, target, ExecAsync, cancellationToken).ConfigureAwait(false);
        }
        plan = new RelationPlan(relation, target);
        _plans[relation] = plan;
        return plan;
    }

    TargetLayoutCheck? _layouts;
    readonly HashSet<QualifiedName> _skippedTables = [];

    NpgsqlConnection Conn => _conn ?? throw new InvalidOperationException("applier is not connected");

    async Task ExecAsync(string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, Conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_copy is not null)
        {
            try
            {
                _copyText.Clear();
                await _copy.CancelAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException)
            {
                _log.LogDebug(e, "cancelling COPY on {Target}", _targetName);
            }
            _copy = null;
        }
        if (_conn is not null)
            await _conn.DisposeAsync().ConfigureAwait(false);
        await Queue.DisposeAsync().ConfigureAwait(false);
    }
}
