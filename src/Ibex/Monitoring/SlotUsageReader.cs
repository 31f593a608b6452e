using Ibex.Connections;
using Ibex.Control.Model;
using Npgsql;

namespace Ibex.Monitoring;

/// <summary>Reads, on each source node, the WAL its Ibex slots retain (one connection per node, nodes in parallel).</summary>
public static class SlotUsageReader
{
    public static async Task<IReadOnlyList<SlotUsage>> ReadAsync(IReadOnlyList<SyncRecord> syncs, IReadOnlyList<NodeRecord> nodes, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(syncs);
        ArgumentNullException.ThrowIfNull(nodes);
        var wanted = syncs.SelectMany(s => s.Sources.Where(n => n.SlotName is not null).Select(n => (Sync: s.Name, Source: n.Node, Slot: n.SlotName!))).ToList();
        var tasks = wanted.GroupBy(w => w.Source).Select(async group =>
        {
            var node = nodes.FirstOrDefault(n => n.Name == group.Key);
            if (node is null)
                return group.Select(w => new SlotUsage(w.Sync, w.Source, w.Slot, null, false, null, $"node '{w.Source}' is not in the control database")).ToList();
            try
            {
                var found = await ReadNodeAsync(node, [.. group.Select(w => w.Slot)], connectTimeout, cancellationToken).ConfigureAwait(false);
                return group.Select(w => found.TryGetValue(w.Slot, out var f)
                    ? new SlotUsage(w.Sync, w.Source, w.Slot, f.Retained, f.Active, f.WalStatus, null)
                    : new SlotUsage(w.Sync, w.Source, w.Slot, null, false, null, $"slot '{w.Slot}' does not exist on node '{w.Source}'")).ToList();
            }
            catch (Exception e) when (e is IbexException or NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                var message = e is IbexException ? e.Message : $"node '{node.Name}': {Errors.Describe(e)}";
                return group.Select(w => new SlotUsage(w.Sync, w.Source, w.Slot, null, false, null, message)).ToList();
            }
        }).ToList();
        var results = await Task.WhenAll(tasks).ConfigureAwait(false);
        return [.. results.SelectMany(r => r)];
    }

    static async Task<Dictionary<string, (long? Retained, bool Active, string? WalStatus)>> ReadNodeAsync(NodeRecord node, string[] slots, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        var settings = NodeConnections.Settings(node);
        settings.Timeout = Math.Max(1, (int)Math.Ceiling(connectTimeout.TotalSeconds));
        await using var conn = await NodeConnections.OpenAsync(settings, $"node '{node.Name}'", "monitoring", cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("""
            SELECT slot_name::text, (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint, active, wal_status
            FROM pg_catalog.pg_replication_slots WHERE slot_name = ANY($1)
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = slots });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, (long?, bool, string?)>(StringComparer.Ordinal);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            result[r.GetString(0)] = (r.IsDBNull(1) ? null : Math.Max(0, r.GetInt64(1)), r.GetBoolean(2), r.IsDBNull(3) ? null : r.GetString(3));
        return result;
    }
}
