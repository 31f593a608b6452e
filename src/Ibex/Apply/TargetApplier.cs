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
/// This is the state machine of the open transaction (skip rules for copied tables and restarts, where statements
/// go, when the batch is sent); its parts live beside it: the queued statements (<see cref="ApplyBatch"/>), the
/// run of inserts and its COPY (<see cref="InsertRun"/>), multi-master conflict detection (<see cref="MultiMasterGroups"/>),
/// the position other threads read (<see cref="ApplyProgress"/>), and <see cref="RelationPlan"/>, <see cref="OriginSession"/>,
/// <see cref="TargetLayoutCheck"/>, <see cref="TargetLiveness"/>. Still over the ~300 lines the data path aims for:
/// the layout checks of new relations (<c>PlanAsync</c>) and replicated DDL (<c>ApplyDdlAsync</c>) are the next
/// parts to move out.
/// </remarks>
public sealed class TargetApplier : IAsyncDisposable, IBatchSender
{
    readonly NpgsqlConnectionStringBuilder _settings;
    readonly string _targetName;
    readonly string _origin;
    readonly ApplyOptions _options;
    readonly ILogger _log;
    readonly Func<QualifiedName, QualifiedName?> _mapName;
    readonly Dictionary<RelationInfo, RelationPlan> _plans = new(ReferenceEqualityComparer.Instance);
    readonly ApplyBatch _batch;
    readonly InsertRun _inserts;
    readonly ApplyProgress _progress;
    NpgsqlConnection? _conn;
    TargetLiveness _liveness = null!;
    bool _inTxn;
    bool _skipping;
    BeginItem? _current;
    TxnCounts _txnCounts;
    NpgsqlLogSequenceNumber _deferredMarker;
    DateTime? _deferredHeartbeat;

    readonly MultiMasterLink? _mm;
    // Multi-master: conflict detection, whole transactions decided in groups.
    readonly MultiMasterGroups? _groups;

    public TargetApplier(string targetName, NpgsqlConnectionStringBuilder settings, string origin, ApplyOptions options, LinkCounters counters, ILogger log,
        Func<QualifiedName, QualifiedName?>? mapName = null, MultiMasterLink? multiMaster = null)
    {
        _targetName = targetName;
        _settings = settings;
        _origin = origin;
        _options = options;
        _log = log;
        _mapName = mapName ?? (n => n);
        Counters = counters;
        _batch = new ApplyBatch(targetName, counters, log);
        _inserts = new InsertRun(_batch, options.CopyThreshold);
        _progress = new ApplyProgress(counters, multiMaster);
        _mm = multiMaster;
        if (multiMaster is not null)
            _groups = new MultiMasterGroups(multiMaster, () => Conn, this, targetName, origin, log);
        Queue = new SpillingQueue(options.QueueMemoryBytes, options.SpillDirectory, options.SpillCapBytes);
    }

    public string TargetName => _targetName;

    public SpillingQueue Queue { get; }

    public LinkCounters Counters { get; }

    /// <summary>Every source transaction committed before this LSN is on the target (or was not ours).</summary>
    public NpgsqlLogSequenceNumber Position => _progress.Position;

    /// <summary>Commit time (on the source) of the transaction being applied; null when idle.</summary>
    public DateTime? CurrentCommitTimestamp => _progress.CurrentCommitTimestamp;

    /// <summary>Source commit time of the last transaction applied.</summary>
    public DateTime? LastCommitTimestamp => _progress.LastCommitTimestamp;

