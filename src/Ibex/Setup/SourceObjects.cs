using Ibex.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ibex.Setup;

/// <summary>What a sync creates on its sources (replica identities, publication, slot) and on multi-master nodes (tombstones).</summary>
internal static class SourceObjects
{
    /// <summary>
    /// A table identified by a unique index (no primary key) needs that index as replica identity, or PostgreSQL would
    /// refuse the application's own UPDATEs and DELETEs once the table is published; a row filter on non-key columns
    /// needs FULL.
    /// </summary>
    public static async Task PrepareIdentityAsync(NpgsqlConnection conn, string node, IEnumerable<PlannedTable> tables, IReadOnlySet<QualifiedName> needFull, CreatedObjects created, ILogger log, CancellationToken cancellationToken)
    {
        foreach (var t in tables)
        {
            string? identity = needFull.Contains(t.Name) && t.Source.ReplicaIdentity != 'f' ? "FULL"
                : t.Source.KeyIndex is not null && t.Source.ReplicaIdentity == 'd' ? "USING INDEX " + Ident.Quote(t.Source.KeyIndex) : null;
            if (identity is null)
                continue;
            await ExecAsync(conn, $"ALTER TABLE {t.Name.Quoted} REPLICA IDENTITY {identity}", cancellationToken).ConfigureAwait(false);
            created.Add(conn, $"replica identity of {t.Name.Display} on '{node}'", $"ALTER TABLE {t.Name.Quoted} REPLICA IDENTITY DEFAULT");
            log.LogInformation("node {Node}: {Table} now has REPLICA IDENTITY {Identity}", node, t.Name.Display, identity);
        }
    }

    public static async Task CreatePublicationAsync(NpgsqlConnection conn, string node, string publication, IEnumerable<PlannedTable> tables, CreatedObjects created, CancellationToken cancellationToken)
    {
        try
        {
            await ExecAsync(conn, $"CREATE PUBLICATION {Ident.Quote(publication)} FOR TABLE {string.Join(", ", tables.Select(t => t.PublicationClause))} WITH (publish_via_partition_root = true)", cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new IbexException($"node '{node}': not allowed to create publication {publication} ({e.MessageText}); the node's role must own the tables or have CREATE on the database", e);
        }
        catch (PostgresException e)
        {
            // DuplicateObject also means other things (e.g. "conflicting or redundant WHERE clauses"): say "already
            // exists" only when it does.
            if (e.SqlState == PostgresErrorCodes.DuplicateObject && await PublicationExistsAsync(conn, publication, cancellationToken).ConfigureAwait(false))
                throw new IbexException($"node '{node}': a publication named {publication} already exists (left from an earlier sync?); drop it with DROP PUBLICATION {Ident.Quote(publication)} on that node", e);
            throw new IbexException($"node '{node}': PostgreSQL refused to create publication {publication}: {Errors.Describe(e)}", e);
        }
        created.Add(conn, $"publication {publication} on '{node}'", $"DROP PUBLICATION IF EXISTS {Ident.Quote(publication)}");
    }

    public static async Task AddToPublicationAsync(NpgsqlConnection conn, string node, string publication, IReadOnlyList<PlannedTable> tables, CreatedObjects created, CancellationToken cancellationToken)
    {
        try
        {
            await ExecAsync(conn, $"ALTER PUBLICATION {Ident.Quote(publication)} ADD TABLE {string.Join(", ", tables.Select(t => t.PublicationClause))}", cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedObject)
        {
            throw new IbexException($"node '{node}': publication {publication} is missing; remove the sync and add it again", e);
        }
        catch (PostgresException e)
        {
            throw new IbexException($"node '{node}': PostgreSQL refused to add the tables to publication {publication}: {Errors.Describe(e)}", e);
        }
        created.Add(conn, $"tables added to publication {publication} on '{node}'", DropFromPublication(publication, tables.Select(t => t.Name)));
    }

    /// <summary>ALTER PUBLICATION … DROP TABLE ONLY each table (an inheritance child stays when only its parent leaves).</summary>
    public static string DropFromPublication(string publication, IEnumerable<QualifiedName> tables)
        => $"ALTER PUBLICATION {Ident.Quote(publication)} DROP TABLE {string.Join(", ", tables.Select(t => "ONLY " + t.Quoted))}";

    static async Task<bool> PublicationExistsAsync(NpgsqlConnection conn, string publication, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = $1)", conn);
        cmd.Parameters.Add(new() { Value = publication });
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// The statement creating a sync's slot: with <c>failover = true</c> (PostgreSQL 17+) for a node added with
    /// <c>--failover-slots</c>, so a standby with <c>sync_replication_slots</c> keeps a copy the daemon continues from
    /// after a promotion.
    /// </summary>
    public static string CreateSlotSql(bool failover)
        => failover ? "SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'pgoutput', false, false, true)"
            : "SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'pgoutput')";

    public static async Task CreateSlotAsync(NpgsqlConnection conn, string node, string slot, bool failover, CreatedObjects created, CancellationToken cancellationToken)
    {
        try
        {
            await using var cmd = new NpgsqlCommand(CreateSlotSql(failover), conn);
            cmd.Parameters.Add(new() { Value = slot });
            cmd.CommandTimeout = 120;
            await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateObject)
        {
            throw new IbexException($"node '{node}': a replication slot named {slot} already exists (left from an earlier sync?); drop it with SELECT pg_drop_replication_slot('{slot}') on that node", e);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ConfigurationLimitExceeded)
        {
            throw new IbexException($"node '{node}': all replication slots are in use ({e.MessageText}); raise max_replication_slots and restart PostgreSQL, or drop unused slots", e);
        }
        created.Add(conn, $"slot {slot} on '{node}'", CreatedObjects.DropSlot(slot));
    }

    public static async Task CreateTombstoneTableAsync(NpgsqlConnection conn, string node, CreatedObjects created, CancellationToken cancellationToken)
    {
        await using var check = new NpgsqlCommand("SELECT to_regnamespace('ibex_mm') IS NOT NULL", conn);
        var existed = (bool)(await check.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        await ExecAsync(conn, Conflicts.TombstoneSql.Create, cancellationToken).ConfigureAwait(false);
        if (!existed)
            created.Add(conn, $"schema ibex_mm on '{node}'", "DROP SCHEMA IF EXISTS ibex_mm CASCADE");
    }

    public static async Task<bool> IsEmptyAsync(NpgsqlConnection conn, QualifiedName table, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand($"SELECT NOT EXISTS (SELECT 1 FROM {await Copy.TableStreamer.OwnRowsAsync(conn, table, cancellationToken).ConfigureAwait(false)})", conn);
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
