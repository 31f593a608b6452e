using Ibex.Connections;
using Ibex.Control;
using Ibex.Control.Model;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Daemon;

/// <summary>
/// The WAL-retention guard (<c>--max-retained</c>): when a slot of the sync holds back more WAL than allowed, the sync
/// is marked in error; with <c>--on-retention drop-slot</c> the slot is dropped and created again, and the tables are
/// copied afresh to that source's targets, instead of letting the source's disk fill up.
/// </summary>
public sealed class RetentionGuard(SyncRecord sync, IReadOnlyDictionary<string, NodeRecord> nodes, IReadOnlyList<PipelineHost> hosts, ControlDatabase control, ILogger log)
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var options = sync.Options;
        if (options.MaxRetainedBytes is not { } max)
            return;
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var host in hosts)
            {
                try
                {
                    await CheckAsync(host, max, options.OnRetention == "drop-slot", cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IbexException or NpgsqlException && !cancellationToken.IsCancellationRequested)
                {
                    log.LogDebug("retention check of {Source}: {Error}", host.Pipeline.Source, e.Message);
                }
            }
            try
            {
                await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    async Task CheckAsync(PipelineHost host, long max, bool dropSlot, CancellationToken cancellationToken)
    {
        var source = host.Pipeline.Source;
        var slot = sync.Nodes.First(n => n.Node == source).SlotName!;
        await using var conn = await NodeDataSources.OpenAsync(nodes[source], cancellationToken).ConfigureAwait(false);
        long retained;
        await using (var cmd = new NpgsqlCommand("SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint FROM pg_replication_slots WHERE slot_name = $1", conn))
        {
            cmd.Parameters.Add(new() { Value = slot });
            if (await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not long r)
                return;
            retained = r;
        }
        if (retained <= max)
        {
            host.Pipeline.RetentionError = null;
            return;
        }
        var message = $"slot {slot} on '{source}' retains {retained} bytes of WAL, over --max-retained {max}";
        if (!dropSlot)
        {
            if (host.Pipeline.RetentionError is null)
                await control.LogEventAsync(sync.Name, source, "error", message + "; bring the lagging target back, or remove the sync", cancellationToken).ConfigureAwait(false);
            host.Pipeline.RetentionError = message + "; bring the lagging target back, or remove the sync";
            return;
        }
        log.LogWarning("sync {Sync}: {Message}; dropping the slot and copying the tables afresh", sync.Name, message);
        await control.LogEventAsync(sync.Name, source, "error", message + "; the slot was dropped and the targets get a fresh copy", cancellationToken).ConfigureAwait(false);
        // With the pipeline stopped; afterwards it is as it was (a kick-mode sync stays idle until its next kick).
        await host.WhileStoppedAsync(async ct =>
        {
            await DropSlotAsync(conn, slot, ct).ConfigureAwait(false);
            await using (var create = new NpgsqlCommand(Setup.SourceObjects.CreateSlotSql(nodes[source].FailoverSlots), conn))
            {
                create.Parameters.Add(new() { Value = slot });
                await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await MarkForCopyAsync(source, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    static async Task DropSlotAsync(NpgsqlConnection conn, string slot, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using (var kill = new NpgsqlCommand("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL", conn))
                {
                    kill.Parameters.Add(new() { Value = slot });
                    await kill.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                await using var drop = new NpgsqlCommand("SELECT pg_drop_replication_slot($1)", conn);
                drop.Parameters.Add(new() { Value = slot });
                await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 50)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Every table goes to every target of this source again: state 'copying' makes the copier empty it first.
    async Task MarkForCopyAsync(string source, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(conn);
        foreach (var link in sync.Links.Where(l => l.Source == source && sync.Streams(l.Target)))
            foreach (var t in sync.Tables)
            {
                var cmd = new NpgsqlBatchCommand("""
                    INSERT INTO ibex.table_copy (sync, source, target, schema_name, table_name, state) VALUES ($1, $2, $3, $4, $5, 'copying')
                    ON CONFLICT (sync, source, target, schema_name, table_name) DO UPDATE SET state = 'copying', copy_lsn = NULL, error = NULL
                    """);
                foreach (var v in new object[] { sync.Name, source, link.Target, t.Name.Schema, t.Name.Name })
                    cmd.Parameters.Add(new NpgsqlParameter { Value = v });
                batch.BatchCommands.Add(cmd);
            }
        if (batch.BatchCommands.Count > 0)
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