    public DateTime? LastAppliedAt => _progress.LastAppliedAt;

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
            if (_groups is not null)
                await _groups.LoadOriginsAsync(cancellationToken).ConfigureAwait(false);
            var progress = await ReadProgressAsync(cancellationToken).ConfigureAwait(false);
            _progress.Reset(progress);
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
                    else if (_batch.Committed.Count > 0 || _groups is { HasGroup: true })
                    {
                        if (_groups is not null)
                            await _groups.SendGroupAsync(cancellationToken).ConfigureAwait(false);
                        await SendAsync(_batch.Finished, cancellationToken).ConfigureAwait(false);
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
                    _progress.Applying(b.CommitTimestamp);
                    if (_groups is not null)
                        _groups.Begin(b);
                    else
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
                    if (_groups is not null)
                        await _groups.BeforeStatementAsync(cancellationToken).ConfigureAwait(false);
                    await ApplyTruncateAsync(change, cancellationToken).ConfigureAwait(false);
                    break;
                }
                if (await PlanAsync(change.Relation, cancellationToken).ConfigureAwait(false) is not { } plan)
                    break; // a table no longer in the sync
                if (_groups is not null)
                {
                    await _groups.AddAsync(change, plan, cancellationToken).ConfigureAwait(false);
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
                await _inserts.EndAsync(cancellationToken).ConfigureAwait(false);
                if (_groups is null)
                    _batch.AddCommit(c, _txnCounts, []);
                else if (!await _groups.CommitAsync(c, _txnCounts, cancellationToken).ConfigureAwait(false))
                    break; // in the group
                if (_batch.Count >= _options.MaxBatchStatements)
                    await FlushAsync(cancellationToken).ConfigureAwait(false);
                break;
            case MarkerItem m:
                if (_inTxn || _batch.Count > 0 || _groups is { HasGroup: true })
                    _deferredMarker = m.Lsn > _deferredMarker ? m.Lsn : _deferredMarker;
                else
                {
                    _progress.Advance(m.Lsn);
                    await _liveness.CheckIfQuietAsync(Conn, cancellationToken).ConfigureAwait(false);
                }
                if (m.Heartbeat is { } beat && _mm is not null)
                {
                    // Every change of the source before the heartbeat is queued before it: none older is still to come.
                    if (_inTxn || _batch.Count > 0 || _groups is { HasGroup: true })
                        _deferredHeartbeat = beat;
                    else
                        _mm.Coordinator.ReportWatermark(_mm.RemoteNode, _mm.LocalNode, beat);
                }
                break;
        }
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
            _txnCounts.Inserts++;
            if (await _inserts.AddAsync(plan, change.NewRow!, cancellationToken).ConfigureAwait(false))
            {
                // Long enough for a COPY: what is queued goes first, so the COPY runs inside its transaction.
                await FlushAsync(cancellationToken).ConfigureAwait(false);
                await _inserts.StartCopyAsync(Conn, cancellationToken).ConfigureAwait(false);
            }
            return;
        }
        await _inserts.EndAsync(cancellationToken).ConfigureAwait(false);
        switch (change.Kind)
        {
            case ChangeKind.Update:
                _batch.AddRowStatement(plan.UpdateCommand(change.NewRow!, change.OldRow), ChangeKind.Update);
                _txnCounts.Updates++;
                break;
            case ChangeKind.Delete:
                _batch.AddRowStatement(plan.DeleteCommand(change.OldRow!), ChangeKind.Delete);
                _txnCounts.Deletes++;
                break;
        }
        if (_batch.Count >= _options.MaxBatchStatements)
            await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    async Task ApplyTruncateAsync(Change change, CancellationToken cancellationToken)
    {
        await _inserts.EndAsync(cancellationToken).ConfigureAwait(false);
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

    /// <summary>Sends everything that can go now: all of the batch, and a finished insert run outside a transaction.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_groups is not null)
            await _groups.SendGroupAsync(cancellationToken).ConfigureAwait(false);
        if (_inserts.Copying)
        {
            if (_inTxn)
                return; // a COPY is still going; it ends with the next other change or the commit
            await _inserts.EndAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (_inserts.HasRows && !_inTxn)
            await _inserts.EndAsync(cancellationToken).ConfigureAwait(false);
        // Rows of an insert run still being collected stay aside: they come after everything in the batch.
        await SendAsync(_batch.Count, cancellationToken).ConfigureAwait(false);
        if (!_inTxn)
        {
            _progress.Applying(null);
            if (_deferredMarker != default)
            {
                _progress.Advance(_deferredMarker);
                _deferredMarker = default;
            }
            if (_deferredHeartbeat is { } beat && _mm is not null)
            {
                _mm.Coordinator.ReportWatermark(_mm.RemoteNode, _mm.LocalNode, beat);
                _deferredHeartbeat = null;
            }
        }
    }

    ApplyBatch IBatchSender.Batch => _batch;

    /// <summary>
    /// Sends the first <paramref name="count"/> statements of the batch in one round trip (which must include every
    /// finished transaction in it) and keeps the rest, the beginning of the transaction being read, for later.
    /// </summary>
    public async Task SendAsync(int count, CancellationToken cancellationToken)
    {
        if (count == 0)
            return;
        using var activity = Monitoring.Metrics.IbexActivities.StartApplyBatch(_targetName, _origin, count);
        List<CommittedTransaction> done;
        try
        {
            done = await _batch.ExecuteAsync(Conn, count, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (RowGuard.IsGuardFailure(e) || _groups?.IsRaceInGroup(e) == true)
        {
            // A row changed after a group's lookups: what committed before it stays, the rest is decided again.
            var sent = _batch.Committed.ToList();
            await RecoverAfterErrorAsync(cancellationToken, keepPending: true).ConfigureAwait(false);
            _progress.Completed(sent.Where(t => t.EndLsn <= Position));
            throw new RowGuardException(e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && _mm is not null && _batch.Committed.Count > 0)
        {
            await CompletedBeforeCancelAsync().ConfigureAwait(false);
            throw;
        }
        catch (PostgresException e)
        {
            await RecoverAfterErrorAsync(cancellationToken).ConfigureAwait(false);
            throw new ApplyException($"target '{_targetName}': {e.MessageText}{Errors.DetailOf(e)}{(e.TableName is { } t ? $" (table {e.SchemaName}.{t})" : "")} (SQLSTATE {e.SqlState}); fix the target and the sync retries by itself", false, e);
        }
        _liveness.Answered();
        _progress.Completed(done);
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
            _progress.Completed(_batch.TakeCommitted().Where(t => t.EndLsn <= progress));
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
            _progress.Reset(progress);
            _liveness = new TargetLiveness(_targetName);
        }
        catch (NpgsqlException e)
        {
            _log.LogDebug(e, "recovery after apply error on {Target}", _targetName);
        }
        _batch.Clear();
        _inserts.DiscardText();
        if (!keepPending)
            _groups?.DiscardPending();
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
        await _inserts.EndAsync(cancellationToken).ConfigureAwait(false);
        // Multi-master: a transaction with DDL is decided in place (its BEGIN sent before the statement).
        if (_groups is not null)
            await _groups.BeforeStatementAsync(cancellationToken).ConfigureAwait(false);
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
            await _inserts.EndAsync(cancellationToken).ConfigureAwait(false);
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
        try
        {
            await _inserts.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException)
        {
            _log.LogDebug(e, "cancelling COPY on {Target}", _targetName);
        }
        if (_conn is not null)
            await _conn.DisposeAsync().ConfigureAwait(false);
        await Queue.DisposeAsync().ConfigureAwait(false);
    }
}
