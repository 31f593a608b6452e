using System.Diagnostics;
using Ibex.Capture;
using Ibex.Catalog;
using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Ibex.Monitoring;
using Ibex.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Setup;

/// <summary>
/// <c>ibex switchover SYNC --to NODE</c>: turns a caught-up one-way sync old → new around. Before anything is
/// refused, the new node gets the publication and slot the reversed sync reads (Ibex's own changes, everything the
/// old node sends it meanwhile, are left out of that stream by their origin). Then both databases refuse writes
/// (<see cref="DatabaseFence"/>), the old node's last position is waited for on its slot, sequence values are copied,
/// the sync is reversed in the control database, and the new node is opened: the window between the old node's fence
/// and that is reported. Until the sync is reversed, any failure puts everything back as it was.
/// </summary>
public sealed class SwitchoverRunner(ControlDatabase control, ILogger log)
{
    static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(20);

    /// <summary>How far behind (by the daemon's last published lag) the new node may be when the switchover starts.</summary>
    public TimeSpan MaxLag { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long writes may stay refused while the new node catches up, before everything is put back.</summary>
    public TimeSpan CatchUpTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public async Task<SwitchoverResult> RunAsync(string syncName, string to, bool dryRun, CancellationToken cancellationToken)
    {
        var sync = await new SyncStore(control).GetAsync(syncName, cancellationToken).ConfigureAwait(false);
        var nodes = (await new NodeStore(control).ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(n => n.Name);
        var from = SwitchoverRules.Check(sync, to, nodes.Keys);
        var status = (await new StatusReader(control).ReadAsync(syncName, cancellationToken).ConfigureAwait(false)).Single();
        SwitchoverRules.RequireCaughtUp(syncName, status.Links.FirstOrDefault(l => l.Source == from && l.Target == to), from, to, MaxLag);

        var slot = ObjectNames.Slot(sync.Name, to);
        var origin = ObjectNames.Origin(sync.Name, to, from);
        var steps = new List<string>
        {
            $"create publication {sync.PublicationName} and slot {slot}{(nodes[to].FailoverSlots ? " (failover)" : "")} on '{to}'",
            $"make '{to}' refuse writes, then '{from}' (ALTER DATABASE … SET default_transaction_read_only = on; end other client sessions)",
            $"wait until '{to}' has everything '{from}' committed (at most {CatchUpTimeout.TotalSeconds} s, else put everything back)",
            $"copy the sequences of the sync's tables from '{from}' to '{to}'",
            $"reverse sync '{sync.Name}': '{to}' becomes its source, '{from}' its target (origin {origin})",
            $"open '{to}' for writes; '{from}' stays read-only and follows '{to}'",
            $"drop slot {sync.Sources.First().SlotName} and publication {sync.PublicationName} on '{from}', origin {sync.Links.Single().OriginName} on '{to}'",
        };

        await using var oldConn = await NodeConnections.OpenAsync(nodes[from], "switchover", cancellationToken).ConfigureAwait(false);
        await using var newConn = await NodeConnections.OpenAsync(nodes[to], "switchover", cancellationToken).ConfigureAwait(false);
        await DatabaseFence.RequirePrivilegesAsync(oldConn, from, cancellationToken).ConfigureAwait(false);
        await DatabaseFence.RequirePrivilegesAsync(newConn, to, cancellationToken).ConfigureAwait(false);
        await RequireNoPreparedAsync(oldConn, from, cancellationToken).ConfigureAwait(false);
        var warnings = (await DatabaseFence.OverridingRolesAsync(oldConn, cancellationToken).ConfigureAwait(false))
            .Select(r => $"role {r} has its own default_transaction_read_only setting on '{from}', so its sessions are not fenced; remove it (ALTER ROLE {Ident.Quote(r)} RESET default_transaction_read_only) or stop its writers yourself").ToList();
        var plan = await PlanReversedAsync(sync, from, to, oldConn, newConn, cancellationToken).ConfigureAwait(false);
        if (dryRun)
            return new SwitchoverResult(sync.Name, from, to, true, steps) { Warnings = warnings };

        var ibexNames = nodes.Values.Select(n => NodeConnections.Settings(n).ApplicationName).OfType<string>().Where(n => n.Length > 0).ToList();
        var created = new CreatedObjects();
        var newWasFenced = await DatabaseFence.IsFencedAsync(newConn, cancellationToken).ConfigureAwait(false);
        var oldWasFenced = await DatabaseFence.IsFencedAsync(oldConn, cancellationToken).ConfigureAwait(false);
        var window = new Stopwatch();
        TimeSpan caughtUp;
        int ended, left, moved;
        try
        {
            await SourceObjects.PrepareIdentityAsync(newConn, to, plan.Tables, plan.NeedFullIdentity, created, log, cancellationToken).ConfigureAwait(false);
            await SourceObjects.CreatePublicationAsync(newConn, to, sync.PublicationName, plan.Tables, created, cancellationToken).ConfigureAwait(false);
            await SourceObjects.CreateSlotAsync(newConn, to, slot, nodes[to].FailoverSlots, created, cancellationToken).ConfigureAwait(false);

            // The new node must not take writes before it has everything and its sequences are ahead.
            await DatabaseFence.FenceAsync(newConn, ibexNames, cancellationToken).ConfigureAwait(false);
            window.Start();
            (ended, left) = await DatabaseFence.FenceAsync(oldConn, ibexNames, cancellationToken).ConfigureAwait(false);
            await WaitConfirmedAsync(oldConn, sync.Sources.First().SlotName!, from, to, cancellationToken).ConfigureAwait(false);
            caughtUp = window.Elapsed;
            moved = await SequenceSyncer.CopyAsync(sync, oldConn, [(sync.Targets.Single(), newConn)], cancellationToken).ConfigureAwait(false);
            await new SyncStore(control).ReverseAsync(sync.Name, from, to, slot, origin, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await PutBackAsync(oldConn, oldWasFenced, newConn, newWasFenced, created).ConfigureAwait(false);
            throw;
        }
        await DatabaseFence.OpenAsync(newConn, cancellationToken).ConfigureAwait(false);
        window.Stop();
        if (left > 0)
            warnings.Add($"{left} superuser session(s) on '{from}' were not ended (the node's role is not a superuser); they could still write there");
        await control.NotifyChangedAsync(cancellationToken).ConfigureAwait(false);
        var message = $"switched over: '{to}' is the source, '{from}' follows it; writes were refused for {window.Elapsed.TotalSeconds:0.000} s";
        await control.LogEventAsync(sync.Name, to, "info", message, cancellationToken).ConfigureAwait(false);
        log.LogInformation("sync {Sync}: {Message}", sync.Name, message);
        warnings.AddRange(await DropOldObjectsAsync(sync, from, to, oldConn, newConn, cancellationToken).ConfigureAwait(false));
        return new SwitchoverResult(sync.Name, from, to, false, steps)
        {
            WritesRefused = window.Elapsed, CaughtUpAfter = caughtUp, SessionsEnded = ended, SequencesMoved = moved, Slot = slot, Warnings = warnings,
        };
    }

    // The reversed sync's tables, checked on the new source against the old one (the same checks as sync add).
    static async Task<TablePlan> PlanReversedAsync(SyncRecord sync, string from, string to, NpgsqlConnection oldConn, NpgsqlConnection newConn, CancellationToken cancellationToken)
    {
        foreach (var conn in new[] { oldConn, newConn })
            await CatalogReader.PrepareSessionAsync(conn, cancellationToken).ConfigureAwait(false);
        var patterns = sync.Tables.Select(t => new TablePattern(t.Name.Display,
            new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(t.Name.Schema) + "$"),
            new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(t.Name.Name) + "$"))).ToList();
        var spec = new SyncSpec(sync.Name, patterns, [to], [from], CopyMode.Never);
        var conns = new Dictionary<string, NpgsqlConnection> { [to] = newConn, [from] = oldConn };
        var plan = await new TablePlanner(conns).PlanAsync($"switchover of sync '{sync.Name}' to '{to}'", spec, [], cancellationToken).ConfigureAwait(false);
        plan.ThrowIfRefused($"switchover of sync '{sync.Name}' to '{to}'");
        return plan;
    }

    static async Task RequireNoPreparedAsync(NpgsqlConnection conn, string node, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT string_agg(gid, ', ' ORDER BY prepared) FROM pg_catalog.pg_prepared_xacts WHERE database = current_database()", conn);
        if (await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string gids)
            throw new IbexException($"node '{node}' has prepared transactions ({gids}) that could still commit after the switchover; COMMIT PREPARED or ROLLBACK PREPARED them first");
    }

    // A transactional marker on the old source (flushed at its commit), then its slot's confirmed position: the daemon
    // acknowledges the slot only up to what the target has committed.
    async Task WaitConfirmedAsync(NpgsqlConnection conn, string slot, string from, string to, CancellationToken cancellationToken)
    {
        NpgsqlLogSequenceNumber goal;
        await using (var mark = new NpgsqlCommand($"SELECT pg_logical_emit_message(true, '{SlotReader.MessagePrefix}', 'switchover')", conn))
            goal = (NpgsqlLogSequenceNumber)(await mark.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        var deadline = Stopwatch.StartNew();
        await using var read = new NpgsqlCommand("SELECT confirmed_flush_lsn FROM pg_catalog.pg_replication_slots WHERE slot_name = $1", conn);
        read.Parameters.Add(new() { Value = slot });
        while (true)
        {
            if (await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is NpgsqlLogSequenceNumber confirmed && confirmed >= goal)
                return;
            if (deadline.Elapsed > CatchUpTimeout)
                throw new IbexException($"switchover refused: '{to}' did not confirm everything '{from}' committed within {CatchUpTimeout.TotalSeconds} s (check 'ibex status'); writes are accepted on '{from}' again and nothing was changed");
            await Task.Delay(PollEvery, cancellationToken).ConfigureAwait(false);
        }
    }

    // Undoes a switchover that failed before the sync was reversed: both databases as they were, the new slot dropped.
    async Task PutBackAsync(NpgsqlConnection oldConn, bool oldWasFenced, NpgsqlConnection newConn, bool newWasFenced, CreatedObjects created)
    {
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        foreach (var (conn, wasFenced) in new[] { (oldConn, oldWasFenced), (newConn, newWasFenced) })
        {
            if (wasFenced)
                continue;
            try
            {
                await DatabaseFence.OpenAsync(conn, bounded.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
            {
                log.LogError("could not make database {Database} writable again: {Error}; run ALTER DATABASE … RESET default_transaction_read_only on it", conn.Database, e.Message);
            }
        }
        await created.UndoAsync(log).ConfigureAwait(false);
    }

    // After the reversal: the old slot and publication on the old source, the old link's origin on the new one.
    async Task<List<string>> DropOldObjectsAsync(SyncRecord sync, string from, string to, NpgsqlConnection oldConn, NpgsqlConnection newConn, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        var oldSlot = sync.Sources.First().SlotName!;
        var oldOrigin = sync.Links.Single().OriginName;
        await TryAsync(from, $"SELECT pg_drop_replication_slot({Ident.Literal(oldSlot)}); DROP PUBLICATION IF EXISTS {Ident.Quote(sync.PublicationName)};", async () =>
        {
            await SyncRemover.DropSlotAsync(oldConn, oldSlot, log, cancellationToken).ConfigureAwait(false);
            await using var drop = new NpgsqlCommand(CreatedObjects.DropPublication(sync.PublicationName), oldConn);
            await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
        await TryAsync(to, $"SELECT pg_replication_origin_drop({Ident.Literal(oldOrigin)});",
            () => SyncRemover.DropOriginAsync(newConn, oldOrigin, cancellationToken)).ConfigureAwait(false);
        return warnings;

        async Task TryAsync(string node, string manual, Func<Task> work)
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or IbexException)
            {
                warnings.Add($"node '{node}': could not drop what the old direction used ({e.Message}); run there: {manual}");
            }
        }
    }
}
