using Ibex.Apply;
using Ibex.Capture;
using Ibex.Catalog;
using Ibex.Changes;
using Ibex.Conflicts;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Copy;
using Ibex.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Daemon;

/// <summary>
/// Everything one source of a sync does: initial copies, then one slot reader fanned out to one applier per target,
/// acknowledging the slot only up to what every target has committed. A target that fails is taken out of the
/// stream and retried with backoff while the others go on; when it is back, the stream restarts from the slot's
/// position and targets that are ahead skip what they already have.
/// </summary>
public sealed class SourcePipeline
{
    readonly SyncRecord _sync;
    readonly string _source;
    readonly IReadOnlyDictionary<string, NodeRecord> _nodes;
    readonly ControlDatabase _control;
    readonly ApplyOptions _options;
    readonly ILoggerFactory _loggers;
    readonly ILogger _log;
    readonly Backoff _backoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    readonly bool _forward;

    readonly MultiMasterCoordinator? _mm;
    readonly SeenState _seenState;
    TombstoneRecorder? _recorder;
    NpgsqlLogSequenceNumber _lastAck;

    public SourcePipeline(SyncRecord sync, string source, IReadOnlyDictionary<string, NodeRecord> nodes, ControlDatabase control, ApplyOptions options, ILoggerFactory loggers,
        MultiMasterCoordinator? multiMaster = null)
    {
        _mm = multiMaster;
        _sync = sync;
        _source = source;
        _nodes = nodes;
        _control = control;
        _options = options;
        _loggers = loggers;
        _log = loggers.CreateLogger("Ibex.Pipeline");
        Links = [.. sync.Links.Where(l => l.Source == source && sync.Streams(l.Target)).Select(l => new LinkRuntime(l))];
        _forward = sync.Options.Forward;
        _seenState = new SeenState(control, sync.Name, source, nodes[source], _log);
    }

    public IReadOnlyList<LinkRuntime> Links { get; }

    /// <summary>Set by the retention guard while a slot of this source holds back too much WAL: every link reports it.</summary>
    public string? RetentionError { get; set; }

    long _restarts;

    /// <summary>How many times this pipeline restarted after a failure (source down, stream ended), since the daemon started.</summary>
    public long Restarts => Interlocked.Read(ref _restarts);

    public string Source => _source;

    /// <summary>The reader of the current run, if streaming.</summary>
    public SlotReader? Reader { get; private set; }

