using Ibex.Control.Model;
using Ibex.Sql;
using Npgsql;

namespace Ibex.Control;

/// <summary>
/// The control-database side of DDL replication: a sync's <c>ddl</c> mode, and its table list following the source
/// (a table renamed, created in a covered schema, or dropped). Each change is idempotent, since a restarted stream
/// reads the same DDL again.
/// </summary>
public sealed class SchemaFollowStore(ControlDatabase control)
{
    /// <summary>Sets the sync's DDL mode and marks it changed (daemons restart it).</summary>
    public async Task SetModeAsync(string sync, DdlMode mode, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("UPDATE ibex.sync SET ddl = $2, config_version = config_version + 1 WHERE name = $1", conn);
        cmd.Parameters.Add(new() { Value = sync });
        cmd.Parameters.Add(new() { Value = mode.ToString().ToLowerInvariant() });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A synced table renamed or moved on the source keeps its options and copy state under the new name.</summary>
    public async Task RenameAsync(string sync, QualifiedName from, QualifiedName to, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var batch = new NpgsqlBatch(conn, tx))
        {
            batch.BatchCommands.Add(SyncStore.BatchCmd(
                "INSERT INTO ibex.sync_table (sync, schema_name, table_name, options, added_at) SELECT sync, $4, $5, options, added_at FROM ibex.sync_table " +
                "WHERE sync = $1 AND schema_name = $2 AND table_name = $3 ON CONFLICT DO NOTHING", sync, from.Schema, from.Name, to.Schema, to.Name));
            batch.BatchCommands.Add(SyncStore.BatchCmd(
                "UPDATE ibex.table_copy SET schema_name = $4, table_name = $5 WHERE sync = $1 AND schema_name = $2 AND table_name = $3", sync, from.Schema, from.Name, to.Schema, to.Name));
            batch.BatchCommands.Add(SyncStore.BatchCmd("DELETE FROM ibex.sync_table WHERE sync = $1 AND schema_name = $2 AND table_name = $3", sync, from.Schema, from.Name));
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A table created on the source in a schema the sync covers joins it (the stream brings its rows).</summary>
    public Task AddAsync(string sync, QualifiedName table, CancellationToken cancellationToken)
        => ExecAsync("INSERT INTO ibex.sync_table (sync, schema_name, table_name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", sync, table, cancellationToken);

    /// <summary>A synced table dropped on the source leaves the sync.</summary>
    public Task RemoveAsync(string sync, QualifiedName table, CancellationToken cancellationToken)
        => ExecAsync("DELETE FROM ibex.sync_table WHERE sync = $1 AND schema_name = $2 AND table_name = $3", sync, table, cancellationToken);

    /// <summary>The sync's tables as the control database has them now (another node's stream may have added some).</summary>
    public async Task<IReadOnlyList<QualifiedName>> TablesAsync(string sync, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT schema_name, table_name FROM ibex.sync_table WHERE sync = $1", conn);
        cmd.Parameters.Add(new() { Value = sync });
        var result = new List<QualifiedName>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            result.Add(new QualifiedName(r.GetString(0), r.GetString(1)));
        return result;
    }

    async Task ExecAsync(string sql, string sync, QualifiedName table, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.Add(new() { Value = sync });
        cmd.Parameters.Add(new() { Value = table.Schema });
        cmd.Parameters.Add(new() { Value = table.Name });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
