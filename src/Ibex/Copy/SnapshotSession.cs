using Ibex.Connections;
using Npgsql;

namespace Ibex.Copy;

/// <summary>A source session reading inside the copy's exported snapshot (any number of sessions may import it).</summary>
public static class SnapshotSession
{
    public static async Task<NpgsqlConnection> OpenAsync(NpgsqlConnectionStringBuilder source, string sourceName, string snapshot, CancellationToken cancellationToken)
    {
        var conn = await NodeConnections.OpenAsync(source, $"source '{sourceName}'", "copy", cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecAsync(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", cancellationToken).ConfigureAwait(false);
            await ExecAsync(conn, $"SET TRANSACTION SNAPSHOT {Sql.Ident.Literal(snapshot)}", cancellationToken).ConfigureAwait(false);
            return conn;
        }
        catch
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
