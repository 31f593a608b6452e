using Ibex.Connections;
using Ibex.Control;
using Ibex.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Copy;

/// <summary>
/// Indexes after the data: when a table is copied into an empty target table, its plain (non-unique, non-constraint)
/// indexes are dropped in the copy's transaction and created again once the data is committed, several at once —
/// one sorted build per index is much cheaper than keeping each index up to date row by row. The key, unique and
/// exclusion indexes stay (they keep the copy honest and the apply needs the key), and so does any index whose
/// re-creation would not give back exactly the same object (clustered, in another tablespace, commented, part of a
/// partitioned index, owned by an extension, with column statistics targets, invalid). Only a table Ibex's role owns
/// (a role without ownership may not drop an index) has its indexes deferred; the others are copied as before.
/// </summary>
/// <remarks>
/// Crash safety: each definition is recorded in the control database (<see cref="DeferredIndexStore"/>) before the
/// drop, and forgotten only once the index exists again. A daemon that dies before the copy commits loses the drop with
/// the rest of the transaction; one that dies after it finds the record at its next start (<see cref="RestoreAsync"/>)
/// and creates what is missing before copying anything.
/// </remarks>
public sealed class DeferredIndexes(DeferredIndexStore store, string sync, string source, IReadOnlyDictionary<string, NpgsqlConnectionStringBuilder> targets, ILogger log)
{
    /// <summary>Indexes of one table built at once after its copy.</summary>
    public int Parallelism { get; init; } = 2;

    /// <summary>In the copy's transaction on <paramref name="conn"/>: records, then drops, the table's deferrable indexes.</summary>
    public async Task<IReadOnlyList<IndexDefinition>> DropAsync(NpgsqlConnection conn, string target, QualifiedName table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conn);
        var indexes = await ReadAsync(conn, table, cancellationToken).ConfigureAwait(false);
        if (indexes.Count == 0)
            return indexes;
        await store.AddAsync(sync, source, target, indexes, cancellationToken).ConfigureAwait(false);
        await using var drop = new NpgsqlCommand("DROP INDEX " + string.Join(", ", indexes.Select(i => i.Index.Quoted)), conn);
        await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        log.LogInformation("{Table} on '{Target}': {Count} index(es) dropped until the data is in: {Indexes}", table.Display, target, indexes.Count,
            string.Join(", ", indexes.Select(i => i.Index.Name)));
        return indexes;
    }

    /// <summary>After the copy committed: creates the indexes again, <see cref="Parallelism"/> at once, and forgets them.</summary>
    public async Task RebuildAsync(string target, IReadOnlyList<IndexDefinition> indexes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        if (indexes.Count == 0)
            return;
        var started = DateTime.UtcNow;
        using var gate = new SemaphoreSlim(Parallelism);
        var created = await Task.WhenAll(indexes.Select(async i =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await CreateAsync(target, i, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        var built = indexes.Where((_, n) => created[n]).ToList();
        if (built.Count > 0)
            log.LogInformation("on '{Target}': {Count} index(es) built after the data in {Seconds:0.0}s: {Indexes}", target, built.Count,
                (DateTime.UtcNow - started).TotalSeconds, string.Join(", ", built.Select(i => i.Index.Display)));
    }

    /// <summary>At start, before any copy: creates every recorded index a target lacks (a daemon died after a copy committed).</summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        var entries = await store.ListAsync(sync, source, cancellationToken).ConfigureAwait(false);
        foreach (var group in entries.GroupBy(e => e.Target))
        {
            log.LogWarning("sync {Sync}: a copy to '{Target}' was interrupted after dropping {Count} index(es); creating any that is missing: {Indexes}", sync, group.Key,
                group.Count(), string.Join(", ", group.Select(e => e.Index.Index.Display)));
            await RebuildAsync(group.Key, [.. group.Select(e => e.Index)], cancellationToken).ConfigureAwait(false);
        }
    }

    // True when the index was missing and is now created.
    async Task<bool> CreateAsync(string target, IndexDefinition index, CancellationToken cancellationToken)
    {
        bool created;
        await using (var conn = await NodeConnections.OpenAsync(targets[target], $"target '{target}'", "copy", cancellationToken).ConfigureAwait(false))
        {
            await using var exists = new NpgsqlCommand("SELECT pg_catalog.to_regclass($1) IS NOT NULL", conn);
            exists.Parameters.Add(new() { Value = index.Index.Quoted });
            created = await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true;
            if (created)
            {
                await using var create = new NpgsqlCommand(index.Sql, conn);
                try
                {
                    await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException e)
                {
                    throw new IbexException($"target '{target}': index {index.Index.Display} of {index.Table.Display}, dropped during the initial copy, could not be created again ({e.MessageText}); create it with: {index.Sql}", e);
                }
            }
        }
        await store.RemoveAsync(sync, source, target, index.Index, cancellationToken).ConfigureAwait(false);
        return created;
    }

    static async Task<IReadOnlyList<IndexDefinition>> ReadAsync(NpgsqlConnection conn, QualifiedName table, CancellationToken cancellationToken)
    {
        string path;
        await using (var current = new NpgsqlCommand("SELECT pg_catalog.current_setting('search_path')", conn))
            path = (string)(await current.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        // An empty search_path makes pg_get_indexdef qualify every name; set for this query only.
        await using var batch = new NpgsqlBatch(conn);
        batch.BatchCommands.Add(new("SELECT pg_catalog.set_config('search_path', '', true)"));
        var query = new NpgsqlBatchCommand("""
            SELECT n.nspname, c.relname, pg_catalog.pg_get_indexdef(i.indexrelid)
            FROM pg_catalog.pg_index i
            JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
            WHERE i.indrelid = pg_catalog.to_regclass($1) AND t.relkind = 'r' AND pg_catalog.pg_has_role(t.relowner, 'USAGE')
              AND NOT i.indisprimary AND NOT i.indisunique AND NOT i.indisexclusion AND NOT i.indisreplident AND NOT i.indisclustered
              AND i.indisvalid AND i.indisready AND i.indislive AND c.reltablespace = 0
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid)
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.indexrelid)
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_description d WHERE d.objoid = i.indexrelid AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass)
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND e.objid = i.indexrelid AND e.deptype = 'e')
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = i.indexrelid AND a.attstattarget > 0)
            ORDER BY c.relname
            """);
        query.Parameters.Add(new() { Value = table.Quoted });
        batch.BatchCommands.Add(query);
        var reset = new NpgsqlBatchCommand("SELECT pg_catalog.set_config('search_path', $1, true)");
        reset.Parameters.Add(new() { Value = path });
        batch.BatchCommands.Add(reset);
        var list = new List<IndexDefinition>();
        await using var r = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await r.NextResultAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add(new IndexDefinition(table, new QualifiedName(r.GetString(0), r.GetString(1)), r.GetString(2)));
        return list;
    }
}
