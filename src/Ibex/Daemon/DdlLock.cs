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
/// it (<see cref="TakeAsync"/>) when it reads X's statement, before passing it on, and writes a copy of it on every
/// other source node (<c>ibex_ddl.lock</c>), whose event trigger then refuses DDL touching the sync. <see
/// cref="RunAsync"/> releases it once every target's origin for X has passed X's last statement.
/// </summary>
/// <remarks>
/// A node's DDL committed before the copy of the lock reached it (the two were made at the same time) is not merged
/// silently into the holder's: its reader waits at that statement, naming both in a warning, until the lock is
/// released, then takes the lock and passes it on; so on every other node it runs after the holder's statement.
/// </remarks>
public sealed class DdlLock(SyncRecord sync, IReadOnlyDictionary<string, NodeRecord> nodes, ControlDatabase control, ILogger log)
{
    readonly DdlLockStore _store = new(control);
    readonly RepeatedWarning _unreachable = new(log) { Every = TimeSpan.FromMinutes(5) };

    /// <summary>How often a waiting reader asks again, and the release loop looks.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The reader of <paramref name="source"/> read its DDL statement at <paramref name="lsn"/>: takes the lock, waiting for another holder to release it.</summary>
    public async Task TakeAsync(string source, DdlItem ddl, NpgsqlLogSequenceNumber lsn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ddl);
        // Read again after a restart of the stream: it is on every node already.
        if (await PassedEverywhereAsync(source, lsn, cancellationToken).ConfigureAwait(false))
            return;
        DdlLockStore.Held? waitedFor = null;
        while (true)
        {
            var held = await _store.TakeAsync(sync.Name, source, lsn, ddl.Sql, cancellationToken).ConfigureAwait(false);
            if (held?.Holder == source)
            {
                if (waitedFor is not null)
                    await EventAsync(source, "info", $"the DDL lock is released; the DDL on '{source}' ({ddl.Sql}) goes on to the other nodes", cancellationToken).ConfigureAwait(false);
                await SetOnNodesAsync(held, cancellationToken).ConfigureAwait(false);
                return;
            }
            if (held is not null && waitedFor is null)
            {
                waitedFor = held;
                await EventAsync(source, "warning", Concurrent(source, ddl, held), cancellationToken).ConfigureAwait(false);
            }
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
           $"The changes of '{source}' from that statement on wait until the DDL of '{held.Holder}' has reached every node; then the statement of '{source}' runs on the other nodes after it (on '{source}' it ran first). " +
           "If the two do not commute (the same column added on both, say), the statement that fails on a node stops that link with its error: make the node able to take it and the link goes on";

    // Whether every streamed target of the source has committed past lsn (its origin's progress).
    async Task<bool> PassedEverywhereAsync(string source, NpgsqlLogSequenceNumber lsn, CancellationToken cancellationToken)
    {
        foreach (var link in sync.Links.Where(l => l.Source == source && sync.Streams(l.Target)))
        {
            await using var conn = await NodeDataSources.OpenAsync(nodes[link.Target], cancellationToken).ConfigureAwait(false);
            await using var cmd = new NpgsqlCommand("SELECT pg_catalog.pg_replication_origin_progress(roname, false) FROM pg_catalog.pg_replication_origin WHERE roname = $1", conn);
            cmd.Parameters.Add(new() { Value = link.OriginName });
            if (await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not NpgsqlLogSequenceNumber progress || progress <= lsn)
                return false;
        }
        return true;
    }

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
