using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>Reads tables, partitioned tables and partitions, with their replica identity.</summary>
internal static class TableReader
{
    const string TablesSql = """
        SELECT c.oid, n.nspname, c.relname, c.relkind = 'p', c.relpersistence = 'u', c.relrowsecurity, c.relforcerowsecurity,
               CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
               pn.nspname, pc.relname, CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
               coalesce(c.reloptions, '{}') || array(SELECT 'toast.' || o FROM unnest(tc.reloptions) o),
               c.relreplident, ri.oid, ri.relname
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_inherits pi ON c.relispartition AND pi.inhrelid = c.oid
        LEFT JOIN pg_class pc ON pc.oid = pi.inhparent
        LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
        LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid
        LEFT JOIN pg_index rii ON c.relreplident = 'i' AND rii.indrelid = c.oid AND rii.indisreplident
        LEFT JOIN pg_class ri ON ri.oid = rii.indexrelid
        WHERE c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1)
        """;

    const string InheritsSql = """
        SELECT i.inhrelid, pn.nspname, pc.relname
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_class pc ON pc.oid = i.inhparent
        JOIN pg_namespace pn ON pn.oid = pc.relnamespace
        WHERE NOT c.relispartition AND c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1)
        ORDER BY i.inhrelid, i.inhseqno
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        var inherits = new Dictionary<uint, List<QualifiedName>>();
        await session.QueryAsync(InheritsSql, row =>
        {
            if (!inherits.TryGetValue(row.Oid(0), out var list))
                inherits[row.Oid(0)] = list = [];
            list.Add(new QualifiedName(row.GetString(1), row.GetString(2)));
        }, cancellationToken).ConfigureAwait(false);

        await session.QueryAsync(TablesSql, row =>
        {
            var address = new ObjectAddress(CatalogClass.Class, row.Oid(0));
            if (b.IsExtensionMember(address))
                return;
            var name = new QualifiedName(row.GetString(1), row.GetString(2));
            var table = new TableObject
            {
                Name = name,
                Unlogged = row.GetBoolean(4),
                RowSecurity = row.GetBoolean(5),
                ForceRowSecurity = row.GetBoolean(6),
                PartitionKey = row.StringOrNull(7),
                PartitionOf = row.IsDBNull(8) ? null : new QualifiedName(row.GetString(8), row.GetString(9)),
                PartitionBound = row.StringOrNull(10),
                Options = row.Strings(11),
                Inherits = inherits.GetValueOrDefault(row.Oid(0)) ?? [],
            };
            b.Add(table, address);
            var mode = row.Char(12);
            if (mode is 'f' or 'n' || (mode == 'i' && !row.IsDBNull(13)))
            {
                var identity = new ReplicaIdentityObject(name, mode, row.StringOrNull(14));
                b.Add(identity);
                if (mode == 'i')
                    b.AddDependency(identity.Key, new ObjectAddress(CatalogClass.Class, row.Oid(13)));
            }
        }, cancellationToken).ConfigureAwait(false);
    }
}
