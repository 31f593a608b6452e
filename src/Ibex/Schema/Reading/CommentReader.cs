using Ibex.Schema.Model;

namespace Ibex.Schema.Reading;

/// <summary>Reads comments on the objects already read (comments on anything else are ignored).</summary>
internal static class CommentReader
{
    const string Sql = """
        SELECT d.classoid, d.objoid, d.objsubid, d.description
        FROM pg_description d
        WHERE d.objoid >= 16384 OR d.classoid = 'pg_namespace'::regclass
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
        {
            var address = new ObjectAddress(row.Oid(0), row.Oid(1), row.GetInt32(2));
            if (b.CommentTargetOf(address) is { } target)
                b.Add(new CommentObject(target.Key, target.Display, target.Target, row.GetString(3)));
        }, cancellationToken).ConfigureAwait(false);
    }
}
