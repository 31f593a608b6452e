using Ibex.Control.Model;
using Ibex.Sql;
using Npgsql;
using NpgsqlTypes;

namespace Ibex.Control;

/// <summary>Reads and writes syncs with their nodes, tables and links.</summary>
public sealed class SyncStore(ControlDatabase control)
{
    public async Task<IReadOnlyList<SyncRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ListAsync(conn, null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SyncRecord?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return (await ListAsync(conn, name, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    /// <summary>The sync, or a one-line error listing known syncs.</summary>
    public async Task<SyncRecord> GetAsync(string name, CancellationToken cancellationToken)
    {
        var found = await FindAsync(name, cancellationToken).ConfigureAwait(false);
        if (found is not null)
            return found;
        var all = await ListAsync(cancellationToken).ConfigureAwait(false);
        throw new IbexException($"unknown sync '{name}'" + (all.Count > 0 ? $" (known syncs: {string.Join(", ", all.Select(s => s.Name))})" : "; create one with 'ibex sync add'"));
    }

    static async Task<IReadOnlyList<SyncRecord>> ListAsync(NpgsqlConnection conn, string? only, CancellationToken cancellationToken)
    {
        var filter = only is null ? "" : " WHERE sync = $1";
        var nodes = new Dictionary<string, List<SyncNode>>();
        await using (var cmd = Cmd(conn, "SELECT sync, node, role, slot_name FROM ibex.sync_node" + filter + " ORDER BY sync, role, node", only))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                Add(nodes, r.GetString(0), new SyncNode(r.GetString(1), Enum.Parse<NodeRole>(r.GetString(2), ignoreCase: true), r.IsDBNull(3) ? null : r.GetString(3)));
        var tables = new Dictionary<string, List<SyncTable>>();
        await using (var cmd = Cmd(conn, "SELECT sync, schema_name, table_name, options::text FROM ibex.sync_table" + filter + " ORDER BY sync, schema_name COLLATE \"C\", table_name COLLATE \"C\"", only))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                Add(tables, r.GetString(0), new SyncTable(new QualifiedName(r.GetString(1), r.GetString(2)), r.GetString(3)));
        var links = new Dictionary<string, List<LinkRecord>>();
        await using (var cmd = Cmd(conn, "SELECT sync, source, target, origin_name, start_after_copy_from FROM ibex.link" + filter + " ORDER BY sync, source, target", only))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                Add(links, r.GetString(0), new LinkRecord(r.GetString(1), r.GetString(2), r.GetString(3)) { StartAfterCopyFrom = r.IsDBNull(4) ? null : r.GetString(4) });
        var result = new List<SyncRecord>();
        await using (var cmd = Cmd(conn, "SELECT name, enabled, copy_mode, conflict_strategy, publication_name, options::text, config_version, created_at, ddl FROM ibex.sync"
                                         + (only is null ? "" : " WHERE name = $1") + " ORDER BY name", only))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var name = r.GetString(0);
                result.Add(new SyncRecord(name, r.GetBoolean(1), Enum.Parse<CopyMode>(r.GetString(2), ignoreCase: true), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt64(6), r.GetDateTime(7),
                    nodes.GetValueOrDefault(name) ?? [], tables.GetValueOrDefault(name) ?? [], links.GetValueOrDefault(name) ?? [])
                {
                    Ddl = Enum.Parse<DdlMode>(r.GetString(8), ignoreCase: true),
                });
            }
        return result;
    }

    /// <summary>Inserts a new sync with everything it owns, in the caller's transaction.</summary>
    public static async Task InsertAsync(NpgsqlConnection conn, SyncRecord sync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sync);
        await using (var cmd = new NpgsqlCommand("INSERT INTO ibex.sync (name, enabled, copy_mode, conflict_strategy, publication_name, options, ddl) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)", conn))
        {
            cmd.Parameters.Add(new() { Value = sync.Name });
            cmd.Parameters.Add(new() { Value = sync.Enabled });
            cmd.Parameters.Add(new() { Value = sync.CopyMode.ToString().ToLowerInvariant() });
            cmd.Parameters.Add(new() { Value = sync.ConflictStrategy });
            cmd.Parameters.Add(new() { Value = sync.PublicationName });
            cmd.Parameters.Add(new() { Value = sync.OptionsJson });
            cmd.Parameters.Add(new() { Value = sync.Ddl.ToString().ToLowerInvariant() });
            try
            {
                await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw new IbexException($"sync '{sync.Name}' already exists; pick another name or remove it with 'ibex sync remove {sync.Name}'", e);
            }
        }
        var batch = new NpgsqlBatch(conn);
        foreach (var n in sync.Nodes)
            batch.BatchCommands.Add(BatchCmd("INSERT INTO ibex.sync_node (sync, node, role, slot_name) VALUES ($1, $2, $3, $4)",
                sync.Name, n.Node, n.Role.ToString().ToLowerInvariant(), n.SlotName));
        foreach (var t in sync.Tables)
            batch.BatchCommands.Add(BatchCmd("INSERT INTO ibex.sync_table (sync, schema_name, table_name, options) VALUES ($1, $2, $3, $4::jsonb)", sync.Name, t.Name.Schema, t.Name.Name, t.OptionsJson));
        foreach (var l in sync.Links)
            batch.BatchCommands.Add(BatchCmd("INSERT INTO ibex.link (sync, source, target, origin_name) VALUES ($1, $2, $3, $4)", sync.Name, l.Source, l.Target, l.OriginName));
        await using (batch)
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts copy work items (one per link and table) in the caller's transaction.</summary>
    public static async Task InsertCopiesAsync(NpgsqlConnection conn, string sync, IEnumerable<(LinkRecord Link, QualifiedName Table, string State, long Estimated)> items, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(conn);
        foreach (var (link, table, state, estimated) in items)
            batch.BatchCommands.Add(BatchCmd("INSERT INTO ibex.table_copy (sync, source, target, schema_name, table_name, state, rows_estimated) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                sync, link.Source, link.Target, table.Schema, table.Name, state, estimated));
        if (batch.BatchCommands.Count > 0)
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Pauses or resumes a sync; returns false when it was already in that state.</summary>
    public async Task<bool> SetEnabledAsync(string name, bool enabled, CancellationToken cancellationToken)
    {
        await GetAsync(name, cancellationToken).ConfigureAwait(false);
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("UPDATE ibex.sync SET enabled = $2, config_version = config_version + 1 WHERE name = $1 AND enabled <> $2", conn);
        cmd.Parameters.Add(new() { Value = name });
        cmd.Parameters.Add(new() { Value = enabled });
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <summary>Marks the sync's configuration as changed so daemons restart it.</summary>
    public static async Task BumpAsync(NpgsqlConnection conn, string name, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("UPDATE ibex.sync SET config_version = config_version + 1 WHERE name = $1", conn);
        cmd.Parameters.Add(new() { Value = name });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Changes a sync's copy mode, conflict strategy and options in place and marks it changed.</summary>
    public async Task UpdateSettingsAsync(string name, CopyMode copyMode, string conflictStrategy, SyncOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("UPDATE ibex.sync SET copy_mode = $2, conflict_strategy = $3, options = $4::jsonb, config_version = config_version + 1 WHERE name = $1", conn);
        cmd.Parameters.Add(new() { Value = name });
        cmd.Parameters.Add(new() { Value = copyMode.ToString().ToLowerInvariant() });
        cmd.Parameters.Add(new() { Value = conflictStrategy });
        cmd.Parameters.Add(new() { Value = options.ToJson() });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sets (or with null removes) one option of a synced table and marks the sync changed.</summary>
    public async Task SetTableOptionAsync(string sync, QualifiedName table, string option, string? value, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(
            "UPDATE ibex.sync_table SET options = CASE WHEN $5::text IS NULL THEN options - $4 ELSE jsonb_set(options, ARRAY[$4], to_jsonb($5::text)) END " +
            "WHERE sync = $1 AND schema_name = $2 AND table_name = $3", conn);
        cmd.Parameters.Add(new() { Value = sync });
        cmd.Parameters.Add(new() { Value = table.Schema });
        cmd.Parameters.Add(new() { Value = table.Name });
        cmd.Parameters.Add(new() { Value = option });
        cmd.Parameters.Add(new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await BumpAsync(conn, sync, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Turns a one-way sync around in one transaction (<c>ibex switchover</c>): <paramref name="to"/> becomes its source
    /// reading <paramref name="slot"/>, <paramref name="from"/> its target under <paramref name="origin"/>; the old link,
    /// its copy state and the readers' saved state go.
    /// </summary>
    public async Task ReverseAsync(string sync, string from, string to, string slot, string origin, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var batch = new NpgsqlBatch(conn, tx))
        {
            batch.BatchCommands.Add(BatchCmd("UPDATE ibex.sync_node SET role = 'target', slot_name = NULL, reader_state = NULL WHERE sync = $1 AND node = $2", sync, from));
            batch.BatchCommands.Add(BatchCmd("UPDATE ibex.sync_node SET role = 'source', slot_name = $3, reader_state = NULL WHERE sync = $1 AND node = $2", sync, to, slot));
            batch.BatchCommands.Add(BatchCmd("DELETE FROM ibex.table_copy WHERE sync = $1", sync));
            batch.BatchCommands.Add(BatchCmd("DELETE FROM ibex.link WHERE sync = $1", sync));
            batch.BatchCommands.Add(BatchCmd("INSERT INTO ibex.link (sync, source, target, origin_name) VALUES ($1, $2, $3, $4)", sync, to, from, origin));
            batch.BatchCommands.Add(BatchCmd("UPDATE ibex.sync SET config_version = config_version + 1 WHERE name = $1", sync));
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await using var conn = await control.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("DELETE FROM ibex.sync WHERE name = $1", conn);
        cmd.Parameters.Add(new() { Value = name });
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    static void Add<T>(Dictionary<string, List<T>> map, string key, T value)
    {
        if (!map.TryGetValue(key, out var list))
            map[key] = list = [];
        list.Add(value);
    }

    static NpgsqlCommand Cmd(NpgsqlConnection conn, string sql, string? arg)
    {
        var cmd = new NpgsqlCommand(sql, conn);
        if (arg is not null)
            cmd.Parameters.Add(new() { Value = arg });
        return cmd;
    }

    internal static NpgsqlBatchCommand BatchCmd(string sql, params object?[] args)
    {
        var c = new NpgsqlBatchCommand(sql);
        foreach (var a in args)
            c.Parameters.Add(a is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text } : new NpgsqlParameter { Value = a });
        return c;
    }
}
