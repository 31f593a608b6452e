using System.Collections.Concurrent;
using System.Text.Json;
using Ibex.Capture;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Conflicts;

/// <summary>
/// What the links of one multi-master sync share inside a daemon: the conflict strategy per table, the conflict log,
/// how far each node's own deletes have been recorded as tombstones, each link's time watermark (from commits and
/// heartbeats) for purging tombstones, and the conflicts an operator resolved after an abort.
/// </summary>
public sealed class MultiMasterCoordinator
{
    readonly SyncRecord _sync;
    readonly IReadOnlyDictionary<string, NodeRecord> _nodes;
    readonly ControlDatabase _control;
    readonly ILogger _log;
    readonly ConflictStrategy _default;
    readonly Dictionary<QualifiedName, ConflictStrategy> _perTable = [];
    readonly ConcurrentDictionary<string, long> _recorded = new();
    readonly ConcurrentDictionary<(string Source, string Target), long> _watermarks = new();
    HashSet<(QualifiedName, string, NpgsqlLogSequenceNumber)> _resolved = [];
    Dictionary<(QualifiedName, string), DateTime> _resolvedKeys = [];

    public MultiMasterCoordinator(SyncRecord sync, IReadOnlyDictionary<string, NodeRecord> nodes, ControlDatabase control, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(sync);
        _sync = sync;
        _nodes = nodes;
        _control = control;
        _log = log;
        var nodeNames = sync.Nodes.Select(n => n.Node).ToList();
        _default = ConflictStrategy.Parse(sync.ConflictStrategy, nodeNames);
        foreach (var t in sync.Tables)
        {
            using var doc = JsonDocument.Parse(t.OptionsJson);
            if (doc.RootElement.TryGetProperty("conflict", out var c) && c.GetString() is { } text)
                _perTable[t.Name] = ConflictStrategy.Parse(text, nodeNames);
        }
        Log = new ConflictLog(control, log);
    }

    public string SyncName => _sync.Name;

    /// <summary>Changes committed before this count as seen by every node (data that existed when the sync was made).</summary>
    public DateTime Baseline => _sync.CreatedAt;

    public ConflictLog Log { get; }

