using Ibex.Connections;
using Ibex.Control.Model;
using Ibex.Sql;
using Npgsql;

namespace Ibex.Setup;

/// <summary>
/// Copies the values of sequences owned by synced tables from the source to every target (never moving a target's
/// sequence backwards), so a promoted target hands out keys after the source's last one.
/// </summary>
public static class SequenceSyncer
{
    /// <summary>Returns how many target sequences were moved forward.</summary>
    public static async Task<int> SyncAsync(SyncRecord sync, IReadOnlyDictionary<string, NodeRecord> nodes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sync);
        ArgumentNullException.ThrowIfNull(nodes);
        var source = sync.Sources.First().Node;
        var targets = new List<(SyncNode, NpgsqlConnection)>();
        try
        {
            await using var src = await NodeConnections.OpenAsync(nodes[source], "sequences", cancellationToken).ConfigureAwait(false);
            foreach (var target in sync.Nodes.Where(n => n.Node != source))
                targets.Add((target, await NodeConnections.OpenAsync(nodes[target.Node], "sequences", cancellationToken).ConfigureAwait(false)));
            return await CopyAsync(sync, src, targets, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var (_, conn) in targets)
                await conn.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Like <see cref="SyncAsync"/>, on sessions the caller has open (the switchover, whose writes are refused meanwhile).</summary>
    public static async Task<int> CopyAsync(SyncRecord sync, NpgsqlConnection src, IReadOnlyList<(SyncNode Node, NpgsqlConnection Conn)> targets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sync);
        ArgumentNullException.ThrowIfNull(targets);
        var values = new List<(SyncTable Table, string Column, long Value, bool Called)>();
        foreach (var t in sync.Tables)
            foreach (var (column, seq) in await OwnedAsync(src, t.Name, cancellationToken).ConfigureAwait(false))
            {
                await using var cmd = new NpgsqlCommand($"SELECT last_value, is_called FROM {seq}", src);
                await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await r.ReadAsync(cancellationToken).ConfigureAwait(false);
                values.Add((t, column, r.GetInt64(0), r.GetBoolean(1)));
            }
        var moved = 0;
        foreach (var (target, dst) in targets)
        {
            foreach (var (table, column, value, called) in values)
            {
                var name = target.Role == NodeRole.Source ? table.Name : table.TargetName;
                string? seq;
                await using (var find = new NpgsqlCommand("SELECT pg_get_serial_sequence($1, $2)", dst))
                {
                    find.Parameters.Add(new() { Value = name.Quoted });
                    find.Parameters.Add(new() { Value = column });
                    seq = await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
                }
                if (seq is null)
                    continue;
                long current;
                await using (var read = new NpgsqlCommand($"SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {seq}", dst))
                    current = (long)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                var wanted = called ? value : value - 1;
                if (current >= wanted)
                    continue; // never move a target's sequence backwards
                await using var set = new NpgsqlCommand($"SELECT setval({Ident.Literal(seq)}::regclass, $1, $2)", dst);
                set.Parameters.Add(new() { Value = value });
                set.Parameters.Add(new() { Value = called });
                await set.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                moved++;
            }
        }
        return moved;
    }

    static async Task<List<(string Column, string Sequence)>> OwnedAsync(NpgsqlConnection conn, QualifiedName table, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT a.attname::text, pg_get_serial_sequence($1, a.attname) FROM pg_attribute a " +
            "WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND pg_get_serial_sequence($1, a.attname) IS NOT NULL", conn);
        cmd.Parameters.Add(new() { Value = table.Quoted });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<(string, string)>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add((r.GetString(0), r.GetString(1)));
        return list;
    }
}
