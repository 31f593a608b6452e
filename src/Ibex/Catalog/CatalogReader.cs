using Ibex.Sql;
using Npgsql;

namespace Ibex.Catalog;

/// <summary>Reads tables, columns and keys from pg_catalog. Type names are schema-qualified so they compare across databases.</summary>
public static class CatalogReader
{
    const string TablesSql = """
        SELECT c.oid, n.nspname, c.relname, c.relkind = 'p', c.relreplident, c.reltuples::bigint, c.relispartition
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p')
          AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema', 'ibex'])
          AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
        """;

    // Binary COPY is portable for built-in base types and enums, except: reg* types (their binary form is an OID that
    // names another object, or none, in another database), types without binary I/O (aclitem, gtsvector), and
    // int2vector/oidvector (whose binary input refuses an empty vector).
    const string ColumnsSql = """
        SELECT a.attrelid, a.attname, a.atttypid,
               pg_catalog.format_type(a.atttypid, a.atttypmod) COLLATE "C",
               a.attnotnull, a.atthasdef OR a.attidentity <> '', a.attgenerated <> '',
               (t.typtype = 'e'
                OR (t.typtype = 'b' AND t.oid < 16384 AND t.typname !~ '^_?(reg.*|aclitem|gtsvector|int2vector|oidvector)$')
                OR (t.typtype = 'd' AND t.typbasetype < 16384 AND bt.typtype = 'b' AND bt.typname !~ '^_?(reg.*|aclitem|gtsvector|int2vector|oidvector)$')) AS binary_safe,
               CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
               a.attidentity = 'a'
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
        LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum
        """;

    // Candidate keys: the primary key, the replica identity index, then unique, non-partial, plain-column
    // indexes whose columns are all NOT NULL (fewest columns first).
    const string KeysSql = """
        SELECT i.indrelid, ic.relname, i.indisprimary, i.indisreplident,
               array_agg(a.attname ORDER BY k.ord) AS cols,
               bool_and(a.attnotnull) AS all_not_null
        FROM pg_catalog.pg_index i
        JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
        CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = ANY($1) AND i.indisunique AND i.indisvalid AND i.indimmediate
          AND i.indpred IS NULL AND i.indexprs IS NULL
          AND k.ord <= i.indnkeyatts
        GROUP BY i.indrelid, ic.relname, i.indisprimary, i.indisreplident, i.indnkeyatts
        ORDER BY i.indrelid, i.indisprimary DESC, i.indisreplident DESC, i.indnkeyatts, ic.relname
        """;

    /// <summary>
    /// Resolves patterns to tables, in name order. Every pattern must match at least one table; otherwise the
    /// error names each pattern that matched nothing.
    /// </summary>
    public static async Task<IReadOnlyList<TableInfo>> ResolveAsync(NpgsqlConnection conn, IReadOnlyList<TablePattern> patterns, string where, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        var all = await ListTablesAsync(conn, cancellationToken).ConfigureAwait(false);
        var chosen = new SortedSet<QualifiedName>();
        var unmatched = new List<string>();
        foreach (var p in patterns)
        {
            var hits = all.Where(t => p.Matches(t.Name.Schema, t.Name.Name) && (!t.IsPartition || !HasWildcard(p.Text))).ToList();
            if (hits.Count == 0)
                unmatched.Add(p.Text);
            foreach (var h in hits)
                chosen.Add(h.Name);
        }
        if (unmatched.Count > 0)
            throw new IbexException($"{where}: no table matches {string.Join(", ", unmatched.Select(u => $"'{u}'"))}; check the spelling (quote mixed-case names like \"Sales\".\"Orders\") or create the table first");
        var tables = await ReadTablesAsync(conn, chosen, cancellationToken).ConfigureAwait(false);
        return [.. chosen.Select(n => tables[n])];
    }

