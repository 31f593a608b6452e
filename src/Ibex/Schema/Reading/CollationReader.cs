using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>Reads collations (the ICU locale and rules columns are read through jsonb: their names differ by version).</summary>
internal static class CollationReader
{
    const string Sql = """
        SELECT c.oid, n.nspname, c.collname, c.collprovider, c.collisdeterministic, c.collcollate, c.collctype,
               coalesce(to_jsonb(c) ->> 'colllocale', to_jsonb(c) ->> 'colliculocale'), to_jsonb(c) ->> 'collicurules'
        FROM pg_collation c
        JOIN pg_namespace n ON n.oid = c.collnamespace
        WHERE c.collnamespace = ANY($1)
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            var address = new ObjectAddress(CatalogClass.Collation, row.Oid(0));
            if (b.IsExtensionMember(address))
                return;
            var provider = row.Char(3);
            b.Add(new CollationObject(new QualifiedName(row.GetString(1), row.GetString(2)), provider, row.GetBoolean(4),
                provider == 'i' ? null : row.StringOrNull(5), provider == 'i' ? null : row.StringOrNull(6), row.StringOrNull(7), row.StringOrNull(8)), address);
        }, cancellationToken).ConfigureAwait(false);
    }
}
