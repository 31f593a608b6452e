using Ibex.Sql;
using Npgsql;

namespace Ibex.Setup;

/// <summary>
/// Makes a node's database refuse the writes of applications, and opens it again (<c>ibex switchover</c>):
/// <c>ALTER DATABASE … SET default_transaction_read_only = on</c>, so every new session is read-only, then every
/// existing client session that is not Ibex's is ended, so none keeps writing. Reads keep working, and a client using
/// libpq's <c>target_session_attrs=read-write</c> moves on to a writable host by itself. Ibex's own sessions are
/// read-write whatever the default (<see cref="Connections.SessionSettings"/>). What it cannot stop: a session that
/// turns the default off itself (<c>SET default_transaction_read_only = off</c>), and roles with their own setting of
/// it (<see cref="OverridingRolesAsync"/> names them).
/// </summary>
internal static class DatabaseFence
{
    const string Setting = "default_transaction_read_only=on";

    /// <summary>True when the database itself (not a role) has default_transaction_read_only on.</summary>
    public static async Task<bool> IsFencedAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase " +
            "WHERE d.datname = current_database() AND s.setrole = 0 AND $1 = ANY (s.setconfig))", conn);
        cmd.Parameters.Add(new() { Value = Setting });
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>A one-line error unless the session may alter the database and end other sessions.</summary>
    public static async Task RequirePrivilegesAsync(NpgsqlConnection conn, string node, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT r.rolsuper, pg_has_role(current_user, d.datdba, 'MEMBER'), pg_has_role(current_user, 'pg_signal_backend', 'MEMBER') " +
            "FROM pg_catalog.pg_roles r, pg_catalog.pg_database d WHERE r.rolname = current_user AND d.datname = current_database()", conn);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await r.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (r.GetBoolean(0) || (r.GetBoolean(1) && r.GetBoolean(2)))
            return;
        throw new IbexException($"node '{node}': a switchover makes the database read-only and ends its client sessions, which the node's role may not do; connect as a superuser, or as the database's owner granted pg_signal_backend (GRANT pg_signal_backend TO <role>)");
    }

    /// <summary>Roles whose own default_transaction_read_only setting (for every database or this one) overrides the fence.</summary>
    public static async Task<IReadOnlyList<string>> OverridingRolesAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT DISTINCT r.rolname::text FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole " +
            "WHERE s.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())) " +
            "AND EXISTS (SELECT 1 FROM unnest(s.setconfig) c WHERE c LIKE 'default\\_transaction\\_read\\_only=%') ORDER BY 1", conn);
        var roles = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            roles.Add(r.GetString(0));
        return roles;
    }

    /// <summary>
    /// Makes new sessions read-only, then ends every other client session except Ibex's (application name
    /// <c>ibex …</c> or one of <paramref name="ibexApplicationNames"/>). Returns how many sessions were ended and the
    /// superuser sessions a non-superuser could not end.
    /// </summary>
    public static async Task<(int Ended, int Left)> FenceAsync(NpgsqlConnection conn, IReadOnlyCollection<string> ibexApplicationNames, CancellationToken cancellationToken)
    {
        await ExecAsync(conn, $"ALTER DATABASE {await DatabaseAsync(conn, cancellationToken).ConfigureAwait(false)} SET default_transaction_read_only = on", cancellationToken).ConfigureAwait(false);
        // The select list runs only for rows the WHERE clause keeps: a non-superuser never tries to end a superuser's session.
        const string others = """
            FROM pg_catalog.pg_stat_activity a LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.usesysid
            WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
              AND a.application_name NOT LIKE 'ibex %' AND NOT (a.application_name = ANY ($1))
            """;
        const string mayEnd = " AND ((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) OR NOT coalesce(r.rolsuper, false))";
        var ended = await CountAsync($"SELECT count(pg_terminate_backend(a.pid))::int {others}{mayEnd}").ConfigureAwait(false);
        var left = await CountAsync($"SELECT count(*)::int {others} AND NOT ({mayEnd[5..]})").ConfigureAwait(false);
        return (ended, left);

        async Task<int> CountAsync(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            cmd.Parameters.Add(new() { Value = ibexApplicationNames.ToArray() });
            return (int)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
    }

    /// <summary>Lets new sessions write again (the database's own setting is removed).</summary>
    public static async Task OpenAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
        => await ExecAsync(conn, $"ALTER DATABASE {await DatabaseAsync(conn, cancellationToken).ConfigureAwait(false)} RESET default_transaction_read_only", cancellationToken).ConfigureAwait(false);

    static async Task<string> DatabaseAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT current_database()::text", conn);
        return Ident.Quote((string)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
    }

    static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
