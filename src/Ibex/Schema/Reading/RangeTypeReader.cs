using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>Reads range types; their multirange type counts as the range (it comes and goes with it).</summary>
internal static class RangeTypeReader
{
    const string Sql = """
        SELECT t.oid, n.nspname, t.typname, format_type(r.rngsubtype, NULL),
               CASE WHEN NOT oc.opcdefault THEN array[ocn.nspname::text, oc.opcname::text] END,
               CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation THEN array[cn.nspname::text, co.collname::text] END,
               (SELECT array[fn.nspname::text, f.proname::text] FROM pg_proc f JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = r.rngcanonical),
               (SELECT array[fn.nspname::text, f.proname::text] FROM pg_proc f JOIN pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = r.rngsubdiff),
               m.oid, array[mn.nspname::text, m.typname::text]
        FROM pg_type t
        JOIN pg_namespace n ON n.oid = t.typnamespace
        JOIN pg_range r ON r.rngtypid = t.oid
        JOIN pg_type st ON st.oid = r.rngsubtype
        JOIN pg_opclass oc ON oc.oid = r.rngsubopc
        JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
        LEFT JOIN pg_collation co ON co.oid = r.rngcollation
        LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
        LEFT JOIN pg_type m ON m.oid = (to_jsonb(r) ->> 'rngmultitypid')::oid
        LEFT JOIN pg_namespace mn ON mn.oid = m.typnamespace
        WHERE t.typtype = 'r' AND t.typnamespace = ANY($1)
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            var address = new ObjectAddress(CatalogClass.Type, row.Oid(0));
            if (b.IsExtensionMember(address))
                return;
            var range = new RangeTypeObject
            {
                Name = new QualifiedName(row.GetString(1), row.GetString(2)),
                Subtype = row.GetString(3),
                Opclass = row.NameOrNull(4),
                Collation = row.NameOrNull(5),
                Canonical = row.NameOrNull(6),
                SubtypeDiff = row.NameOrNull(7),
                Multirange = row.IsDBNull(8) ? null : row.NameOrNull(9),
            };
            b.Add(range, address);
            if (!row.IsDBNull(8))
                b.Register(new ObjectAddress(CatalogClass.Type, row.Oid(8)), range.Key);
        }, cancellationToken).ConfigureAwait(false);
    }
}
