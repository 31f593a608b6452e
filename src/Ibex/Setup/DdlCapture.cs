using Ibex.Catalog;
using Npgsql;

namespace Ibex.Setup;

/// <summary>
/// Installs and removes the DDL capture of <c>--ddl replicate</c> on a source node (<see cref="DdlCaptureSql"/>). Event
/// triggers need a superuser (PostgreSQL 15 and 16 allow nothing else), so without one this is a one-line error naming
/// the way out.
/// </summary>
internal static class DdlCapture
{
    /// <summary>Installs the triggers (once per node) and the sync's scope: its publication and table patterns.</summary>
    public static async Task InstallAsync(NpgsqlConnection conn, string node, string sync, string publication, IReadOnlyList<TablePattern> patterns, CreatedObjects created, CancellationToken cancellationToken)
    {
        await RequireSuperuserAsync(conn, node, sync, cancellationToken).ConfigureAwait(false);
        await using (var cmd = new NpgsqlCommand(DdlCaptureSql.Install, conn))
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        created.Add(conn, $"DDL capture of sync '{sync}' on '{node}'", DdlCaptureSql.Remove(publication));
        await using (var cmd = new NpgsqlCommand(DdlCaptureSql.UpsertScope, conn))
        {
            cmd.Parameters.Add(new() { Value = publication });
            cmd.Parameters.Add(new() { Value = sync });
            cmd.Parameters.Add(new() { Value = patterns.Select(p => p.Schema.ToString()).ToArray() });
            cmd.Parameters.Add(new() { Value = patterns.Select(p => p.Table.ToString()).ToArray() });
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Takes the sync out of the node's capture; the triggers go with the last sync that used them.</summary>
    public static async Task RemoveAsync(NpgsqlConnection conn, string publication, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(DdlCaptureSql.Remove(publication), conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    static async Task RequireSuperuserAsync(NpgsqlConnection conn, string node, string sync, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT rolsuper, current_user::text FROM pg_catalog.pg_roles WHERE rolname = current_user", conn);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (await r.ReadAsync(cancellationToken).ConfigureAwait(false) && !r.GetBoolean(0))
            throw new IbexException($"node '{node}': --ddl replicate creates an event trigger, which needs a superuser, and role '{r.GetString(1)}' is not one; connect to '{node}' as a superuser ('ibex node add' with its DSN), or keep sync '{sync}' in --ddl stop (the default: a change of layout stops the link with the ALTER TABLE to run)");
    }
}
