using Ibex.Schema.Model;

namespace Ibex.Schema.Reading;

/// <summary>Reads pg_depend rows of user objects; the model builder maps them onto object keys.</summary>
internal static class DependencyReader
{
    const string Sql = """
        SELECT d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid, d.deptype
        FROM pg_depend d
        WHERE d.objid >= 16384 AND d.deptype IN ('n', 'a', 'i')
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        await session.QueryAsync(Sql, row =>
            b.AddDependency(
                new ObjectAddress(row.Oid(0), row.Oid(1), row.GetInt32(2)),
                new ObjectAddress(row.Oid(3), row.Oid(4), row.GetInt32(5)),
                row.Char(6)),
            cancellationToken).ConfigureAwait(false);
    }
}
