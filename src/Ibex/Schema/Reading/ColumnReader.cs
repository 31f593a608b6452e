using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>Reads the columns a table declares itself (inherited ones belong to the parent).</summary>
internal static class ColumnReader
{
    // A default is volatile (adding the column rewrites the table) if it calls a volatile user or extension
    // function (recorded in pg_depend) or one of the common volatile built-ins (not recorded: they are pinned).
    const string Sql = """
        SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               d.oid, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
               CASE WHEN a.attcollation <> t.typcollation THEN cn.nspname END,
               CASE WHEN a.attcollation <> t.typcollation THEN co.collname END,
               (pg_get_expr(d.adbin, d.adrelid) ~ '\m(nextval|random|gen_random_uuid|clock_timestamp|timeofday|txid_current|uuid_generate_v[14])\('
                OR EXISTS (SELECT 1 FROM pg_depend x JOIN pg_proc p ON p.oid = x.refobjid
                           WHERE x.classid = 'pg_attrdef'::regclass AND x.objid = d.oid
                             AND x.refclassid = 'pg_proc'::regclass AND p.provolatile = 'v')),
               sn.nspname, sc.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
               en.nspname, e.typname, e.oid <> t.oid
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_type e ON e.oid = CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE t.oid END
             AND (e.typtype IN ('e', 'd') OR (e.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class ec WHERE ec.oid = e.typrelid AND ec.relkind = 'c')))
        LEFT JOIN pg_namespace en ON en.oid = e.typnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_collation co ON co.oid = a.attcollation
        LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
        LEFT JOIN LATERAL (
            SELECT x.objid FROM pg_depend x JOIN pg_class xs ON xs.oid = x.objid AND xs.relkind = 'S'
            WHERE a.attidentity <> '' AND x.classid = 'pg_class'::regclass AND x.refclassid = 'pg_class'::regclass
              AND x.refobjid = a.attrelid AND x.refobjsubid = a.attnum AND x.deptype = 'i'
            LIMIT 1) iseq ON true
        LEFT JOIN pg_sequence s ON s.seqrelid = iseq.objid
        LEFT JOIN pg_class sc ON sc.oid = iseq.objid
        LEFT JOIN pg_namespace sn ON sn.oid = sc.relnamespace
        WHERE c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
          AND (a.attinhcount = 0 OR (a.attislocal AND NOT c.relispartition))
        ORDER BY a.attrelid, a.attnum
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            var tableAddress = new ObjectAddress(CatalogClass.Class, row.Oid(0));
            if (b.KeyOf(tableAddress) is not { } tableKey || b.Find(tableKey) is not TableObject table)
                return;
            var identity = row.GetFieldValue<char>(7);
            var generated = row.GetFieldValue<char>(8);
            var expression = row.StringOrNull(6);
            var column = new ColumnObject
            {
                Table = table.Name,
                Position = row.GetInt16(1),
                Name = row.GetString(2),
                Type = row.GetString(3),
                NotNull = row.GetBoolean(4),
                Default = generated is 's' or 'v' ? null : expression,
                Generated = generated is 's' or 'v' ? expression : null,
                Virtual = generated == 'v',
                DefaultVolatile = !row.IsDBNull(11) && row.GetBoolean(11),
                Identity = identity is 'a' or 'd' ? identity : null,
                Collation = row.IsDBNull(9) ? null : new QualifiedName(row.GetString(9), row.GetString(10)),
                IdentitySequence = identity is 'a' or 'd' && !row.IsDBNull(12) ? new QualifiedName(row.GetString(12), row.GetString(13)) : null,
                IdentityOptions = identity is 'a' or 'd' && !row.IsDBNull(14)
                    ? new SequenceOptions(row.GetString(14), row.GetInt64(15), row.GetInt64(16), row.GetInt64(17), row.GetInt64(18), row.GetInt64(19), row.GetBoolean(20))
                    : null,
                UserType = row.IsDBNull(21) ? null : new QualifiedName(row.GetString(21), row.GetString(22)),
                IsArray = !row.IsDBNull(23) && row.GetBoolean(23),
            };
            var address = tableAddress with { SubId = column.Position };
            b.Add(column, address);
            if (!row.IsDBNull(5))
                b.AddDependency(new ObjectAddress(CatalogClass.AttrDef, row.Oid(5)), address, 'i');
        }, cancellationToken).ConfigureAwait(false);
    }
}
