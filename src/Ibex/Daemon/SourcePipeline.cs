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
/// <remarks>
/// Why this file is over the ~300 lines the data path aims for: it composes one run of the parts (initial copy step,
/// link supervisors, reader, recorder, acknowledgement loop, status publisher) and watches them as a group; each of
/// those is its own type. The acknowledgement loop, which saves the multi-master view before acknowledging, is the
/// part that could move out next.
/// </remarks>
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
    readonly ProgressTracker _progress;
    readonly StatusPublisher _status;
    readonly IReadOnlyList<LinkSupervisor> _supervisors;
    static readonly IReadOnlyDictionary<(string Target, QualifiedName Table), NpgsqlLogSequenceNumber> NoCopyPoints = new Dictionary<(string, QualifiedName), NpgsqlLogSequenceNumber>();

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
        _progress = new ProgressTracker(multiMaster is not null);
        _status = new StatusPublisher(sync.Name, nodes[source], control, Links, _log);
        _supervisors = [.. Links.Select(l => new LinkSupervisor(l, ct => ConnectAsync(l, NoCopyPoints, ct), control, sync.Name, _log))];
        _followed = new(sync.Tables.Select(t => KeyValuePair.Create(t.Name, (byte)0)));
        _schemaFollow = new SchemaFollower(sync.Name, _source, control, _log);
    }

    // Replicating DDL: every name the sync's tables had in this pipeline's stream (the reader's guard adds them,
    // appliers map changes by them), and what records the tables the sync follows in the control database.
    readonly System.Collections.Concurrent.ConcurrentDictionary<QualifiedName, byte> _followed;
    readonly SchemaFollower _schemaFollow;

    public IReadOnlyList<LinkRuntime> Links { get; }

    /// <summary>Multi-master with DDL replicated: the sync's DDL lock, taken when this source's reader reads its DDL.</summary>
    public DdlLock? DdlLock { get; init; }

    /// <summary>DDL replicated: the check of the synced tables on every node once this source's DDL is applied.</summary>
    public SchemaProof? SchemaProof { get; init; }

    /// <summary>How initial copies run.</summary>
    public CopyOptions CopyOptions { get; init; } = new();

    // The tables whose copy was resumed (ranges at different snapshots), from the last copy step: every applier of this
    // source skips their changes per range, also after a reconnection, until the stream has passed them.
    IReadOnlyDictionary<(string Target, QualifiedName Table), RangeSkip> _rangeSkips = new Dictionary<(string, QualifiedName), RangeSkip>();

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
            try
            {
                await RunOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            // Every failure restarts the run, out of memory too: this run's queues are gone by then (a pipeline that
            // let it through stopped for good, unseen, while its links still showed streaming).
            catch (Exception e)
            {
                Interlocked.Increment(ref _restarts);
                var delay = _backoff.Next();
                var message = e switch
                {
                    IbexException or ApplyException => e.Message,
                    OutOfMemoryException => $"source '{_source}': the daemon ran out of memory (its queues held {QueueMemory.Process.UsedBytes >> 20} MB of {QueueMemory.Process.LimitBytes >> 20} MB); lower --queue-memory-mb or raise DOTNET_GCHeapHardLimit",
                    _ => $"source '{_source}': {Errors.Describe(e)}",
                };
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
        var copy = new InitialCopyStep(_sync, _source, _nodes, _control, Links, _mm, _loggers)
        {
            Copy = CopyOptions,
            Publish = ct => _status.PublishAsync(RetentionError, ct),
            RecordDeletes = _mm is null ? null : async ct => await DeleteRecording.StartAsync(await NewReaderAsync(ct).ConfigureAwait(false), NewRecorder(), _log, ct).ConfigureAwait(false),
        };
        var copiedAt = await copy.RunAsync(token).ConfigureAwait(false);
        _rangeSkips = copy.RangeSkips;
        if (_mm is not null)
            await _mm.LoadResolvedAsync(token).ConfigureAwait(false);

        var restart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = new List<Task>();
        foreach (var supervisor in _supervisors)
        {
            var link = supervisor.Link;
            try
            {
                var applier = await ConnectAsync(link, copiedAt, token).ConfigureAwait(false);
                if (link.DownSince is not null)
                    _log.LogInformation("sync {Sync}: target {Target} is back", _sync.Name, link.Link.Target);
                link.Attach(applier);
            }
            catch (ApplyException e)
            {
                await supervisor.FailAsync(e).ConfigureAwait(false);
                tasks.Add(supervisor.ReconnectLaterAsync(restart, token));
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
        var reader = await NewReaderAsync(token).ConfigureAwait(false);
        Reader = reader;
        try
        {
            // The reader, the tombstone recorder, the acknowledgement loop and the status publisher are watched
            // together: if any of them fails, the run ends and starts over from the slot (the recorder's position holds
            // the slot back, so nothing is lost). Appliers are not: a failed one is handled by its LinkSupervisor.
            var watched = new List<Task> { restart.Task };
            if (_mm is not null)
            {
                _recorder = NewRecorder();
                await _recorder.ConnectAsync(token).ConfigureAwait(false);
                watched.Add(_recorder.RunAsync(token));
            }
            foreach (var supervisor in _supervisors.Where(x => x.Link.Live))
                tasks.Add(supervisor.RunAsync(restart, token));
            var readerTask = reader.RunAsync(default, DispatchAsync, token);
            watched.Add(readerTask);
            watched.Add(AcknowledgeLoopAsync(reader, token));
            watched.Add(_status.RunAsync(() => RetentionError, token));
            tasks.AddRange(watched.Where(t => t != restart.Task));
            var first = await Task.WhenAny(watched).ConfigureAwait(false);
            await cts.CancelAsync().ConfigureAwait(false);
            await WhenAllQuietly(tasks).ConfigureAwait(false);
            using (var teardown = Teardown.Bounded())
                await _status.PublishAsync(RetentionError, teardown.Token).ConfigureAwait(false);
            if (first != restart.Task && first.IsFaulted)
                await first.ConfigureAwait(false); // a watched part failed: restart
            if (first != restart.Task && !cancellationToken.IsCancellationRequested)
                throw new IbexException(first == readerTask ? $"source '{_source}': the replication stream ended unexpectedly" : $"source '{_source}': a part of the pipeline stopped unexpectedly");
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
        await JoinPositions.WaitForCopyAsync(_control, _sync, link.Link, cancellationToken).ConfigureAwait(false);
        // Targets hold tables under their mapped names; other sources (multi-master) under the same names.
        var targetIsSource = _sync.Sources.Any(n => n.Node == target.Name);
        var names = _sync.Tables.ToDictionary(t => t.Name, t => targetIsSource ? t.Name : t.TargetName);
        var applier = new TargetApplier(target.Name, NodeConnections.Settings(target), link.Link.OriginName, _options, link.Counters, _loggers.CreateLogger("Ibex.Apply"),
            mapName: n => names.TryGetValue(n, out var mapped) ? mapped : _followed.ContainsKey(n) ? n : null,
            multiMaster: _mm is null ? null : new MultiMasterLink(_mm, target.Name, _source))
        {
            SourceTable = SourceTableAsync,
            AutoAddColumns = _sync.Options.AutoAddColumns,
            CheckLayouts = _sync.Ddl != DdlMode.Ignore,
            PublishCreatedIn = targetIsSource && _sync.Ddl == DdlMode.Replicate ? _sync.PublicationName : null,
            BeforeDdl = DdlLock is { } ddlLock ? (ddl, ct) => ddlLock.TakeAsync(_source, ddl, ct) : null,
        };
        try
        {
            link.SetState("connecting");
            await applier.ConnectAsync(cancellationToken).ConfigureAwait(false);
            foreach (var ((t, table), lsn) in copiedAt)
                if (t == target.Name)
                    applier.CopiedAt[table] = lsn;
            foreach (var ((t, table), skip) in _rangeSkips)
                if (t == target.Name)
                    applier.CopiedRanges[table] = skip;
            return applier;
        }
        catch
        {
            await applier.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // A reader of this source's slot (from its confirmed position), with the view of other nodes it had saved.
    async Task<SlotReader> NewReaderAsync(CancellationToken cancellationToken)
    {
        var slot = _sync.Nodes.First(n => n.Node == _source).SlotName!;
        var settings = await ReplicationHost.ResolveAsync(NodeConnections.Settings(_nodes[_source]), $"node '{_source}'", cancellationToken).ConfigureAwait(false);
        return new SlotReader(settings, slot, _sync.PublicationName, _forward, _loggers.CreateLogger("Ibex.Capture"),
            _mm?.OriginsInto(_source), _mm?.Baseline ?? default, _mm is null ? null : await _seenState.LoadAsync(slot, cancellationToken).ConfigureAwait(false))
        {
            BlockedOrigins = _forward ? await OriginsFromTargetsAsync(cancellationToken).ConfigureAwait(false) : null,
            BeforeDdl = BeforeDdlAsync,
            Relations = new RelationGuard(settings, _source, _sync.Name, _sync.PublicationName, [.. _followed.Keys])
            {
                Warn = WarnAsync,
                FollowsDdl = _sync.Ddl == DdlMode.Replicate,
                Followed = _followed,
                Persist = _schemaFollow.PersistAsync,
                ReloadTables = ct => new SchemaFollowStore(_control).TablesAsync(_sync.Name, ct),
            },
        };
    }

    // A DDL statement of this source, before it is passed on: the lock (multi-master) if free, then the proof to come.
    async Task BeforeDdlAsync(DdlItem ddl, CancellationToken cancellationToken)
    {
        if (DdlLock is not null)
            await DdlLock.TryTakeAsync(_source, ddl, cancellationToken).ConfigureAwait(false);
        SchemaProof?.Note(_source, ddl.Lsn);
    }

    // A warning about the source that the operator must see: the log, and an event (ibex status).
    async Task WarnAsync(string message, CancellationToken cancellationToken)
    {
        _log.LogWarning("sync {Sync}: {Warning}", _sync.Name, message);
        await _control.LogEventAsync(_sync.Name, _source, "warning", message, cancellationToken).ConfigureAwait(false);
    }

    TombstoneRecorder NewRecorder() => new(_source, NodeConnections.Settings(_nodes[_source]), _mm!, _options, _loggers.CreateLogger("Ibex.Conflicts"));

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
        await using var conn = await NodeDataSources.OpenAsync(_nodes[_source], cancellationToken).ConfigureAwait(false);
        await CatalogReader.PrepareSessionAsync(conn, cancellationToken).ConfigureAwait(false);
        return (await CatalogReader.ReadTablesAsync(conn, [name], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(name);
    }

    async Task RecordReaderErrorAsync(string message, CancellationToken cancellationToken)
    {
        try
        {
            await _control.LogEventAsync(_sync.Name, _source, "error", message, cancellationToken).ConfigureAwait(false);
            // The source failed, so no link streams; a link that failed on its own keeps its own reason.
            await _status.PublishSnapshotsAsync(Links.Select(l => l.State is "down" or "error" && l.Error is not null ? (l, l.State, l.Error) : (l, "error", (string?)message)), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Not recorded is not a reason to stop retrying the source.
            _log.LogWarning("sync {Sync} source {Source}: could not record the error: {Error}", _sync.Name, _source, e.Message);
        }
    }

    // Four times a second: note links that work again, and acknowledge the slot up to what every target (and the
    // tombstone recorder) has. Status is published by its own loop (StatusPublisher), never on this path; idle
    // markers come from the reader itself, its queues' only producer.
    async Task AcknowledgeLoopAsync(SlotReader reader, CancellationToken cancellationToken)
    {
        var saveWarning = new RepeatedWarning(_log);
        try
        {
            while (true)
            {
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
                foreach (var link in Links)
                    if (link.CheckRecovered(DateTime.UtcNow))
                        _backoff.Reset();
                if (_progress.Decide(Links.Select(l => l.Position), _recorder?.Position) is { } ack)
                {
                    // Multi-master: save what the source had seen at the acknowledged position before acknowledging
                    // it, so a restarted reader begins with the right view (and conflicts are detected as before).
                    if (ack.SaveSeenFirst && reader.SeenAt(ack.Lsn) is { } seen)
                    {
                        try
                        {
                            await _seenState.SaveAsync(ack.Lsn, seen, cancellationToken).ConfigureAwait(false);
                            saveWarning.Clear($"sync {_sync.Name} source {_source}: the reader's position is saved again");
                        }
                        catch (Exception e) when (e is IbexException or NpgsqlException or IOException or TimeoutException)
                        {
                            // Control database away: keep applying, acknowledge nothing new until the view is saved.
                            saveWarning.Report($"sync {_sync.Name} source {_source}: cannot save the reader's position yet: {Errors.Describe(e)}");
                            continue;
                        }
                    }
                    reader.Acknowledge(ack.Lsn);
                    _progress.Acknowledge(ack.Lsn);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
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
