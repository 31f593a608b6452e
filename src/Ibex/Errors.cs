using System.Net.Sockets;
using Npgsql;

namespace Ibex;

/// <summary>Turns driver and network exceptions into the short reason an operator needs.</summary>
public static class Errors
{
    public static string Describe(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e switch
        {
            PostgresException pg => pg.SqlState switch
            {
                PostgresErrorCodes.InvalidPassword => "password authentication failed; check the user and password",
                PostgresErrorCodes.InvalidAuthorizationSpecification => $"{pg.MessageText}; check pg_hba.conf and the user name",
                PostgresErrorCodes.InvalidCatalogName => $"{pg.MessageText}; check dbname",
                _ => $"{pg.MessageText}{DetailOf(pg)} (SQLSTATE {pg.SqlState})",
            },
            NpgsqlException { InnerException: SocketException se } => $"{se.Message}; check host and port, and that PostgreSQL is running and listening there",
            NpgsqlException { InnerException: TimeoutException } => "connection timed out; check host, port and firewalls",
            NpgsqlException { InnerException: IOException io } => $"connection lost ({io.Message})",
            NpgsqlException n when n.InnerException is not null => $"{n.Message.TrimEnd('.')}: {n.InnerException.Message}",
            _ => e.Message,
        };
    }

    /// <summary>PostgreSQL's DETAIL (the key of a violated constraint, the reason behind a refusal) as ": detail", on one line.</summary>
    public static string DetailOf(PostgresException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return string.IsNullOrWhiteSpace(e.Detail) ? "" : ": " + string.Join(' ', e.Detail.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>True when the error means the server could not be reached or the connection broke (worth retrying).</summary>
    public static bool IsConnectionFailure(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState is "57P01" or "57P02" or "57P03" or "08000" or "08003" or "08006" or "08001" or "08004" or "53300",
        NpgsqlException => true,
        SocketException or IOException or TimeoutException => true,
        _ => false,
    };
}
