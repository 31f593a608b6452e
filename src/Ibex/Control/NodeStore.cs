using Ibex.Control.Model;
using Npgsql;

namespace Ibex.Control;

/// <summary>Reads and writes <c>ibex.node</c>.</summary>
public sealed class NodeStore(ControlDatabase control)
{
    public async Task<IReadOnlyList<NodeRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT name, dsn, server_version_num, created_at, failover_slots FROM ibex.node ORDER BY name", conn);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<NodeRecord>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add(new NodeRecord(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetDateTime(3)) { FailoverSlots = r.GetBoolean(4) });
        return list;
    }

    public async Task<NodeRecord?> FindAsync(string name, CancellationToken cancellationToken)
        => (await ListAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(n => n.Name == name);

    /// <summary>The node, or a one-line error listing the known nodes.</summary>
    public async Task<NodeRecord> GetAsync(string name, CancellationToken cancellationToken)
    {
        var all = await ListAsync(cancellationToken).ConfigureAwait(false);
        return all.FirstOrDefault(n => n.Name == name) ?? throw new IbexException(
            $"unknown node '{name}'; add it with 'ibex node add {name} --dsn ...'" + (all.Count > 0 ? $" (known nodes: {string.Join(", ", all.Select(n => n.Name))})" : ""));
    }

    public async Task AddAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("INSERT INTO ibex.node (name, dsn, server_version_num, failover_slots) VALUES ($1, $2, $3, $4)", conn);
        cmd.Parameters.Add(new() { Value = node.Name });
        cmd.Parameters.Add(new() { Value = node.Dsn });
        cmd.Parameters.Add(new() { Value = node.ServerVersionNum });
        cmd.Parameters.Add(new() { Value = node.FailoverSlots });
        try
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new IbexException($"node '{node.Name}' already exists; remove it first with 'ibex node remove {node.Name}' or pick another name", e);
        }
    }

    /// <summary>Points a node at a new connection string and marks the syncs using it changed, so daemons reconnect.</summary>
    public async Task UpdateAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(
            "WITH n AS (UPDATE ibex.node SET dsn = $2, server_version_num = $3 WHERE name = $1 RETURNING name) " +
            "UPDATE ibex.sync SET config_version = config_version + 1 WHERE name IN (SELECT sync FROM ibex.sync_node WHERE node IN (SELECT name FROM n))", conn);
        cmd.Parameters.Add(new() { Value = node.Name });
        cmd.Parameters.Add(new() { Value = node.Dsn });
        cmd.Parameters.Add(new() { Value = node.ServerVersionNum });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a node that no sync uses.</summary>
    public async Task RemoveAsync(string name, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var used = new NpgsqlCommand("SELECT string_agg(DISTINCT sync, ', ' ORDER BY sync) FROM ibex.sync_node WHERE node = $1", conn))
        {
            used.Parameters.Add(new() { Value = name });
            if (await used.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string syncs)
                throw new IbexException($"node '{name}' is used by sync {syncs}; remove the sync first ('ibex sync remove NAME')");
        }
        await using var cmd = new NpgsqlCommand("DELETE FROM ibex.node WHERE name = $1", conn);
        cmd.Parameters.Add(new() { Value = name });
        if (await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            throw new IbexException($"unknown node '{name}'; 'ibex node list' shows the nodes");
    }
}