    /// <summary>Runs until cancelled, restarting with backoff after failures.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = DateTime.UtcNow;
            try
            {
                await RunOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Interlocked.Increment(ref _restarts);
                if (DateTime.UtcNow - started > TimeSpan.FromMinutes(2))
                    _backoff.Reset();
                var delay = _backoff.Next();
                var message = e is IbexException or ApplyException ? e.Message : $"source '{_source}': {Errors.Describe(e)}";
                _log.LogWarning("sync {Sync} source {Source}: {Error}; retrying in {Delay:0.0}s", _sync.Name, _source, message, delay.TotalSeconds);
                await RecordReaderErrorAsync(message, cancellationToken).ConfigureAwait(false);
                try
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = cts.Token;
        _log.LogDebug("sync {Sync} source {Source}: starting pipeline", _sync.Name, _source);
        await CopyPendingTablesAsync(token).ConfigureAwait(false);
        if (_mm is not null)
            await _mm.LoadResolvedAsync(token).ConfigureAwait(false);
        var copiedAt = await CopyPointsAsync(token).ConfigureAwait(false);

        var restart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = new List<Task>();
        foreach (var link in Links)
        {
            try
            {
                var applier = await ConnectAsync(link, copiedAt, token).ConfigureAwait(false);
                if (link.DownSince is not null)
                    _log.LogInformation("sync {Sync}: target {Target} is back", _sync.Name, link.Link.Target);
                link.Attach(applier);
            }
            catch (ApplyException e)
            {
                await FailAsync(link, e).ConfigureAwait(false);
                tasks.Add(ReconnectLaterAsync(link, restart, token));
            }
        }
        if (!Links.Any(l => l.Live))
        {
            // Nothing to apply to: wait until a target comes back.
            await Task.WhenAny(restart.Task, Task.Delay(Timeout.Infinite, token)).ConfigureAwait(false);
            await cts.CancelAsync().ConfigureAwait(false);
            await WhenAllQuietly(tasks).ConfigureAwait(false);
            return;
        }

        _log.LogDebug("sync {Sync} source {Source}: {Live} target(s) connected; starting the stream", _sync.Name, _source, Links.Count(l => l.Live));
        var sourceSettings = NodeConnections.Settings(_nodes[_source]);
        var slot = _sync.Nodes.First(n => n.Node == _source).SlotName!;
        var reader = new SlotReader(sourceSettings, slot, _sync.PublicationName, _forward, _loggers.CreateLogger("Ibex.Capture"),
            _mm?.OriginsInto(_source), _mm?.Baseline ?? default, _mm is null ? null : await _seenState.LoadAsync(slot, token).ConfigureAwait(false))
        {
            BlockedOrigins = _forward ? await OriginsFromTargetsAsync(token).ConfigureAwait(false) : null,
            Relations = new RelationGuard(sourceSettings, _source, _sync.Name, _sync.PublicationName, [.. _sync.Tables.Select(t => t.Name)]),
        };
        Reader = reader;
        try
        {
            if (_mm is not null)
            {
                _recorder = new TombstoneRecorder(_source, sourceSettings, _mm, _options, _loggers.CreateLogger("Ibex.Conflicts"));
                await _recorder.ConnectAsync(token).ConfigureAwait(false);
                tasks.Add(_recorder.RunAsync(token));
            }
            foreach (var link in Links.Where(l => l.Live))
                tasks.Add(RunApplierAsync(link, restart, token));
            var readerTask = reader.RunAsync(default, DispatchAsync, token);
            tasks.Add(readerTask);
            var statusTask = StatusLoopAsync(reader, token);
            tasks.Add(statusTask);
            var first = await Task.WhenAny(readerTask, restart.Task, statusTask).ConfigureAwait(false);
            await cts.CancelAsync().ConfigureAwait(false);
            await WhenAllQuietly(tasks).ConfigureAwait(false);
            await PublishAsync(reader, CancellationToken.None).ConfigureAwait(false);
            if (first != restart.Task && first.IsFaulted)
                await first.ConfigureAwait(false); // the reader, or the status loop that acknowledges the slot, failed: restart
            if (first == readerTask && !cancellationToken.IsCancellationRequested)
                throw new IbexException($"source '{_source}': the replication stream ended unexpectedly");
            _backoff.Reset();
        }
        finally
        {
            Reader = null;
            await reader.DisposeAsync().ConfigureAwait(false);
            if (_recorder is not null)
            {
                await _recorder.DisposeAsync().ConfigureAwait(false);
                _recorder = null;
            }
            foreach (var link in Links)
            {
                var applier = link.Applier;
                link.Detach();
                if (applier is not null)
                    await applier.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    async ValueTask DispatchAsync(StreamItem item, CancellationToken cancellationToken)
    {
        if (_recorder is { } recorder)
            await recorder.Queue.EnqueueAsync(item, cancellationToken).ConfigureAwait(false);
        foreach (var link in Links)
        {
            if (!link.Live)
                continue;
            var applier = link.Applier;
            if (applier is not null)
                await applier.Queue.EnqueueAsync(item, cancellationToken).ConfigureAwait(false);
        }
    }

    async Task<TargetApplier> ConnectAsync(LinkRuntime link, IReadOnlyDictionary<(string Target, QualifiedName Table), NpgsqlLogSequenceNumber> copiedAt, CancellationToken cancellationToken)
    {
        var target = _nodes[link.Link.Target];
        // Targets hold tables under their mapped names; other sources (multi-master) under the same names.
        var targetIsSource = _sync.Sources.Any(n => n.Node == target.Name);
        var names = _sync.Tables.ToDictionary(t => t.Name, t => targetIsSource ? t.Name : t.TargetName);
        var applier = new TargetApplier(target.Name, NodeConnections.Settings(target), link.Link.OriginName, _options, link.Counters, _loggers.CreateLogger("Ibex.Apply"),
            mapName: n => names.TryGetValue(n, out var mapped) ? mapped : null,
            multiMaster: _mm is null ? null : new MultiMasterLink(_mm, target.Name, _source))
        {
            SourceTable = SourceTableAsync,
            AutoAddColumns = _sync.Options.AutoAddColumns,
        };
        try
        {
            link.SetState("connecting");
            await applier.ConnectAsync(cancellationToken).ConfigureAwait(false);
            foreach (var ((t, table), lsn) in copiedAt)
                if (t == target.Name)
                    applier.CopiedAt[table] = lsn;
            return applier;
        }
        catch
        {
            await applier.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // Forwarding (A→B→C) must never send a change back towards the node it came from: origins of every link, in any
    // sync, whose source is one of this pipeline's targets are never passed on.
    async Task<IReadOnlySet<string>> OriginsFromTargetsAsync(CancellationToken cancellationToken)
    {
        var targets = Links.Select(l => l.Link.Target).ToHashSet();
        var all = await new SyncStore(_control).ListAsync(cancellationToken).ConfigureAwait(false);
        return all.SelectMany(s => s.Links).Where(l => targets.Contains(l.Source)).Select(l => l.OriginName).ToHashSet();
    }

    // The source's current description of a table (type names for drift messages and added columns).
    async Task<TableInfo?> SourceTableAsync(QualifiedName name, CancellationToken cancellationToken)
    {
        await using var conn = await NodeConnections.OpenAsync(_nodes[_source], "catalog", cancellationToken).ConfigureAwait(false);
        await CatalogReader.PrepareSessionAsync(conn, cancellationToken).ConfigureAwait(false);
        return (await CatalogReader.ReadTablesAsync(conn, [name], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(name);
    }

    async Task RunApplierAsync(LinkRuntime link, TaskCompletionSource restart, CancellationToken cancellationToken)
    {
        var applier = link.Applier!;
        try
        {
            await applier.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Anything else is a bug, but it must not leave the link silently stopped: it is retried like a failure.
            var e = error as ApplyException ?? new ApplyException($"target '{link.Link.Target}': internal error: {error.GetType().Name}: {error.Message}", true, error);
            if (error is not ApplyException)
                _log.LogError(error, "sync {Sync}: applier for {Target} failed", _sync.Name, link.Link.Target);
            var old = link.Fail(e);
            await FailAsync(link, e).ConfigureAwait(false);
            if (old is not null)
                await old.DisposeAsync().ConfigureAwait(false);
            await ReconnectLaterAsync(link, restart, cancellationToken).ConfigureAwait(false);
        }
    }

    // Waits (with backoff) until the target accepts a connection again, then restarts the whole pipeline so the
    // stream is read again from the slot's position, which is no later than this target's.
    async Task ReconnectLaterAsync(LinkRuntime link, TaskCompletionSource restart, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var delay = link.Backoff.Next();
                _log.LogInformation("sync {Sync}: retrying target {Target} in {Delay:0.0}s", _sync.Name, link.Link.Target, delay.TotalSeconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                try
                {
                    var probe = await ConnectAsync(link, new Dictionary<(string, QualifiedName), NpgsqlLogSequenceNumber>(), cancellationToken).ConfigureAwait(false);
                    await probe.DisposeAsync().ConfigureAwait(false);
                    restart.TrySetResult();
                    return;
                }
                catch (ApplyException e)
                {
                    await FailAsync(link, e).ConfigureAwait(false);
                }
                catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or IbexException)
                {
                    // Whatever went wrong, keep retrying: a link must never stay down because a probe failed oddly.
                    await FailAsync(link, new ApplyException($"target '{link.Link.Target}': {Errors.Describe(e)}", Errors.IsConnectionFailure(e), e)).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    async Task FailAsync(LinkRuntime link, ApplyException e)
    {
        link.Fail(e);
        _log.LogWarning("sync {Sync}: link {Source} -> {Target}: {Error}", _sync.Name, link.Link.Source, link.Link.Target, e.Message);
        if (link.ErrorIsNew)
        {
            link.ErrorIsNew = false;
            try
            {
                await _control.LogEventAsync(_sync.Name, link.Link.Target, "error", e.Message, CancellationToken.None).ConfigureAwait(false);
            }
            catch (IbexException ce)
            {
                _log.LogWarning("could not record event: {Error}", ce.Message);
            }
        }
    }

    async Task RecordReaderErrorAsync(string message, CancellationToken cancellationToken)
    {
        try
        {
            await _control.LogEventAsync(_sync.Name, _source, "error", message, cancellationToken).ConfigureAwait(false);
            // The source failed, so no link streams; a link that failed on its own keeps its own reason.
            await PublishSnapshotsAsync(Links.Select(l => l.State is "down" or "error" && l.Error is not null ? (l, l.State, l.Error) : (l, "error", (string?)message)), null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IbexException or NpgsqlException or OperationCanceledException)
        {
            _log.LogDebug("could not record error: {Error}", e.Message);
        }
    }

    // Twice a second: tell idle appliers how far the stream has got, acknowledge the slot up to what every
    // target has, and publish status.
    async Task StatusLoopAsync(SlotReader reader, CancellationToken cancellationToken)
    {
        var lastIdle = default(NpgsqlLogSequenceNumber);
        try
        {
            while (true)
            {
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
                var received = reader.LastReceivedLsn;
                if (reader.State == ReaderState.BetweenTransactions && received > lastIdle)
                {
                    lastIdle = received;
                    await DispatchAsync(new MarkerItem(received), cancellationToken).ConfigureAwait(false);
                }
                var ack = Links.Min(l => l.Position);
                if (_recorder is { } recorder && recorder.Position < ack)
                    ack = recorder.Position;
                // Multi-master: save what the source had seen at the acknowledged position before acknowledging it,
                // so a restarted reader begins with the right view (and conflicts are detected as before).
                if (_mm is not null && ack > _lastAck && reader.SeenAt(ack) is { } seen)
                {
                    try
                    {
                        await _seenState.SaveAsync(ack, seen, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is IbexException or NpgsqlException or IOException or TimeoutException)
                    {
                        // Control database away: keep applying, acknowledge nothing new until the view is saved.
                        _log.LogWarning("sync {Sync} source {Source}: cannot save the reader's position yet: {Error}", _sync.Name, _source, Errors.Describe(e));
                        continue;
                    }
                }
                if (ack != default)
                    reader.Acknowledge(ack);
                _lastAck = ack > _lastAck ? ack : _lastAck;
                await PublishAsync(reader, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    readonly Dictionary<LinkRuntime, (long I, long U, long D, long T, long X)> _published = [];
    DateTime _lastSourceCheck;
    NpgsqlLogSequenceNumber _sourceLsn;

    async Task PublishAsync(SlotReader? reader, CancellationToken cancellationToken)
    {
        await RefreshSourceLsnAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var retention = RetentionError;
            await PublishSnapshotsAsync(Links.Select(l => retention is null ? (l, l.State, l.Error) : (l, "error", (string?)retention)), reader, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IbexException or NpgsqlException)
        {
            _log.LogDebug("status not published: {Error}", e.Message);
        }
    }

    // Counters go out as increments since the last successful publish; remember exactly what was sent.
    async Task PublishSnapshotsAsync(IEnumerable<(LinkRuntime Link, string State, string? Error)> links, SlotReader? reader, CancellationToken cancellationToken)
    {
        var taken = links.Select(x =>
        {
            var c = x.Link.Counters;
            var now = (c.Inserts, c.Updates, c.Deletes, c.Truncates, c.Transactions);
            return (x.Link, Now: now, Snap: Snapshot(x.Link, reader, _sourceLsn == default ? null : _sourceLsn, x.State, x.Error, now));
        }).ToList();
        await new StatusStore(_control).PublishAsync(_sync.Name, [.. taken.Select(t => t.Snap)], cancellationToken).ConfigureAwait(false);
        foreach (var t in taken)
            _published[t.Link] = t.Now;
    }

    LinkSnapshot Snapshot(LinkRuntime l, SlotReader? reader, NpgsqlLogSequenceNumber? sourceLsn, string state, string? error, (long I, long U, long D, long T, long X) now)
    {
        var prev = _published.GetValueOrDefault(l);
        var applier = l.Applier;
        // Counters were read before the position: a position never runs ahead of the counts published with it.
        var position = l.Position;
        long? lagBytes = sourceLsn is { } s && position != default ? Math.Max(0, (long)((ulong)s - (ulong)position)) : null;
        double? lagSeconds;
        if (l.Live && applier is not null)
        {
            var busy = applier.CurrentCommitTimestamp;
            lagSeconds = busy is { } ts ? Math.Max(0, (DateTime.UtcNow - ts).TotalSeconds) : 0;
        }
        else
        {
            // Not applying: the target falls behind from the moment it stopped, as soon as the source moves on.
            lagSeconds = lagBytes is > 0 && l.DownSince is { } since ? (DateTime.UtcNow - since).TotalSeconds : null;
        }
        return new LinkSnapshot(l.Link.Source, l.Link.Target, state, error, position,
            applier?.LastCommitTimestamp, applier?.LastAppliedAt, lagSeconds, lagBytes,
            now.I - prev.I, now.U - prev.U, now.D - prev.D, now.T - prev.T, now.X - prev.X);
    }

    async Task RefreshSourceLsnAsync(CancellationToken cancellationToken)
    {
        if (DateTime.UtcNow - _lastSourceCheck < TimeSpan.FromSeconds(2))
            return;
        _lastSourceCheck = DateTime.UtcNow;
        try
        {
            await using var conn = await NodeConnections.OpenAsync(_nodes[_source], "status", cancellationToken).ConfigureAwait(false);
            await using var cmd = new NpgsqlCommand("SELECT pg_current_wal_lsn()", conn);
            _sourceLsn = (NpgsqlLogSequenceNumber)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (Exception e) when (e is IbexException or NpgsqlException)
        {
            _sourceLsn = default;
        }
    }

    async Task CopyPendingTablesAsync(CancellationToken cancellationToken)
    {
        var store = new CopyStore(_control);
        var items = await store.ListAsync(_sync.Name, _source, cancellationToken).ConfigureAwait(false);
        var pending = items.Where(i => i.State is "pending" or "copying").ToList();
        if (pending.Count == 0)
            return;
        foreach (var l in Links.Where(l => pending.Any(p => p.Target == l.Link.Target)))
            l.SetState("copying");
        await PublishAsync(null, cancellationToken).ConfigureAwait(false);
        var sourceSettings = NodeConnections.Settings(_nodes[_source]);
        IReadOnlyDictionary<QualifiedName, TableInfo> tables;
        await using (var conn = await NodeConnections.OpenAsync(_nodes[_source], "copy", cancellationToken).ConfigureAwait(false))
        {
            await CatalogReader.PrepareSessionAsync(conn, cancellationToken).ConfigureAwait(false);
            tables = await CatalogReader.ReadTablesAsync(conn, pending.Select(p => p.Table).Distinct(), cancellationToken).ConfigureAwait(false);
        }
        var tasks = new List<CopyTask>();
        foreach (var group in pending.GroupBy(p => p.Table))
        {
            if (!tables.TryGetValue(group.Key, out var info))
                throw new IbexException($"source '{_source}': table {group.Key.Display} no longer exists; re-create it or remove it from sync '{_sync.Name}'");
            var table = _sync.Tables.FirstOrDefault(t => t.Name == group.Key);
            var options = table?.Options ?? new TableOptions();
            tasks.Add(new CopyTask(info, [.. group.Select(p => new CopyDestination(p.Target,
                _sync.Sources.Any(n => n.Node == p.Target) || table is null ? p.Table : table.TargetName,
                _sync.CopyMode == CopyMode.Always || p.State == "copying"))])
            {
                Columns = options.Columns,
                Where = options.Where,
            });
        }
        foreach (var t in tasks)
            foreach (var d in t.Targets)
                await store.MarkCopyingAsync(_sync.Name, _source, d.Node, t.Table.Name, EstimateBytes(t.Table), cancellationToken).ConfigureAwait(false);
        var copier = new InitialCopier(sourceSettings, _source, _nodes.ToDictionary(n => n.Key, n => NodeConnections.Settings(n.Value)), _loggers.CreateLogger("Ibex.Copy"))
        {
            SlotName = ObjectNames.CopySlot(_sync.Name, _source),
            Progress = (t, d, bytes) => store.ProgressAsync(_sync.Name, _source, d.Node, t.Table.Name, bytes, CancellationToken.None),
            Done = (t, d, lsn, bytes) => store.MarkDoneAsync(_sync.Name, _source, d.Node, t.Table.Name, lsn, bytes, CancellationToken.None),
            Origins = _mm is null ? null : Links.ToDictionary(l => l.Link.Target, l => l.Link.OriginName),
            OriginTimestamp = _sync.CreatedAt,
        };
        try
        {
            await copier.CopyAsync(tasks, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var message = e is IbexException ? e.Message : $"initial copy from '{_source}' failed: {Errors.Describe(e)}";
            foreach (var l in Links.Where(l => pending.Any(p => p.Target == l.Link.Target)))
                l.Fail(new ApplyException(message, Errors.IsConnectionFailure(e)));
            throw new IbexException(message, e);
        }
    }

    static long EstimateBytes(TableInfo t) => Math.Max(0, t.EstimatedRows) * 64;

    async Task<IReadOnlyDictionary<(string Target, QualifiedName Table), NpgsqlLogSequenceNumber>> CopyPointsAsync(CancellationToken cancellationToken)
    {
        var items = await new CopyStore(_control).ListAsync(_sync.Name, _source, cancellationToken).ConfigureAwait(false);
        return items.Where(i => i.State == "done" && i.CopyLsn is not null).ToDictionary(i => (i.Target, i.Table), i => i.CopyLsn!.Value);
    }

    static async Task WhenAllQuietly(IEnumerable<Task> tasks)
    {
        foreach (var t in tasks)
        {
            try
            {
                await t.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ApplyException or NpgsqlException or IOException or IbexException or InvalidOperationException)
            {
                // The pipeline is being torn down; the first failure was already handled.
            }
        }
    }
}
