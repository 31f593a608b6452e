using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>
/// Reads indexes no constraint owns, on tables and materialized views. Indexes a partition got from an index on
/// its parent are left out: creating the parent's index creates them.
/// </summary>
internal static class IndexReader
{
    // The head of pg_get_indexdef ("CREATE INDEX name ON ONLY schema.table ") is rebuilt here the way the server
    // writes it, so the rest (USING …) can be split off and the head rewritten with quoted names.
    const string Sql = """
        SELECT i.indexrelid, n.nspname, ic.relname, c.oid, c.relname, c.relkind, i.indisunique, i.indisvalid,
               pg_get_indexdef(i.indexrelid),
               'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || quote_ident(ic.relname)
                 || ' ON ' || CASE WHEN c.relkind = 'p' THEN 'ONLY ' ELSE '' END
                 || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' '
        FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'm') AND c.relnamespace = ANY($1) AND NOT ic.relispartition
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            var address = new ObjectAddress(CatalogClass.Class, row.Oid(0));
            if (b.IsExtensionMember(address) || b.KeyOf(new ObjectAddress(CatalogClass.Class, row.Oid(3))) is not { } relationKey)
                return;
            var name = new QualifiedName(row.GetString(1), row.GetString(2));
            var def = row.GetString(8);
            var head = row.GetString(9);
            if (!def.StartsWith(head, StringComparison.Ordinal))
                throw new IbexException($"cannot read the definition of index {name.Display}: unexpected pg_get_indexdef output '{def}'");
            b.Add(new IndexObject
            {
                Name = name,
                Table = new QualifiedName(row.GetString(1), row.GetString(4)),
                RelationKey = relationKey,
                Unique = row.GetBoolean(6),
                Valid = row.GetBoolean(7),
                Body = def[head.Length..],
                OnPartitionedTable = row.Char(5) == 'p',
            }, address);
        }, cancellationToken).ConfigureAwait(false);
    }
}
