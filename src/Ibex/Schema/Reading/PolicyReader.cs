using Ibex.Schema.Model;

namespace Ibex.Schema.Reading;

/// <summary>Reads row-level security policies.</summary>
internal static class PolicyReader
{
    const string Sql = """
        SELECT p.oid, p.polrelid, p.polname, p.polpermissive, p.polcmd,
               array(SELECT CASE WHEN r = 0 THEN '' ELSE pg_get_userbyid(r)::text END FROM unnest(p.polroles) r ORDER BY 1),
               pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)
        FROM pg_policy p
        JOIN pg_class c ON c.oid = p.polrelid
        WHERE c.relnamespace = ANY($1)
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            if (b.KeyOf(new ObjectAddress(CatalogClass.Class, row.Oid(1))) is not { } tableKey || b.Find(tableKey) is not TableObject table)
                return;
            var roles = row.Strings(5);
            b.Add(new PolicyObject
            {
                Table = table.Name,
                Name = row.GetString(2),
                Permissive = row.GetBoolean(3),
                Command = row.Char(4),
                Roles = roles is [""] ? [] : roles,
                Using = row.StringOrNull(6),
                WithCheck = row.StringOrNull(7),
            }, new ObjectAddress(CatalogClass.Policy, row.Oid(0)));
        }, cancellationToken).ConfigureAwait(false);
    }
}
