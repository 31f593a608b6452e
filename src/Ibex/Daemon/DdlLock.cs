using Ibex.Changes;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Setup;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Daemon;

/// <summary>
/// Serialises the DDL of a multi-master sync that replicates it: one source node at a time holds the sync's DDL lock
/// (<see cref="DdlLockStore"/>) while its DDL, and the changes around it, reach every node. The reader of node X takes
/// it (<see cref="TryTakeAsync"/>) when it reads X's statement, before passing it on, and writes a copy of it on every
/// other source node (<c>ibex_ddl.lock</c>), whose event trigger then refuses DDL touching the sync. <see
/// cref="RunAsync"/> releases it once every target's origin for X has passed X's last statement.
/// </summary>
/// <remarks>
/// A node's DDL committed before the copy of the lock reached it (the two were made at the same time) is not merged
/// silently into the holder's: its reader names both in a warning, and each applier of that node's changes waits at
/// that statement (<see cref="TakeAsync"/>) until the lock is released and taken for it; so on every other node it
/// runs after the holder's statement. The reader itself never waits: it feeds the node's own tombstone recorder,
/// which appliers into that node wait for, so the holder's DDL could not reach it.
/// </remarks>
public sealed class DdlLock(SyncRecord sync, IReadOnlyDictionary<string, NodeRecord> nodes, ControlDatabase control, ILogger log)
{
    readonly DdlLockStore _store = new(control);
    readonly RepeatedWarning _unreachable = new(log) { Every = TimeSpan.FromMinutes(5) };
    readonly System.Collections.Concurrent.ConcurrentDictionary<(string Source, NpgsqlLogSequenceNumber Lsn), byte> _waiting = new();

    /// <summary>How often a waiting reader asks again, and the release loop looks.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The reader of <paramref name="source"/> read its DDL statement: takes the lock if no other node holds it, and
    /// otherwise names both statements in a warning. Never waits: the node's own tombstone recorder is fed by that reader.
    /// </summary>
    public async Task TryTakeAsync(string source, DdlItem ddl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ddl);
        // Read again after a restart of the stream: it is on every node already.
        if (await PassedEverywhereAsync(source, ddl.Lsn, cancellationToken).ConfigureAwait(false))
            return;
        var held = await _store.TakeAsync(sync.Name, source, ddl.Lsn, ddl.Sql, cancellationToken).ConfigureAwait(false);
        if (held.Holder == source)
            await SetOnNodesAsync(held, cancellationToken).ConfigureAwait(false);
        else if (_waiting.TryAdd((source, ddl.Lsn), 0))
            await EventAsync(source, "warning", Concurrent(source, ddl, held), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// An applier of <paramref name="source"/>'s changes is about to run its statement: waits until the source holds
    /// the lock (at once unless another node's DDL is still on its way).
    /// </summary>
    public async Task TakeAsync(string source, DdlItem ddl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ddl);
        while (true)
        {
            var held = await _store.TakeAsync(sync.Name, source, ddl.Lsn, ddl.Sql, cancellationToken).ConfigureAwait(false);
            if (held.Holder == source)
            {
                if (_waiting.TryRemove((source, ddl.Lsn), out _))
                {
                    await SetOnNodesAsync(held, cancellationToken).ConfigureAwait(false);
                    await EventAsync(source, "info", $"the DDL lock is released; the DDL on '{source}' ({ddl.Sql}) goes on to the other nodes", cancellationToken).ConfigureAwait(false);
                }
                return;
            }
            _waiting.TryAdd((source, ddl.Lsn), 0);
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Releases the lock once its holder's last statement is on every node; keeps the nodes' copies written meanwhile.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await _store.GetAsync(sync.Name, cancellationToken).ConfigureAwait(false) is { } held)
            {
                if (await _store.ReleaseAsync(sync.Name, held, ReleasedAsync, cancellationToken).ConfigureAwait(false))
                    log.LogInformation("sync {Sync}: DDL lock of '{Holder}' released: its DDL is on every node", sync.Name, held.Holder);
                else
                    await SetOnNodesAsync(held, cancellationToken).ConfigureAwait(false);

                async Task<bool> ReleasedAsync(CancellationToken ct)
                {
                    if (!await PassedEverywhereAsync(held.Holder, held.Lsn, ct).ConfigureAwait(false))
                        return false;
                    foreach (var node in OtherSources(held.Holder))
                        await OnNodeAsync(node, DdlCaptureSql.ClearLock, [sync.Name], ct).ConfigureAwait(false);
                    return true;
                }
            }
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    static string Concurrent(string source, DdlItem ddl, DdlLockStore.Held held)
        => $"the DDL on '{source}' ({ddl.Sql}) was committed while '{held.Holder}' held the sync's DDL lock for its own ({held.Statement}): the two were made at the same time. " +
           $"The changes of '{source}' from that statement on wait on the other nodes until the DDL of '{held.Holder}' has reached every node; then the statement of '{source}' runs there after it (on '{source}' it ran first). " +
           "If the two do not commute (the same column added on both, say), the statement that fails on a node stops that link with its error: make the node able to take it and the link goes on";

    Task<bool> PassedEverywhereAsync(string source, NpgsqlLogSequenceNumber lsn, CancellationToken cancellationToken)
        => OriginProgress.PassedEverywhereAsync(sync, nodes, source, lsn, cancellationToken);

    IEnumerable<string> OtherSources(string holder) => sync.Sources.Select(s => s.Node).Where(n => n != holder);

    // The copies of the lock on the other sources; a node that cannot be reached gets it at the next look.
    async Task SetOnNodesAsync(DdlLockStore.Held held, CancellationToken cancellationToken)
    {
        foreach (var node in OtherSources(held.Holder))
        {
            try
            {
                await OnNodeAsync(node, DdlCaptureSql.SetLock, [sync.Name, held.Holder, held.Statement], cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or IbexException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                _unreachable.Report($"sync {sync.Name}: could not write the DDL lock of '{held.Holder}' on '{node}', whose DDL is not refused meanwhile: {e.Message}");
            }
        }
    }

    async Task OnNodeAsync(string node, string sql, object[] values, CancellationToken cancellationToken)
    {
        await using var conn = await NodeDataSources.OpenAsync(nodes[node], cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var v in values)
            cmd.Parameters.Add(new() { Value = v });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    async Task EventAsync(string source, string level, string message, CancellationToken cancellationToken)
    {
        if (level == "warning")
            log.LogWarning("sync {Sync}: {Message}", sync.Name, message);
        else
            log.LogInformation("sync {Sync}: {Message}", sync.Name, message);
        await control.LogEventAsync(sync.Name, source, level, message, cancellationToken).ConfigureAwait(false);
    }
}
