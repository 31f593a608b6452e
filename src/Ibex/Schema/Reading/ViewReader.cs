using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>Reads views and materialized views.</summary>
internal static class ViewReader
{
    const string Sql = """
        SELECT c.oid, n.nspname, c.relname, c.relkind = 'm', pg_get_viewdef(c.oid), coalesce(c.reloptions, '{}'),
               array(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
               array(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm') AND c.relnamespace = ANY($1)
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            var address = new ObjectAddress(CatalogClass.Class, row.Oid(0));
            if (b.IsExtensionMember(address))
                return;
            var names = row.Strings(6);
            var types = row.Strings(7);
            var view = new ViewObject
            {
                Name = new QualifiedName(row.GetString(1), row.GetString(2)),
                Materialized = row.GetBoolean(3),
                Query = row.GetString(4).TrimEnd().TrimEnd(';'),
                Options = row.Strings(5),
                Columns = [.. names.Zip(types, (n, t) => new ViewColumn(n, t))],
            };
            b.Add(view, address);
            for (var i = 0; i < names.Length; i++)
                b.RegisterCommentTarget(address with { SubId = i + 1 }, view.Key, view.Display, "COLUMN " + view.Name.Quoted + "." + Ident.Quote(names[i]));
        }, cancellationToken).ConfigureAwait(false);
    }
}
