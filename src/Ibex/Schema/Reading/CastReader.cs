using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>
/// Reads user-defined casts (database-wide). Those an extension created are left out, and so are those a range type
/// made for its multirange (they come with the type).
/// </summary>
internal static class CastReader
{
    const string Sql = """
        SELECT c.oid, format_type(c.castsource, NULL), format_type(c.casttarget, NULL), c.castmethod, c.castcontext,
               pn.nspname, p.proname, pg_get_function_identity_arguments(c.castfunc)
        FROM pg_cast c
        LEFT JOIN pg_proc p ON p.oid = c.castfunc
        LEFT JOIN pg_namespace pn ON pn.oid = p.pronamespace
        WHERE c.oid >= 16384
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.deptype = 'i'
                          AND ((d.classid = 'pg_cast'::regclass AND d.objid = c.oid) OR (d.refclassid = 'pg_cast'::regclass AND d.refobjid = c.oid)))
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            var address = new ObjectAddress(CatalogClass.Cast, row.Oid(0));
            if (b.IsExtensionMember(address))
                return;
            var method = row.Char(3) switch
            {
                'f' => "WITH FUNCTION " + new QualifiedName(row.GetString(5), row.GetString(6)).Quoted + "(" + row.GetString(7) + ")",
                'i' => "WITH INOUT",
                _ => "WITHOUT FUNCTION",
            };
            b.Add(new CastObject(row.GetString(1), row.GetString(2), method, row.Char(4)), address);
        }, cancellationToken).ConfigureAwait(false);
    }
}