    /// <summary>Reads the named tables; names that do not exist are absent from the result.</summary>
    public static async Task<IReadOnlyDictionary<QualifiedName, TableInfo>> ReadTablesAsync(NpgsqlConnection conn, IEnumerable<QualifiedName> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conn);
        var wanted = names.ToHashSet();
        var found = (await ListTablesAsync(conn, cancellationToken).ConfigureAwait(false)).Where(t => wanted.Contains(t.Name)).ToList();
        var oids = found.Select(t => t.Oid).ToArray();
        var columns = new Dictionary<uint, List<ColumnInfo>>();
        await using (var cmd = new NpgsqlCommand(ColumnsSql, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = oids, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Oid });
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var rel = r.GetFieldValue<uint>(0);
                if (!columns.TryGetValue(rel, out var list))
                    columns[rel] = list = [];
                list.Add(new ColumnInfo(r.GetString(1), r.GetFieldValue<uint>(2), r.GetString(3), r.GetBoolean(4), r.GetBoolean(5), r.GetBoolean(6), r.GetBoolean(7))
                {
                    DefaultExpression = r.IsDBNull(8) ? null : r.GetString(8),
                    IdentityAlways = r.GetBoolean(9),
                });
            }
        }
        var keys = new Dictionary<uint, (string Index, bool Primary, bool ReplIdent, string[] Cols)>();
        await using (var cmd = new NpgsqlCommand(KeysSql, conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = oids, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Oid });
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var rel = r.GetFieldValue<uint>(0);
                var primary = r.GetBoolean(2);
                var allNotNull = r.GetBoolean(5);
                if (keys.ContainsKey(rel) || (!primary && !allNotNull))
                    continue;
                keys[rel] = (r.GetString(1), primary, r.GetBoolean(3), r.GetFieldValue<string[]>(4));
            }
        }
        var result = new Dictionary<QualifiedName, TableInfo>();
        foreach (var t in found)
        {
            keys.TryGetValue(t.Oid, out var key);
            result[t.Name] = new TableInfo(
                t.Name, t.Oid, columns.TryGetValue(t.Oid, out var cols) ? cols : [],
                key.Cols ?? [], key.Cols is null || key.Primary ? null : key.Index,
                t.ReplIdent, t.Partitioned, t.Rows);
        }
        return result;
    }

    const string ChildrenSql = """
        SELECT i.inhparent, n.nspname, c.relname
        FROM pg_catalog.pg_inherits i
        JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE i.inhparent = ANY($1) AND NOT c.relispartition
        ORDER BY 1, 2, 3
        """;

    /// <summary>
    /// The inheritance children (INHERITS, not partitions) of each of <paramref name="tables"/> that has any. A change
    /// to a child is the child's own: it replicates only when the child itself is synced.
    /// </summary>
    public static async Task<IReadOnlyDictionary<QualifiedName, List<QualifiedName>>> InheritanceChildrenAsync(NpgsqlConnection conn, IReadOnlyCollection<TableInfo> tables, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var byOid = tables.ToDictionary(t => t.Oid, t => t.Name);
        var result = new Dictionary<QualifiedName, List<QualifiedName>>();
        await using var cmd = new NpgsqlCommand(ChildrenSql, conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = byOid.Keys.ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Oid });
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var parent = byOid[r.GetFieldValue<uint>(0)];
            if (!result.TryGetValue(parent, out var list))
                result[parent] = list = [];
            list.Add(new QualifiedName(r.GetString(1), r.GetString(2)));
        }
        return result;
    }

    /// <summary>Makes format_type() qualify every non-built-in type, so type names compare across databases.</summary>
    public static async Task PrepareSessionAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conn);
        await using var cmd = new NpgsqlCommand("SET search_path TO pg_catalog", conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    static bool HasWildcard(string pattern)
    {
        var quoted = false;
        foreach (var c in pattern)
        {
            if (c == '"')
                quoted = !quoted;
            else if (!quoted && c is '*' or '?')
                return true;
        }
        return false;
    }

    sealed record RawTable(uint Oid, QualifiedName Name, bool Partitioned, char ReplIdent, long Rows, bool IsPartition);

    static async Task<List<RawTable>> ListTablesAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        var list = new List<RawTable>();
        await using var cmd = new NpgsqlCommand(TablesSql, conn);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add(new RawTable(r.GetFieldValue<uint>(0), new QualifiedName(r.GetString(1), r.GetString(2)), r.GetBoolean(3), r.GetChar(4), r.GetInt64(5), r.GetBoolean(6)));
        return list;
    }
}
