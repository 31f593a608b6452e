using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Setup;

/// <summary>
/// <c>ibex sync remove-node</c>: detaches one node while the others keep streaming. The control database forgets the
/// node's membership, links and copy work in one transaction (the daemon restarts the sync without it); then the node's
/// slot and publication are dropped on it, the origins of its links dropped on it and on the other nodes, and its
/// tombstones removed. The other nodes' slots are not touched. Objects on a node that cannot be reached are returned
/// as the SQL to run there by hand.
/// </summary>
public sealed class NodeDetacher(ControlDatabase control, ILogger log)
{
    /// <summary>Detaches the node; returns the clean-up statements left for nodes that could not be reached.</summary>
    public async Task<IReadOnlyList<string>> RemoveAsync(string syncName, string nodeName, CancellationToken cancellationToken)
    {
        var syncs = new SyncStore(control);
        var sync = await syncs.GetAsync(syncName, cancellationToken).ConfigureAwait(false);
        NodeMembership.Leave(sync, nodeName);
        var member = sync.Nodes.First(n => n.Node == nodeName);
        var links = sync.Links.Where(l => l.Source == nodeName || l.Target == nodeName).ToList();

        await using (var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            await using (var batch = new NpgsqlBatch(conn))
            {
                batch.BatchCommands.Add(SyncStore.BatchCmd("DELETE FROM ibex.table_copy WHERE sync = $1 AND (source = $2 OR target = $2)", sync.Name, nodeName));
                batch.BatchCommands.Add(SyncStore.BatchCmd("DELETE FROM ibex.link WHERE sync = $1 AND (source = $2 OR target = $2)", sync.Name, nodeName));
                batch.BatchCommands.Add(SyncStore.BatchCmd("DELETE FROM ibex.sync_node WHERE sync = $1 AND node = $2", sync.Name, nodeName));
                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await SyncStore.BumpAsync(conn, sync.Name, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        await control.NotifyChangedAsync(cancellationToken).ConfigureAwait(false);

        var nodes = new NodeStore(control);
        var leftovers = new List<string>();
        // On the node: its slot (once the daemon has let go of it), its publication, the origins of the links into it, its tombstones.
        var own = new List<string>();
        if (member.SlotName is { } slot)
        {
            own.Add(CreatedObjects.DropSlot(slot));
            own.Add(CreatedObjects.DropPublication(sync.PublicationName));
        }
        own.AddRange(links.Where(l => l.Target == nodeName).Select(l => DropOrigin(l.OriginName)));
        if (sync.Sources.Count() > 1)
            own.Add(await TombstoneCleanupAsync(syncs, sync, nodeName, cancellationToken).ConfigureAwait(false));
        await OnNodeAsync(nodeName, own, async conn =>
        {
            if (member.SlotName is { } s)
            {
                await SyncRemover.DropSlotAsync(conn, s, log, cancellationToken).ConfigureAwait(false);
                await ExecAsync(conn, CreatedObjects.DropPublication(sync.PublicationName), cancellationToken).ConfigureAwait(false);
            }
            foreach (var l in links.Where(l => l.Target == nodeName))
                await SyncRemover.DropOriginAsync(conn, l.OriginName, cancellationToken).ConfigureAwait(false);
            if (sync.Sources.Count() > 1)
                await ExecQuietlyAsync(conn, own[^1], cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
        // On every other node: the origin of the link from the node.
        foreach (var group in links.Where(l => l.Source == nodeName).GroupBy(l => l.Target))
            await OnNodeAsync(group.Key, [.. group.Select(l => DropOrigin(l.OriginName))], async conn =>
            {
                foreach (var l in group)
                    await SyncRemover.DropOriginAsync(conn, l.OriginName, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return leftovers;

        async Task OnNodeAsync(string name, IReadOnlyList<string> manual, Func<NpgsqlConnection, Task> work)
        {
            try
            {
                var node = await nodes.GetAsync(name, cancellationToken).ConfigureAwait(false);
                await using var conn = await NodeConnections.OpenAsync(node, "remove", cancellationToken).ConfigureAwait(false);
                await work(conn).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IbexException or NpgsqlException)
            {
                log.LogWarning("node {Node}: {Error}", name, e is PostgresException p ? p.MessageText : e.Message);
                leftovers.AddRange(manual.Select(m => $"-- on node '{name}': {m};"));
            }
        }
    }

    // The node's tombstones of this sync; the whole schema when no other multi-master sync uses the node.
    static async Task<string> TombstoneCleanupAsync(SyncStore syncs, SyncRecord sync, string node, CancellationToken cancellationToken)
    {
        var others = (await syncs.ListAsync(cancellationToken).ConfigureAwait(false)).Where(o => o.Name != sync.Name && o.Sources.Count() > 1);
        return others.Any(o => o.Nodes.Any(n => n.Node == node))
            ? $"{Conflicts.TombstoneSql.Cleanup(sync.Name)}{Conflicts.ValueTombstoneSql.Cleanup(sync.Name, sync.Tables.Select(t => t.Name))}"
            : "DROP SCHEMA IF EXISTS ibex_mm CASCADE";
    }

    static string DropOrigin(string origin) => $"SELECT pg_replication_origin_drop({Ident.Literal(origin)})";

    static async Task ExecQuietlyAsync(NpgsqlConnection conn, string sql, CancellationToken cancellationToken)
    {
        try
        {
            await ExecAsync(conn, sql, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
        }
    }

    static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
