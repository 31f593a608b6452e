using Npgsql;

namespace Ibex.Apply;

/// <summary>Binds a replication origin to a session (creating it if needed).</summary>
public static class OriginSession
{
    /// <summary>
    /// Creates the origin if missing and binds it to this session. A backend of a daemon that was just killed may
    /// still hold the origin until PostgreSQL notices the dead connection, so "in use" is retried for a while.
    /// </summary>
    public static async Task SetupAsync(NpgsqlConnection conn, string origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conn);
        await using (var create = new NpgsqlCommand("SELECT pg_replication_origin_create($1) WHERE NOT EXISTS (SELECT 1 FROM pg_replication_origin WHERE roname = $1)", conn))
        {
            create.Parameters.Add(new() { Value = origin });
            try
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // Created concurrently by another session.
            }
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await using var cmd = new NpgsqlCommand("SELECT pg_replication_origin_session_setup($1)", conn);
                cmd.Parameters.Add(new() { Value = origin });
                await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
