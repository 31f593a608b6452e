using Ibex.Apply;
using Ibex.Changes;
using Ibex.Connections;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Conflicts;

/// <summary>
/// Records the deletes (and key changes, which delete the old key) a multi-master source makes itself as tombstones in that same source's <c>ibex_mm.tombstone</c>
/// table (deletes applied by Ibex get theirs from the applier, in the same transaction). It reads the source's own
/// stream beside the appliers, and the slot is acknowledged only past what it has recorded, so no delete is missed
/// across restarts; appliers on this node wait for it before deciding an update of a row deleted here.
/// </summary>
public sealed class TombstoneRecorder : IAsyncDisposable
{
    readonly string _node;
    readonly NpgsqlConnectionStringBuilder _settings;
    readonly MultiMasterCoordinator _coordinator;
    readonly ILogger _log;
    readonly List<NpgsqlBatchCommand> _pending = [];
    NpgsqlConnection? _conn;
    long _position;
    bool _inTxn;
    DateTime _commitTs;
    NpgsqlLogSequenceNumber _deferredMarker;
    NpgsqlLogSequenceNumber _pendingUpTo; // the end of the last transaction with a tombstone in _pending

    public TombstoneRecorder(string node, NpgsqlConnectionStringBuilder settings, MultiMasterCoordinator coordinator, ApplyOptions options, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(options);
        _node = node;
        _settings = settings;
        _coordinator = coordinator;
        _log = log;
        Queue = new SpillingQueue(options.QueueMemoryBytes / 4, options.SpillDirectory, options.SpillCapBytes);
    }

    public SpillingQueue Queue { get; }

    public NpgsqlLogSequenceNumber Position => new((ulong)Interlocked.Read(ref _position));

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        // Tombstones are written on the node: to its primary when its DSN names several hosts, as its slot is read there.
        var settings = await ReplicationHost.ResolveAsync(_settings, $"node '{_node}'", cancellationToken).ConfigureAwait(false);
        _conn = await NodeConnections.OpenAsync(settings, $"node '{_node}'", "tombstones", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records until cancelled; a failure (its connection lost, say) is thrown as an <see cref="IbexException"/> naming the node.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RecordAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            throw new IbexException($"node '{_node}': recording tombstones failed: {Errors.Describe(e)}", e);
        }
    }

    async Task RecordAsync(CancellationToken cancellationToken)
    {
        var yielding = new CooperativeYield(256);
        while (true)
        {
            if (yielding.Due())
                await Task.Yield();
            var item = await Queue.DequeueAsync(cancellationToken).ConfigureAwait(false);
            switch (item)
            {
                case BeginItem b:
                    _inTxn = true;
                    _commitTs = b.CommitTimestamp;
                    break;
                case ChangeItem { Change: { Kind: ChangeKind.Delete } d } when d.OldRow is not null && d.Relation.KeyColumns.Count > 0:
                    _pending.Add(ConflictStatements.Tombstone(_coordinator.SyncName, d.Relation, KeyJson.Of(d.Relation, d.OldRow, d.Relation.KeyColumns), _commitTs, _node));
                    break;
                case ChangeItem { Change: { Kind: ChangeKind.Update } u } when u.OldRow is not null && u.Relation.KeyColumns.Count > 0
                    && KeyJson.Of(u.Relation, u.OldRow, u.Relation.KeyColumns) is var oldKey && oldKey != KeyJson.Of(u.Relation, u.NewRow!, u.Relation.KeyColumns):
                    // A key change: the old key is gone here, as if deleted.
                    _pending.Add(ConflictStatements.Tombstone(_coordinator.SyncName, u.Relation, oldKey, _commitTs, _node));
                    break;
                case CommitItem c:
                    _inTxn = false;
                    if (_pending.Count > 0)
                        _pendingUpTo = c.EndLsn;
                    if (_pending.Count > 0 && Queue.Count > 0 && _pending.Count < 1000)
                    {
                        // More is queued: record it together (one round trip), then move on.
                        _deferredMarker = c.EndLsn;
                        break;
                    }
                    await FlushAsync(cancellationToken).ConfigureAwait(false);
                    Advance(c.EndLsn);
                    break;
                case MarkerItem m:
                    if (_inTxn)
                        _deferredMarker = m.Lsn > _deferredMarker ? m.Lsn : _deferredMarker;
                    else
                    {
                        await FlushAsync(cancellationToken).ConfigureAwait(false);
                        Advance(m.Lsn);
                    }
                    break;
            }
        }
    }

    async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.Count > 0)
        {
            await using var batch = new NpgsqlBatch(_conn);
            foreach (var c in _pending)
                batch.BatchCommands.Add(c);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            _log.LogDebug("node {Node}: recorded {Count} tombstone(s)", _node, _pending.Count);
            _pending.Clear();
            _coordinator.ReportTombstonesWritten(_node, _pendingUpTo);
        }
        if (_deferredMarker != default)
        {
            Advance(_deferredMarker);
            _deferredMarker = default;
        }
    }

    void Advance(NpgsqlLogSequenceNumber lsn)
    {
        if ((long)(ulong)lsn > Interlocked.Read(ref _position))
            Interlocked.Exchange(ref _position, (long)(ulong)lsn);
        _coordinator.ReportRecorded(_node, Position);
    }

    public async ValueTask DisposeAsync()
    {
        if (_conn is not null)
            await _conn.DisposeAsync().ConfigureAwait(false);
        await Queue.DisposeAsync().ConfigureAwait(false);
    }
}
