using System.Globalization;
using Npgsql;

namespace Ibex.Catalog;

/// <summary>The checks <c>ibex node add</c> runs against a server before accepting it as a node.</summary>
public static class ServerChecks
{
    public const int MinimumVersionNum = 150000;

    /// <summary>Slots with <c>failover = true</c> exist from PostgreSQL 17.</summary>
    public const int FailoverSlotsVersionNum = 170000;

    /// <summary>What a node's server reported.</summary>
    public sealed record ServerFacts(int VersionNum, string Version, string WalLevel, bool Superuser, bool Replication, bool TrackCommitTimestamp, int MaxReplicationSlots, int MaxWalSenders);

    public static async Task<ServerFacts> ReadAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conn);
        const string sql = """
            SELECT current_setting('server_version_num')::int, current_setting('server_version'),
                   current_setting('wal_level'), r.rolsuper, r.rolreplication,
                   current_setting('track_commit_timestamp')::bool,
                   current_setting('max_replication_slots')::int, current_setting('max_wal_senders')::int
            FROM pg_catalog.pg_roles r WHERE r.rolname = current_user
            """;
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await r.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new ServerFacts(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.GetBoolean(4), r.GetBoolean(5), r.GetInt32(6), r.GetInt32(7));
    }

    /// <summary>Throws a one-line error naming the node and the fix when it cannot take part in replication.</summary>
    public static void Require(string node, ServerFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.VersionNum < MinimumVersionNum)
            throw new IbexException($"node '{node}': PostgreSQL {facts.Version} is too old; Ibex needs PostgreSQL {MinimumVersionNum / 10000} or later");
        if (facts.WalLevel != "logical")
            throw new IbexException($"node '{node}': wal_level is '{facts.WalLevel}'; set wal_level = logical and restart PostgreSQL");
        if (!facts.Superuser && !facts.Replication)
            throw new IbexException($"node '{node}': the connecting role has neither REPLICATION nor SUPERUSER; run ALTER ROLE <user> REPLICATION (see docs/operations.md for the least-privilege setup)");
        if (facts.MaxReplicationSlots < 1 || facts.MaxWalSenders < 1)
            throw new IbexException($"node '{node}': max_replication_slots is {facts.MaxReplicationSlots.ToString(CultureInfo.InvariantCulture)} and max_wal_senders is {facts.MaxWalSenders.ToString(CultureInfo.InvariantCulture)}; raise both (e.g. to 20) and restart PostgreSQL");
    }

    /// <summary>
    /// Throws a one-line error when the server cannot create failover slots (before 17); returns its
    /// <c>synchronized_standby_slots</c> (empty when no standby is waited for).
    /// </summary>
    public static async Task<string> RequireFailoverSlotsAsync(NpgsqlConnection conn, string node, ServerFacts facts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.VersionNum < FailoverSlotsVersionNum)
            throw new IbexException($"node '{node}': --failover-slots needs PostgreSQL {FailoverSlotsVersionNum / 10000} or later and the node runs {facts.Version}; add it without --failover-slots, or upgrade it first (e.g. with 'ibex switchover')");
        await using var cmd = new NpgsqlCommand("SELECT coalesce(current_setting('synchronized_standby_slots', true), '')", conn);
        return (string)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
