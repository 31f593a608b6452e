using Ibex.Tests.Infrastructure;
using Npgsql;

namespace Ibex.Tests.Copy;

/// <summary>
/// Holds a copy in the middle: a table whose insert trigger (enabled ALWAYS, so it fires in the copy's replica-role
/// session too) waits, at one row, on an advisory lock the test holds on the target. The same table and trigger go on
/// every node, so the schemas stay identical.
/// </summary>
public static class Holder
{
    public const long LockKey = 4242;

    /// <summary>Creates <paramref name="table"/> (id bigint key, pad text) whose copy stops at row <paramref name="atId"/> while the lock is held.</summary>
    public static string Sql(string table, long atId) => $"""
        CREATE FUNCTION hold_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.id = {atId} THEN PERFORM pg_advisory_lock({LockKey}); PERFORM pg_advisory_unlock({LockKey}); END IF;
            RETURN NEW;
        END $$;
        CREATE TABLE {table} (id bigint PRIMARY KEY, pad text);
        CREATE TRIGGER hold BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION hold_{table}();
        ALTER TABLE {table} ENABLE ALWAYS TRIGGER hold;

        """;

    /// <summary>
    /// How many sessions of this database wait on the lock (a held copy). pg_locks covers the whole server, which other
    /// tests share, and Ibex's appliers take advisory locks of their own: counting every waiting advisory lock saw theirs.
    /// </summary>
    public static readonly string WaitingSql = $"""
        SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND NOT granted
        AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
        AND classid = 0 AND objid = {LockKey} AND objsubid = 1
        """;

    /// <summary>Takes the lock on <paramref name="node"/>; disposing releases it (and the copy goes on).</summary>
    public static async Task<NpgsqlConnection> HoldAsync(Scenario s, string node)
    {
        var conn = await s.OpenAsync(node);
        await conn.ExecAsync($"SELECT pg_advisory_lock({LockKey})");
        return conn;
    }
}
