using Npgsql;

namespace Ibex.Connections;

/// <summary>
/// Settings every Ibex session uses on sources and targets, so values printed as text on one side parse to the same
/// value on the other whatever the servers' defaults are (dates in ISO, floats with every digit, UTC, hex bytea).
/// Ibex's sessions are also read-write whatever the database's default: a node whose applications are fenced off with
/// <c>default_transaction_read_only</c> (a one-way target, the old node after <c>ibex switchover</c>) still takes
/// Ibex's changes, as PostgreSQL's own apply workers do.
/// </summary>
public static class SessionSettings
{
    const string Options = "-c DateStyle=ISO,YMD -c IntervalStyle=postgres -c extra_float_digits=3 -c TimeZone=UTC -c bytea_output=hex -c lc_monetary=C -c default_transaction_read_only=off";

    /// <summary>A copy of <paramref name="settings"/> with Ibex's session settings, no pooling, and an application name.</summary>
    public static NpgsqlConnectionStringBuilder For(NpgsqlConnectionStringBuilder settings, string applicationName, bool pooling = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var b = new NpgsqlConnectionStringBuilder(settings.ConnectionString)
        {
            Pooling = pooling,
            Options = string.IsNullOrEmpty(settings.Options) ? Options : settings.Options + " " + Options,
            ApplicationName = string.IsNullOrEmpty(settings.ApplicationName) ? applicationName : settings.ApplicationName,
            // Catalog and DDL statements are small; long ones (COPY, big batches) pass their own timeout.
            CommandTimeout = 0,
            NoResetOnClose = false,
            // A peer that vanished (host down, network black hole) is noticed by the OS within about a minute,
            // even in the middle of a long command, instead of never.
            TcpKeepAliveTime = 10,
            TcpKeepAliveInterval = 5,
            // PostgreSQL's DETAIL says which key a constraint violation is about: the operator needs it.
            IncludeErrorDetail = true,
        };
        if (!settings.ContainsKey("Timeout") || settings.Timeout == 15)
            b.Timeout = 10;
        return b;
    }
}
