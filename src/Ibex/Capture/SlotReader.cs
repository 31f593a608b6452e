using Ibex.Changes;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;

namespace Ibex.Capture;

/// <summary>
/// Reads one logical replication slot with pgoutput and turns its messages into <see cref="StreamItem"/>s: whole
/// transactions in commit order, row values copied out of Npgsql's reused buffers. Transactions that carry an Ibex
/// replication origin were applied by Ibex itself; unless <c>forward</c> is set they are not passed on (that is
/// what stops multi-master loops), but their end LSN still is, as a marker, so the slot does not retain their WAL.
/// </summary>
/// <remarks>
/// Why this file is over the ~300 lines the data path aims for: it is the one loop over pgoutput's messages, whose
/// transaction state (origin, skipping, the seen view, heartbeats) each message reads; relation matching
/// (<see cref="RelationGuard"/>) and idle markers (<see cref="IdleTicks"/>) are already their own types. Decoding row
/// values straight from the buffered message, the planned speed-up, will move the row copying out.
/// </remarks>
public sealed class SlotReader : IAsyncDisposable
{
    /// <summary>Messages read between two yields of the reader's thread (see <see cref="CooperativeYield"/>).</summary>
    const int YieldEvery = 256;

    /// <summary>Prefix of the logical decoding messages Ibex emits on sources (wait markers, heartbeats).</summary>
    public const string MessagePrefix = "ibex";

    readonly NpgsqlConnectionStringBuilder _settings;
    readonly string _slot;
    readonly string _publication;
    readonly bool _forward;
    readonly ILogger _log;
    readonly Dictionary<uint, RelationInfo> _relations = [];
    LogicalReplicationConnection? _conn;
    int _state = (int)ReaderState.Connecting;
    int _relationVersion;

    readonly IReadOnlyDictionary<string, string>? _originToNode;
    readonly Dictionary<string, DateTime> _seen = [];
    IReadOnlyDictionary<string, DateTime>? _seenSnapshot;

    /// <param name="settings">The source node.</param>
    /// <param name="slot">Slot to read.</param>
    /// <param name="publication">Publication naming the tables.</param>
    /// <param name="forward">Pass on transactions that arrived through Ibex (cascading) instead of skipping them.</param>
    /// <param name="log">Logger.</param>
    /// <param name="originToNode">Multi-master only: for each Ibex origin on this source, the node it brings changes from;
    /// the reader then tracks what the source had seen from each node (<see cref="BeginItem.Seen"/>).</param>
    /// <param name="seenBaseline">Changes committed before this time count as seen by every node (the sync's creation).</param>
    /// <param name="initialSeen">What the source had seen at the slot's position, as saved before a restart (overrides the baseline).</param>
    public SlotReader(NpgsqlConnectionStringBuilder settings, string slot, string publication, bool forward, ILogger log,
        IReadOnlyDictionary<string, string>? originToNode = null, DateTime seenBaseline = default, IReadOnlyDictionary<string, DateTime>? initialSeen = null)
    {
        _settings = SessionSettings.For(settings, "ibex");
        _slot = slot;
        _publication = publication;
        _forward = forward;
        _log = log;
        _originToNode = originToNode;
        if (originToNode is not null)
        {
            foreach (var node in originToNode.Values.Distinct())
                _seen[node] = initialSeen is not null && initialSeen.TryGetValue(node, out var at) && at > seenBaseline ? at : seenBaseline;
            _seenSnapshot = new Dictionary<string, DateTime>(_seen);
            _seenHistory.Add((default, _seenSnapshot));
        }
    }

    public ReaderState State => (ReaderState)Volatile.Read(ref _state);

    /// <summary>With forwarding: origins never passed on (changes that came from one of this pipeline's own targets).</summary>
    public IReadOnlySet<string>? BlockedOrigins { get; init; }

    /// <summary>How long the stream may be quiet before the reader passes on a marker of the last position received.</summary>
    public TimeSpan IdleMarkerInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Matches described relations with the sync's tables (renames, tables outside the sync); null: by name only.</summary>
    public RelationGuard? Relations { get; init; }

