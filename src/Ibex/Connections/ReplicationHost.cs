using Npgsql;

namespace Ibex.Connections;

/// <summary>
/// Npgsql opens no replication session to a list of hosts ("Replication is not supported with multiple hosts"). For a
/// node whose connection names several (libpq <c>host=a,b target_session_attrs=read-write</c>, a primary and its
/// standbys), the replication session goes to the first host that is a primary (not in recovery), found with an
/// ordinary session to each in turn; after a failover that is the promoted standby. One host is used as it is.
/// The sessions that must be on the same server as the slot or must write there use it too: the multi-master
/// tombstone recorder's and both ends of a fullcopy.
/// </summary>
public static class ReplicationHost
{
    public static async Task<NpgsqlConnectionStringBuilder> ResolveAsync(NpgsqlConnectionStringBuilder settings, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var hosts = Split(settings);
        if (hosts.Count < 2)
            return settings;
        var refused = new List<string>();
        foreach (var (host, port) in hosts)
        {
            var single = new NpgsqlConnectionStringBuilder(settings.ConnectionString) { Host = host, Port = port };
            single.Remove("Target Session Attributes");
            try
            {
                await using var conn = await NodeConnections.OpenAsync(single, what, "replication host", cancellationToken).ConfigureAwait(false);
                await using var cmd = new NpgsqlCommand("SELECT pg_is_in_recovery()", conn);
                if (!(bool)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                    return single;
                refused.Add($"{host}:{port} is a standby");
            }
            catch (IbexException e)
            {
                refused.Add(e.Message);
            }
        }
        throw new IbexException($"{what}: none of its hosts is a primary to stream from ({string.Join("; ", refused)}); promote a standby or bring the primary back");
    }

    // Npgsql's Host is "a,b" (one port for all) or "a:5432,b:5433" (libpq's port list, see ConnectionString).
    static List<(string Host, int Port)> Split(NpgsqlConnectionStringBuilder settings)
    {
        var list = new List<(string, int)>();
        foreach (var entry in (settings.Host ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.LastIndexOf(':');
            var bracketed = entry.StartsWith('[');
            if (colon > 0 && (bracketed ? entry[colon - 1] == ']' : entry.IndexOf(':') == colon)
                && int.TryParse(entry.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port))
                list.Add((entry[..colon].Trim('[', ']'), port));
            else
                list.Add((entry.Trim('[', ']'), settings.Port));
        }
        return list;
    }
}
