using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Ibex.Apply;

/// <summary>Binds a replication origin to a session (creating it if needed).</summary>
public static partial class OriginSession
{
    [GeneratedRegex(@"PID (\d+)")]
    private static partial Regex HolderPid();

    /// <summary>
    /// Creates the origin if missing and binds it to this session. After a daemon is killed, a backend it left behind
    /// can hold the origin until PostgreSQL notices (a backend waiting for a lock does not): "in use" is retried, and
    /// after a few seconds a holder that is an Ibex session is terminated — only one daemon runs a sync at a time, so it
    /// can only be a leftover.
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
        var started = DateTime.UtcNow;
        while (true)
        {
            try
            {
                await using var cmd = new NpgsqlCommand("SELECT pg_replication_origin_session_setup($1)", conn);
                cmd.Parameters.Add(new() { Value = origin });
                await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse)
            {
                var waited = DateTime.UtcNow - started;
                if (waited > TimeSpan.FromSeconds(30))
                    throw new ApplyException($"replication origin {origin} is in use by another session ({e.MessageText}); is another process applying this link?", true, e);
                if (waited > TimeSpan.FromSeconds(3) && HolderPid().Match(e.MessageText) is { Success: true } m)
                {
                    await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = $1 AND application_name LIKE 'ibex%' AND pid <> pg_backend_pid()", conn);
                    kill.Parameters.Add(new() { Value = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) });
                    await kill.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
