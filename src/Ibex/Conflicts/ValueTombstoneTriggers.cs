using System.Text;
using System.Text.Json;
using Ibex.Sql;
using Npgsql;

namespace Ibex.Conflicts;

/// <summary>
/// Puts the value tombstone trigger (<see cref="ValueTombstoneSql"/>) on each table of a multi-master sync that has a
/// secondary UNIQUE index, with that table's key and unique columns as its arguments; refreshes it when they changed
/// (a unique index added or dropped) and removes it from a table left without one. Enabled as usual (origin): it
/// records local writes only; in Ibex's apply sessions (session_replication_role = replica) it does not fire, and
/// the applier records what its changes give up (<see cref="ValueRelease"/>). Created with session_replication_role =
/// replica where allowed, so DDL capture (<c>--ddl replicate</c>) does not send it to other nodes, which make their own.
/// </summary>
public static class ValueTombstoneTriggers
{
    const string IndexesSql = """
        SELECT i.indisprimary, i.indisreplident, c.relreplident::text, array_agg(a.attname::text ORDER BY k.ord)
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indrelid
        CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL AND k.ord <= i.indnkeyatts
        GROUP BY i.indexrelid, i.indisprimary, i.indisreplident, c.relreplident
        ORDER BY i.indexrelid
        """;

    /// <summary>Creates the table and function when missing, then the trigger on each table as it should be.</summary>
    public static async Task EnsureAsync(NpgsqlConnection conn, string sync, IEnumerable<QualifiedName> tables, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conn);
        ArgumentNullException.ThrowIfNull(tables);
        await ExecAsync(conn, ValueTombstoneSql.Create, cancellationToken).ConfigureAwait(false);
        foreach (var table in tables)
            await EnsureOneAsync(conn, sync, table, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The trigger arguments a table needs, or null when it has no secondary unique index (or no key).</summary>
    public static IReadOnlyList<string>? Arguments(string sync, QualifiedName table, IReadOnlyList<string> key, IEnumerable<IReadOnlyList<string>> uniques)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(uniques);
        var sets = uniques.Where(u => !u.ToHashSet().SetEquals(key)).Select(u => JsonSerializer.Serialize(u)).Distinct().ToList();
        if (key.Count == 0 || sets.Count == 0)
            return null;
        var find = string.Join(" AND ", key.Select(c => $"t.{Ident.Quote(c)} = ($1).{Ident.Quote(c)}"));
        return [sync, table.Quoted, find, .. sets];
    }

    static async Task EnsureOneAsync(NpgsqlConnection conn, string sync, QualifiedName table, CancellationToken cancellationToken)
    {
        var uniques = new List<(bool Primary, bool Identity, IReadOnlyList<string> Columns)>();
        var identity = "d";
        await using (var cmd = new NpgsqlCommand(IndexesSql, conn))
        {
            cmd.Parameters.Add(new() { Value = table.Quoted });
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                uniques.Add((r.GetBoolean(0), r.GetBoolean(1), r.GetFieldValue<string[]>(3)));
                identity = r.GetString(2);
            }
        }
        var key = uniques.FirstOrDefault(u => identity == "i" ? u.Identity : u.Primary).Columns ?? [];
        var wanted = Arguments(sync, table, key, uniques.Select(u => u.Columns));
        var existing = await ExistingAsync(conn, table, cancellationToken).ConfigureAwait(false);
        if (existing is not null && wanted is not null && existing.Value.Args.SequenceEqual(wanted) && existing.Value.Enabled == 'O')
            return;
        if (existing is null && wanted is null)
            return;
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecAsync(conn, "SELECT set_config('session_replication_role', 'replica', true) WHERE (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR has_parameter_privilege('session_replication_role', 'SET')", cancellationToken).ConfigureAwait(false);
        var name = Ident.Quote(ValueTombstoneSql.TriggerName);
        if (wanted is null)
            await ExecAsync(conn, $"DROP TRIGGER IF EXISTS {name} ON {table.Quoted}", cancellationToken).ConfigureAwait(false);
        else
            await ExecAsync(conn, $"CREATE OR REPLACE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table.Quoted} FOR EACH ROW EXECUTE FUNCTION ibex_mm.release_unique_values({string.Join(", ", wanted.Select(Ident.Literal))}); "
                + $"ALTER TABLE {table.Quoted} ENABLE TRIGGER {name}", cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the trigger from the sync's tables (the sync leaves a node that another multi-master sync still uses).</summary>
    public static async Task DropAsync(NpgsqlConnection conn, IEnumerable<QualifiedName> tables, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        foreach (var table in tables)
            await ExecAsync(conn, $"DROP TRIGGER IF EXISTS {Ident.Quote(ValueTombstoneSql.TriggerName)} ON {table.Quoted}", cancellationToken).ConfigureAwait(false);
    }

    static async Task<(IReadOnlyList<string> Args, char Enabled)?> ExistingAsync(NpgsqlConnection conn, QualifiedName table, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT tgargs, tgenabled::text FROM pg_trigger WHERE tgrelid = $1::regclass AND tgname = $2", conn);
        cmd.Parameters.Add(new() { Value = table.Quoted });
        cmd.Parameters.Add(new() { Value = ValueTombstoneSql.TriggerName });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            return null;
        var bytes = r.GetFieldValue<byte[]>(0);
        var args = Encoding.UTF8.GetString(bytes).Split('\0');
        return (args.Length > 0 && args[^1].Length == 0 ? args[..^1] : args, r.GetString(1)[0]);
    }

    static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