    /// <summary>How often sources emit heartbeats (they move link watermarks forward when a source is idle).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Tombstones are kept this long past the point every node has passed, against clock differences.</summary>
    public TimeSpan TombstoneMargin { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan PurgeInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>True when the node takes writes of its own (its deletes are recorded by its own reader).</summary>
    public bool IsSource(string node) => _sync.Sources.Any(s => s.Node == node);

    public ConflictStrategy StrategyFor(QualifiedName table) => _perTable.GetValueOrDefault(table) ?? _default;

    /// <summary>For the origins present on <paramref name="node"/>: which node each brings changes from.</summary>
    public IReadOnlyDictionary<string, string> OriginsInto(string node)
        => _sync.Links.Where(l => l.Target == node).ToDictionary(l => l.OriginName, l => l.Source);

    public void ReportRecorded(string node, NpgsqlLogSequenceNumber lsn)
    {
        _recorded.AddOrUpdate(node, (long)(ulong)lsn, (_, old) => Math.Max(old, (long)(ulong)lsn));
        TaskCompletionSource? wake;
        lock (_recordedChanged)
        {
            wake = _recordedChanged.GetValueOrDefault(node);
            _recordedChanged.Remove(node);
        }
        wake?.TrySetResult();
    }

    readonly Dictionary<string, TaskCompletionSource> _recordedChanged = [];

    readonly ConcurrentDictionary<string, NpgsqlDataSource> _fenceSources = new();

    /// <summary>
    /// Writes a marker into <paramref name="node"/>'s own stream, in a transaction of its own so its commit flushes the
    /// WAL (a marker written inside a long transaction could sit unflushed, unseen by the reader). Returns its position.
    /// </summary>
    public async Task<NpgsqlLogSequenceNumber> FenceAsync(string node, CancellationToken cancellationToken)
    {
        var source = _fenceSources.GetOrAdd(node, n =>
        {
            var b = SessionSettings.For(NodeConnections.Settings(_nodes[n]), "ibex fence", pooling: true);
            b.MaxPoolSize = 4;
            return NpgsqlDataSource.Create(b.ConnectionString);
        });
        await using var conn = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"SELECT pg_logical_emit_message(true, '{SlotReader.MessagePrefix}', 'fence')", conn);
        return (NpgsqlLogSequenceNumber)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// The recorder of <paramref name="node"/> wrote tombstones for its transactions up to the one ending at
    /// <paramref name="lsn"/>; reported before its position passes that transaction (<see cref="ReportRecorded"/>).
    /// </summary>
    public void ReportTombstonesWritten(string node, NpgsqlLogSequenceNumber lsn)
        => _tombstonesWritten.AddOrUpdate(node, (long)(ulong)lsn, (_, old) => Math.Max(old, (long)(ulong)lsn));

    /// <summary>The end of the latest transaction of <paramref name="node"/>'s own whose deletes its recorder wrote as tombstones.</summary>
    public NpgsqlLogSequenceNumber TombstonesWritten(string node) => new((ulong)_tombstonesWritten.GetValueOrDefault(node));

    readonly ConcurrentDictionary<string, long> _tombstonesWritten = new();

    /// <summary>How far <paramref name="node"/>'s own deletes are recorded.</summary>
    public NpgsqlLogSequenceNumber Recorded(string node) => new((ulong)_recorded.GetValueOrDefault(node));

    /// <summary>Waits until <paramref name="node"/>'s own deletes committed before <paramref name="lsn"/> are recorded as tombstones there.</summary>
    public async Task<bool> WaitRecordedAsync(string node, NpgsqlLogSequenceNumber lsn, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task changed;
            lock (_recordedChanged)
            {
                if ((ulong)_recorded.GetValueOrDefault(node) >= (ulong)lsn)
                    return true;
                if (!_recordedChanged.TryGetValue(node, out var tcs))
                    _recordedChanged[node] = tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                changed = tcs.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                return false;
            // The recorder also advances on idle markers (every 250 ms), so this returns soon whenever it runs.
            await Task.WhenAny(changed, Task.Delay(left < TimeSpan.FromMilliseconds(300) ? left : TimeSpan.FromMilliseconds(300), cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>No change from <paramref name="source"/> committed before <paramref name="at"/> will reach <paramref name="target"/> any more.</summary>
    public void ReportWatermark(string source, string target, DateTime at)
        => _watermarks.AddOrUpdate((source, target), at.Ticks, (_, old) => Math.Max(old, at.Ticks));

    /// <summary>What <see cref="ReportWatermark"/> was last told for the link (<see cref="DateTime.MinValue"/>: nothing yet).</summary>
    public DateTime Watermark(string source, string target)
        => new(_watermarks.GetValueOrDefault((source, target)), DateTimeKind.Utc);

    /// <summary>
    /// With three sources or more, a change can reach a node before a version it replaced on its own node (from a third
    /// node): what the writers had seen is kept per key (<see cref="TombstoneSql.SeenUpsert"/>) and looked up.
    /// </summary>
    public bool TracksSeen => _sync.Sources.Skip(2).Any();

    /// <summary>
    /// Whether an operator resolved this conflict by resuming the sync: the very change that aborted, or any other
    /// change of the same row that committed before that conflict was recorded (an abort stops the whole sync, so the
    /// other direction may not have met its side of the same conflict yet; it is the same conflict).
    /// </summary>
    public bool IsOperatorResolved(QualifiedName table, string keyJson, NpgsqlLogSequenceNumber lsn, DateTime commitTimestamp)
    {
        lock (this)
            return _resolved.Contains((table, keyJson, lsn))
                || (_resolvedKeys.TryGetValue((table, keyJson), out var recordedAt) && commitTimestamp <= recordedAt);
    }

    /// <summary>Loads the aborted conflicts an operator has since resolved (by resuming the sync).</summary>
    public async Task LoadResolvedAsync(CancellationToken cancellationToken)
    {
        var set = new HashSet<(QualifiedName, string, NpgsqlLogSequenceNumber)>();
        var keys = new Dictionary<(QualifiedName, string), DateTime>();
        await using var conn = await _control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT schema_name, table_name, key::text, remote_lsn, at FROM ibex.conflict WHERE sync = $1 AND winner = 'aborted' AND resolved AND remote_lsn IS NOT NULL", conn);
        cmd.Parameters.Add(new() { Value = _sync.Name });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = (new QualifiedName(r.GetString(0), r.GetString(1)), Normalize(r.GetString(2)));
            set.Add((row.Item1, row.Item2, r.GetFieldValue<NpgsqlLogSequenceNumber>(3)));
            var at = r.GetFieldValue<DateTime>(4);
            if (!keys.TryGetValue(row, out var seen) || at > seen)
                keys[row] = at;
        }
        lock (this)
        {
            _resolved = set;
            _resolvedKeys = keys;
        }
    }

    // jsonb prints {"a": "1"} with spaces and its own key order; compare keys in KeyJson's form.
    internal static string Normalize(string json)
    {
        using var doc = JsonDocument.Parse(json);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            foreach (var p in doc.RootElement.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                p.WriteTo(w);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Under <c>abort</c>: records the conflict as unresolved and pauses the sync (the operator resumes it).</summary>
    public async Task AbortAsync(ConflictRecord conflict, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conflict);
        await Log.WriteNowAsync(conflict with { Resolved = false, Winner = "aborted" }, cancellationToken).ConfigureAwait(false);
        await _control.LogEventAsync(_sync.Name, conflict.Node, "error", message, cancellationToken).ConfigureAwait(false);
        await new SyncStore(_control).SetEnabledAsync(_sync.Name, false, cancellationToken).ConfigureAwait(false);
        await _control.NotifyChangedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Heartbeats, tombstone purging and the conflict log, until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(Log.RunAsync(cancellationToken), HeartbeatsAsync(cancellationToken), PurgeAsync(cancellationToken)).ConfigureAwait(false);
        }
        finally
        {
            foreach (var s in _fenceSources.Values)
                await s.DisposeAsync().ConfigureAwait(false);
            _fenceSources.Clear();
        }
    }

    async Task HeartbeatsAsync(CancellationToken cancellationToken)
    {
        var sql = $"SELECT pg_logical_emit_message(true, '{SlotReader.MessagePrefix}', '{SlotReader.HeartbeatPrefix}' || (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)";
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var source in _sync.Sources)
                await QuietlyAsync(source.Node, sql, null, cancellationToken).ConfigureAwait(false);
            if (!await DelayAsync(HeartbeatInterval, cancellationToken).ConfigureAwait(false))
                return;
        }
    }

    async Task PurgeAsync(CancellationToken cancellationToken)
    {
        await EnsureValueTriggersAsync(cancellationToken).ConfigureAwait(false);
        while (await DelayAsync(PurgeInterval, cancellationToken).ConfigureAwait(false))
        {
            // A unique index added or dropped since: the value tombstone triggers follow.
            await EnsureValueTriggersAsync(cancellationToken).ConfigureAwait(false);
            foreach (var node in _sync.Nodes.Select(n => n.Node))
            {
                // A tombstone is needed only while some source may still send a change older than it.
                var incoming = _sync.Links.Where(l => l.Target == node).Select(l => _watermarks.TryGetValue((l.Source, node), out var w) ? w : 0).ToList();
                if (incoming.Count == 0 || incoming.Min() == 0)
                    continue;
                // Under priority a version counts as later than its commit time: keep tombstones that much longer.
                var shift = _perTable.Values.Append(_default).Max(st => st.MaxShift);
                var before = new DateTime(incoming.Min(), DateTimeKind.Utc) - TombstoneMargin - shift;
                await QuietlyAsync(node, TombstoneSql.Purge, before, cancellationToken).ConfigureAwait(false);
                await QuietlyAsync(node, TombstoneSql.SeenPurge, before, cancellationToken).ConfigureAwait(false);
                await QuietlyAsync(node, ValueTombstoneSql.Purge, before, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Each node's value tombstone triggers (ValueTombstoneTriggers), as its tables' unique indexes are now.
    async Task EnsureValueTriggersAsync(CancellationToken cancellationToken)
    {
        foreach (var node in _sync.Nodes.Select(n => n.Node))
        {
            try
            {
                await using var conn = await NodeDataSources.OpenAsync(_nodes[node], cancellationToken).ConfigureAwait(false);
                // A node set up by an older Ibex lacks the newer ibex_mm tables.
                await using (var create = new NpgsqlCommand(TombstoneSql.Create, conn))
                    await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await ValueTombstoneTriggers.EnsureAsync(conn, _sync.Name, _sync.Tables.Select(t => t.Name), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IbexException or NpgsqlException && !cancellationToken.IsCancellationRequested)
            {
                _log.LogWarning("sync {Sync}: node {Node}: cannot put the unique-value tombstone trigger on its tables ({Error}); a unique value written on two nodes at once may end differently on them", _sync.Name, node, e.Message);
            }
        }
    }

    async Task QuietlyAsync(string node, string sql, DateTime? before, CancellationToken cancellationToken)
    {
        try
        {
            await using var conn = await NodeDataSources.OpenAsync(_nodes[node], cancellationToken).ConfigureAwait(false);
            await using var cmd = new NpgsqlCommand(sql, conn);
            if (before is { } b)
            {
                cmd.Parameters.Add(new() { Value = _sync.Name });
                cmd.Parameters.Add(new() { Value = b, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            }
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IbexException or NpgsqlException && !cancellationToken.IsCancellationRequested)
        {
            _log.LogDebug("sync {Sync}: node {Node}: {Error}", _sync.Name, node, e.Message);
        }
    }

    static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
