using Ibex.Catalog;
using Ibex.Sql;
using Npgsql;

namespace Ibex.Copy;

/// <summary>
/// Whether a table's rows can travel in binary COPY: every copied column's binary form must be portable (no embedded
/// type OIDs) and its type the same on every target. A target column of another type that takes the source's text
/// form (integer into bigint) cannot read the source's binary form, so such a table is copied in text.
/// </summary>
public static class CopyFormat
{
    // Type identity that does not depend on the session's search_path: schema, name, modifier.
    const string TypesSql = """
        SELECT a.attname, t.typnamespace::regnamespace::text || '.' || t.typname || '(' || a.atttypmod || ')'
        FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
        """;

    public static async Task<bool> BinaryAsync(TableInfo table, IReadOnlyList<string> columns, NpgsqlConnection source,
        IEnumerable<(NpgsqlConnection Conn, QualifiedName Table)> targets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(targets);
        if (!table.WritableColumns.Where(c => columns.Contains(c.Name)).All(c => c.BinarySafe))
            return false;
        var types = await TypesAsync(source, table.Name, cancellationToken).ConfigureAwait(false);
        foreach (var (conn, name) in targets)
        {
            var theirs = await TypesAsync(conn, name, cancellationToken).ConfigureAwait(false);
            if (columns.Any(c => types.GetValueOrDefault(c) is not { } type || theirs.GetValueOrDefault(c) != type))
                return false;
        }
        return true;
    }

    static async Task<Dictionary<string, string>> TypesAsync(NpgsqlConnection conn, QualifiedName table, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var cmd = new NpgsqlCommand(TypesSql, conn);
        cmd.Parameters.Add(new() { Value = table.Quoted });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            result[r.GetString(0)] = r.GetString(1);
        return result;
    }
}
