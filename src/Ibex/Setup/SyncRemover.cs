using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Setup;

/// <summary>
/// <c>ibex sync remove</c>: stops the sync, drops its slots and publications on the sources and its replication
/// origins on the targets, then forgets it. When a node cannot be reached the sync is kept (paused) so the removal
/// can be retried, unless forced; then the leftovers are reported with the SQL that drops them.
/// </summary>
public sealed class SyncRemover(ControlDatabase control, ILogger log)
{
    static readonly TimeSpan ReleaseWait = TimeSpan.FromSeconds(20);

    /// <summary>Removes the sync; returns the manual clean-up statements left (only when forced past unreachable nodes).</summary>
    public async Task<IReadOnlyList<string>> RemoveAsync(string name, bool force, CancellationToken cancellationToken)
    {
        var syncs = new SyncStore(control);
        var sync = await syncs.GetAsync(name, cancellationToken).ConfigureAwait(false);
        // Stop daemons first: they release the slots and origin sessions within a second or two.
        await syncs.SetEnabledAsync(name, false, cancellationToken).ConfigureAwait(false);
        await control.NotifyChangedAsync(cancellationToken).ConfigureAwait(false);

        var nodes = new NodeStore(control);
        var leftovers = new List<string>();
        var failures = new List<string>();
        foreach (var source in sync.Sources)
        {
            var node = await nodes.GetAsync(source.Node, cancellationToken).ConfigureAwait(false);
            await DoAsync(node, async conn =>
            {
                await DropSlotAsync(conn, source.SlotName!, log, cancellationToken).ConfigureAwait(false);
                await ExecAsync(conn, $"DROP PUBLICATION IF EXISTS {Ident.Quote(sync.PublicationName)}", cancellationToken).ConfigureAwait(false);
                // The DDL capture goes with the last sync of the node that used it (a mode changed by hand leaves no row).
                await DdlCapture.RemoveAsync(conn, sync.PublicationName, cancellationToken).ConfigureAwait(false);
            }, [$"SELECT pg_drop_replication_slot({Ident.Literal(source.SlotName!)});", $"DROP PUBLICATION IF EXISTS {Ident.Quote(sync.PublicationName)};", DdlCaptureSql.Remove(sync.PublicationName) + ";"]).ConfigureAwait(false);
        }
        foreach (var group in sync.Links.GroupBy(l => l.Target))
        {
            var node = await nodes.GetAsync(group.Key, cancellationToken).ConfigureAwait(false);
            await DoAsync(node, async conn =>
            {
                foreach (var link in group)
                    await DropOriginAsync(conn, link.OriginName, cancellationToken).ConfigureAwait(false);
            }, [.. group.Select(l => $"SELECT pg_replication_origin_drop({Ident.Literal(l.OriginName)});")]).ConfigureAwait(false);
        }
        if (sync.Sources.Count() > 1)
        {
            var others = (await syncs.ListAsync(cancellationToken).ConfigureAwait(false)).Where(o => o.Name != name && o.Sources.Count() > 1).ToList();
            foreach (var n in sync.Nodes)
            {
                var node = await nodes.GetAsync(n.Node, cancellationToken).ConfigureAwait(false);
                var shared = others.Any(o => o.Nodes.Any(x => x.Node == n.Node));
                var sql = shared ? $"{Conflicts.TombstoneSql.Cleanup(name)}{Conflicts.ValueTombstoneSql.Cleanup(name, sync.Tables.Select(t => t.Name))}" : "DROP SCHEMA IF EXISTS ibex_mm CASCADE";
                await DoAsync(node, async conn =>
                {
                    try
                    {
                        await ExecAsync(conn, sql, cancellationToken).ConfigureAwait(false);
                    }
                    catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
                    {
                    }
                }, [sql + ";"]).ConfigureAwait(false);
            }
        }
        if (failures.Count > 0 && !force)
            throw new IbexException($"sync '{name}' is paused but not removed: {string.Join("; ", failures)}; fix that and run 'ibex sync remove {name}' again, or add --force to forget the sync and clean those nodes up by hand");
        await syncs.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        await control.NotifyChangedAsync(cancellationToken).ConfigureAwait(false);
        return leftovers;

        async Task DoAsync(NodeRecord node, Func<NpgsqlConnection, Task> work, IEnumerable<string> manual)
        {
            try
            {
                await using var conn = await NodeConnections.OpenAsync(node, "remove", cancellationToken).ConfigureAwait(false);
                await work(conn).ConfigureAwait(false);
            }
            catch (IbexException e)
            {
                failures.Add(e.Message);
                leftovers.AddRange(manual.Select(m => $"-- on node '{node.Name}': {m}"));
            }
            catch (PostgresException e)
            {
                failures.Add($"node '{node.Name}': {e.MessageText}");
                leftovers.AddRange(manual.Select(m => $"-- on node '{node.Name}': {m}"));
            }
        }
    }

    /// <summary>Drops a slot once no process streams from it (ending a walsender that holds it past 5 s).</summary>
    internal static async Task DropSlotAsync(NpgsqlConnection conn, string slot, ILogger log, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ReleaseWait;
        var terminateAt = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            await using var cmd = new NpgsqlCommand("SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1", conn);
            cmd.Parameters.Add(new() { Value = slot });
            var result = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (result is null)
                return; // already gone
            if (result is DBNull)
            {
                try
                {
                    await using var drop = new NpgsqlCommand("SELECT pg_drop_replication_slot($1)", conn);
                    drop.Parameters.Add(new() { Value = slot });
                    await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && DateTime.UtcNow < deadline)
                {
                    // Became active between the check and the drop; try again.
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedObject)
                {
                    return;
                }
            }
            else if (DateTime.UtcNow > terminateAt)
            {
                // A daemon that has not noticed the removal (or is stuck) still streams from it.
                log.LogWarning("slot {Slot} still in use by PID {Pid}; terminating that walsender", slot, result);
                await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend($1)", conn);
                kill.Parameters.Add(new() { Value = result });
                await kill.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            if (DateTime.UtcNow > deadline)
                throw new IbexException($"slot {slot} is still in use; stop the process using it and run 'ibex sync remove' again");
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Drops a replication origin once no session has it bound.</summary>
    internal static async Task DropOriginAsync(NpgsqlConnection conn, string origin, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ReleaseWait;
        while (true)
        {
            try
            {
                await using var cmd = new NpgsqlCommand("SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname = $1", conn);
                cmd.Parameters.Add(new() { Value = origin });
                await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