    /// <summary>
    /// Called with each DDL statement of the sync before it is dispatched (multi-master: the DDL lock is taken, if no
    /// other node holds it; never waits, since this node's own tombstone recorder is fed from here).
    /// </summary>
    public Func<DdlItem, CancellationToken, Task>? BeforeDdl { get; init; }

    /// <summary>The last WAL position the server told us about (data or keepalive).</summary>
    public NpgsqlLogSequenceNumber LastReceivedLsn => _conn?.LastReceivedLsn ?? default;

    /// <summary>Transactions skipped because they came from another Ibex node.</summary>
    public long SkippedOriginTransactions { get; private set; }

    /// <summary>Commit timestamp of the last transaction read (for lag reporting).</summary>
    public DateTime LastCommitTimestamp { get; private set; }

    readonly List<(NpgsqlLogSequenceNumber End, IReadOnlyDictionary<string, DateTime> Seen)> _seenHistory = [];

    /// <summary>
    /// Multi-master: what the source had seen from each node at <paramref name="lsn"/> (the state a reader restarted
    /// there must begin with). Older history is dropped: <paramref name="lsn"/> only moves forward.
    /// </summary>
    public IReadOnlyDictionary<string, DateTime>? SeenAt(NpgsqlLogSequenceNumber lsn)
    {
        lock (_seenHistory)
        {
            var i = _seenHistory.FindLastIndex(e => e.End <= lsn);
            if (i < 0)
                return null;
            if (i > 0)
                _seenHistory.RemoveRange(0, i);
            return _seenHistory[0].Seen;
        }
    }

    /// <summary>Tells the server that everything before <paramref name="lsn"/> has been applied everywhere.</summary>
    public void Acknowledge(NpgsqlLogSequenceNumber lsn) => _conn?.SetReplicationStatus(lsn);

    /// <summary>Connects and streams from <paramref name="startLsn"/> (or the slot's confirmed position) until cancelled.</summary>
    public async Task RunAsync(NpgsqlLogSequenceNumber startLsn, Func<StreamItem, CancellationToken, ValueTask> dispatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dispatch);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A dropped table sends nothing: the guard also looks for the sync's tables now and then while streaming.
        var watch = Relations?.WatchAsync(stop.Token) ?? Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => (IbexException?)null, TaskScheduler.Default);
        try
        {
            var stream = StreamAsync(startLsn, dispatch, stop.Token);
            if (await Task.WhenAny(stream, watch).ConfigureAwait(false) == watch && await watch.ConfigureAwait(false) is { } missing)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await Task.WhenAny(stream).ConfigureAwait(false);
                _ = stream.Exception; // the stream was stopped for the guard's reason
                throw missing;
            }
            await stream.ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedObject && e.MessageText.Contains(_slot, StringComparison.Ordinal)
            || e.SqlState == PostgresErrorCodes.ObjectNotInPrerequisiteState && e.MessageText.Contains("replication slot", StringComparison.Ordinal))
        {
            throw new IbexException(SlotLost(e), e);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(watch).ConfigureAwait(false);
        }
    }

    // The slot is gone (dropped by hand) or invalidated (max_slot_wal_keep_size): what it retained is lost for this
    // sync, and only a fresh copy brings the targets back.
    string SlotLost(PostgresException e)
    {
        var (sync, source) = (Relations?.Sync ?? "SYNC", Relations?.Source ?? "?");
        return $"source '{source}': {e.MessageText}{Errors.DetailOf(e)}; the changes it retained are lost for this sync, so the targets need a fresh copy: "
            + $"run 'ibex sync show {sync}', then 'ibex sync remove {sync}' and 'ibex sync add {sync} ...' with the same tables and options and --copy always";
    }

    async Task StreamAsync(NpgsqlLogSequenceNumber startLsn, Func<StreamItem, CancellationToken, ValueTask> dispatch, CancellationToken cancellationToken)
    {
        _conn = new LogicalReplicationConnection(_settings.ConnectionString)
        {
            WalReceiverStatusInterval = TimeSpan.FromSeconds(1),
            WalReceiverTimeout = TimeSpan.FromSeconds(60),
        };
        if (Relations is not null)
            await Relations.LoadAsync(cancellationToken).ConfigureAwait(false);
        await _conn.Open(cancellationToken).ConfigureAwait(false);
        if (startLsn != default)
            _conn.SetReplicationStatus(startLsn);
        var options = new PgOutputReplicationOptions(_publication, PgOutputProtocolVersion.V1, binary: false, streamingMode: PgOutputStreamingMode.Off, messages: true, twoPhase: false);
        var slot = new PgOutputReplicationSlot(_slot);

        BeginMessage? pendingBegin = null;
        DateTime? heartbeatInTxn = null;
        string? origin = null;
        var begun = false;
        var skipping = false;
        Volatile.Write(ref _state, (int)ReaderState.BetweenTransactions);
        var lastIdle = default(NpgsqlLogSequenceNumber);
        var messages = _conn.StartReplication(slot, options, cancellationToken, startLsn == default ? null : startLsn);
        var yielding = new CooperativeYield(YieldEvery);
        await foreach (var message in IdleTicks.WithTicksAsync(messages, IdleMarkerInterval, cancellationToken).ConfigureAwait(false))
        {
            if (yielding.Due())
                await Task.Yield();
            switch (message)
            {
                case null:
                    // Quiet for a while: between transactions, tell idle consumers how far the stream has got.
                    if (State == ReaderState.BetweenTransactions && LastReceivedLsn > lastIdle)
                    {
                        lastIdle = LastReceivedLsn;
                        await dispatch(new MarkerItem(lastIdle), cancellationToken).ConfigureAwait(false);
                    }
                    break;
                case BeginMessage b:
                    Volatile.Write(ref _state, (int)ReaderState.InTransaction);
                    pendingBegin = b;
                    heartbeatInTxn = null;
                    origin = null;
                    begun = false;
                    skipping = false;
                    LastCommitTimestamp = b.TransactionCommitTimestamp;
                    break;
                case OriginMessage o:
                    origin = o.OriginName;
                    break;
                case RelationMessage r:
                    var described = new QualifiedName(r.Namespace, r.RelationName);
                    _relations[r.RelationId] = ToRelationInfo(r, Relations is null ? described : await Relations.NameForAsync(r.RelationId, described, cancellationToken).ConfigureAwait(false));
                    break;
                case TypeMessage t:
                    _userTypes[t.TypeId] = Ident.Quote(t.Namespace.Length == 0 ? "pg_catalog" : t.Namespace, t.Name); // pgoutput sends pg_catalog as ""
                    break;
                case InsertMessage i:
                    if (await StartTransactionAsync().ConfigureAwait(false))
                    {
                        var rel = Relation(i.Relation.RelationId);
                        var row = await ReadRowAsync(i.NewRow, cancellationToken).ConfigureAwait(false);
                        await dispatch(new ChangeItem(new Change(ChangeKind.Insert, rel, null, row)), cancellationToken).ConfigureAwait(false);
                    }
                    break;
                case UpdateMessage u:
                    if (await StartTransactionAsync().ConfigureAwait(false))
                    {
                        var rel = Relation(u.Relation.RelationId);
                        RowImage? old = u switch
                        {
                            IndexUpdateMessage k => await ReadRowAsync(k.Key, cancellationToken).ConfigureAwait(false),
                            FullUpdateMessage f => await ReadRowAsync(f.OldRow, cancellationToken).ConfigureAwait(false),
                            _ => null,
                        };
                        var row = await ReadRowAsync(u.NewRow, cancellationToken).ConfigureAwait(false);
                        await dispatch(new ChangeItem(new Change(ChangeKind.Update, rel, old, row)), cancellationToken).ConfigureAwait(false);
                    }
                    break;
                case DeleteMessage d:
                    if (await StartTransactionAsync().ConfigureAwait(false))
                    {
                        var rel = Relation(d.Relation.RelationId);
                        var old = d switch
                        {
                            KeyDeleteMessage k => await ReadRowAsync(k.Key, cancellationToken).ConfigureAwait(false),
                            FullDeleteMessage f => await ReadRowAsync(f.OldRow, cancellationToken).ConfigureAwait(false),
                            _ => throw new InvalidOperationException($"unexpected delete message {d.GetType().Name}"),
                        };
                        await dispatch(new ChangeItem(new Change(ChangeKind.Delete, rel, old, null)), cancellationToken).ConfigureAwait(false);
                    }
                    break;
                case TruncateMessage t:
                    if (await StartTransactionAsync().ConfigureAwait(false))
                    {
                        var rels = t.Relations.Select(r => Relation(r.RelationId)).ToList();
                        var change = new Change(ChangeKind.Truncate, rels[0], null, null, rels,
                            t.Options.HasFlag(TruncateMessage.TruncateOptions.Cascade), t.Options.HasFlag(TruncateMessage.TruncateOptions.RestartIdentity));
                        await dispatch(new ChangeItem(change), cancellationToken).ConfigureAwait(false);
                    }
                    break;
                case CommitMessage c:
                    if (skipping && origin is not null && _originToNode is not null && _originToNode.TryGetValue(origin, out var from)
                        && c.TransactionCommitTimestamp > _seen[from])
                    {
                        // The source has now applied this node's change: everything it writes from here on has seen it.
                        _seen[from] = c.TransactionCommitTimestamp;
                        _seenSnapshot = new Dictionary<string, DateTime>(_seen);
                        lock (_seenHistory)
                            _seenHistory.Add((c.TransactionEndLsn, _seenSnapshot));
                    }
                    if (begun)
                        await dispatch(new CommitItem(c.CommitLsn, c.TransactionEndLsn, c.TransactionCommitTimestamp), cancellationToken).ConfigureAwait(false);
                    else
                        await dispatch(new MarkerItem(c.TransactionEndLsn, heartbeatInTxn), cancellationToken).ConfigureAwait(false);
                    heartbeatInTxn = null;
                    if (skipping)
                        SkippedOriginTransactions++;
                    pendingBegin = null;
                    Volatile.Write(ref _state, (int)ReaderState.BetweenTransactions);
                    break;
                case LogicalDecodingMessage m when m.Prefix == MessagePrefix:
                    // Ibex's own markers (waits, fences, heartbeats) are emitted in transactions of their own, so their
                    // commit flushes the WAL and the marker reaches the reader at once; it is passed on at the commit.
                    var beat = await ReadHeartbeatAsync(m.Data, cancellationToken).ConfigureAwait(false);
                    if ((m.Flags & 1) == 0)
                        await dispatch(new MarkerItem(m.MessageLsn, beat), cancellationToken).ConfigureAwait(false);
                    else
                        heartbeatInTxn = beat ?? heartbeatInTxn;
                    break;
                case LogicalDecodingMessage m when m.Prefix == DdlMessage.Prefix && (m.Flags & 1) != 0:
                    // DDL of a sync that replicates it, at its place in its transaction; the sync follows its tables first.
                    if (DdlMessage.Parse(await ReadTextAsync(m.Data, cancellationToken).ConfigureAwait(false), _publication) is { } parsed && await StartTransactionAsync().ConfigureAwait(false))
                    {
                        var ddl = parsed with { Lsn = m.MessageLsn };
                        if (BeforeDdl is not null)
                            await BeforeDdl(ddl, cancellationToken).ConfigureAwait(false);
                        if (Relations is not null)
                            await Relations.FollowAsync(ddl, cancellationToken).ConfigureAwait(false);
                        await dispatch(ddl, cancellationToken).ConfigureAwait(false);
                    }
                    break;
                default:
                    _log.LogDebug("ignoring pgoutput message {Type}", message.GetType().Name);
                    break;
            }
        }

        // Decides, at the first change of a transaction, whether it is passed on; returns false while skipping.
        async ValueTask<bool> StartTransactionAsync()
        {
            if (begun)
                return true;
            if (skipping)
                return false;
            var b = pendingBegin ?? throw new InvalidOperationException("row change outside a transaction");
            if (ObjectNames.IsIbexOrigin(origin) && (!_forward || (BlockedOrigins?.Contains(origin!) ?? false)))
            {
                skipping = true;
                return false;
            }
            begun = true;
            await dispatch(new BeginItem(b.TransactionFinalLsn, b.TransactionCommitTimestamp, b.TransactionXid, origin, _seenSnapshot), cancellationToken).ConfigureAwait(false);
            return true;
        }
    }

    /// <summary>The text of a heartbeat message: <c>hb:</c> and the emitting session's clock_timestamp() in Unix microseconds.</summary>
    public const string HeartbeatPrefix = "hb:";

    static async Task<string> ReadTextAsync(Stream data, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(data, leaveOpen: true);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    static async Task<DateTime?> ReadHeartbeatAsync(Stream data, CancellationToken cancellationToken)
    {
        var text = await ReadTextAsync(data, cancellationToken).ConfigureAwait(false);
        if (!text.StartsWith(HeartbeatPrefix, StringComparison.Ordinal)
            || !long.TryParse(text.AsSpan(HeartbeatPrefix.Length), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var micros))
            return null;
        return DateTime.UnixEpoch.AddTicks(micros * 10);
    }

    RelationInfo Relation(uint id) => _relations.TryGetValue(id, out var r) ? r
        : throw new InvalidOperationException($"pgoutput sent a change for relation {id} before describing it");

    // User-defined types of the columns described so far (pgoutput sends a TYPE message before a RELATION using one).
    readonly Dictionary<uint, string> _userTypes = [];

    RelationInfo ToRelationInfo(RelationMessage r, QualifiedName name)
    {
        var names = new List<string>(r.Columns.Count);
        var types = new List<uint>(r.Columns.Count);
        var keys = new List<int>();
        for (var i = 0; i < r.Columns.Count; i++)
        {
            var col = r.Columns[i];
            names.Add(col.ColumnName);
            types.Add(col.DataTypeId);
            if (col.Flags.HasFlag(RelationMessage.Column.ColumnFlags.PartOfKey))
                keys.Add(i);
        }
        var full = r.ReplicaIdentity == RelationMessage.ReplicaIdentitySetting.AllColumns;
        return new RelationInfo(r.RelationId, ++_relationVersion, name, names, types, full ? [] : keys, full)
        {
            UserTypeNames = types.Any(_userTypes.ContainsKey) ? [.. types.Select(t => _userTypes.GetValueOrDefault(t))] : null,
        };
    }

    byte[] _scratch = new byte[4096];

    async ValueTask<RowImage> ReadRowAsync(ReplicationTuple tuple, CancellationToken cancellationToken)
    {
        var builder = new RowImageBuilder(tuple.NumColumns, _scratch);
        await foreach (var value in tuple.ConfigureAwait(false))
        {
            switch (value.Kind)
            {
                case TupleDataKind.Null:
                    builder.AddNull();
                    break;
                case TupleDataKind.UnchangedToastedValue:
                    builder.AddUnchangedToast();
                    break;
                default:
                    var target = builder.Reserve(value.Length);
                    var stream = value.GetStream();
                    await stream.ReadExactlyAsync(target, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        // Keep a grown buffer for the next rows, but not a huge one a single large value needed.
        if (builder.Scratch.Length <= 1 << 20)
            _scratch = builder.Scratch;
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _state, (int)ReaderState.Stopped);
        if (_conn is not null)
        {
            try
            {
                await _conn.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                _log.LogDebug(e, "closing replication connection");
            }
        }
    }
}
