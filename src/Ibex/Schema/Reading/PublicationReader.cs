using Ibex.Schema.Model;
using Ibex.Sql;

namespace Ibex.Schema.Reading;

/// <summary>
/// Reads publications (database-wide) with their tables, column lists, row filters and schemas. Ibex's own
/// (<c>ibex_…</c>) belong to its syncs and are left out.
/// </summary>
internal static class PublicationReader
{
    const string PublicationsSql = """
        SELECT p.oid, p.pubname, p.puballtables, p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate, p.pubviaroot
        FROM pg_publication p
        WHERE p.pubname NOT LIKE 'ibex\_%'
        """;

    // Column lists, row filters and schemas exist from PostgreSQL 15 on.
    const string TablesSql = """
        SELECT pr.prpubid, c.oid, n.nspname, c.relname,
               CASE WHEN pr.prattrs IS NOT NULL THEN array(SELECT a.attname::text FROM unnest(pr.prattrs::int2[]) WITH ORDINALITY k(num, i)
                    JOIN pg_attribute a ON a.attrelid = pr.prrelid AND a.attnum = k.num ORDER BY k.i) END,
               pg_get_expr(pr.prqual, pr.prrelid)
        FROM pg_publication_rel pr
        JOIN pg_class c ON c.oid = pr.prrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        """;

    const string TablesSql14 = """
        SELECT pr.prpubid, c.oid, n.nspname, c.relname, NULL::text[], NULL::text
        FROM pg_publication_rel pr
        JOIN pg_class c ON c.oid = pr.prrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        """;

    const string SchemasSql = """
        SELECT pn.pnpubid, n.oid, n.nspname FROM pg_publication_namespace pn JOIN pg_namespace n ON n.oid = pn.pnnspid
        """;

    public static async Task ReadAsync(CatalogSession session, CancellationToken cancellationToken)
    {
        var b = session.Builder;
        var since15 = session.Connection.PostgreSqlVersion.Major >= 15;
        var members = new Dictionary<uint, List<(string Sql, ObjectAddress Needs)>>();
        await session.QueryAsync(since15 ? TablesSql : TablesSql14, row =>
        {
            var entry = "TABLE ONLY " + new QualifiedName(row.GetString(2), row.GetString(3)).Quoted;
            if (!row.IsDBNull(4))
                entry += " (" + Ident.QuoteList(row.Strings(4)) + ")";
            if (row.StringOrNull(5) is { } filter)
                entry += " WHERE (" + filter + ")";
            Member(row.Oid(0), entry, new ObjectAddress(CatalogClass.Class, row.Oid(1)));
        }, cancellationToken).ConfigureAwait(false);
        if (since15)
            await session.QueryAsync(SchemasSql, row =>
                Member(row.Oid(0), "TABLES IN SCHEMA " + Ident.Quote(row.GetString(2)), new ObjectAddress(CatalogClass.Namespace, row.Oid(1))),
                cancellationToken).ConfigureAwait(false);

        await session.QueryAsync(PublicationsSql, row =>
        {
            var address = new ObjectAddress(CatalogClass.Publication, row.Oid(0));
            var own = members.GetValueOrDefault(row.Oid(0)) ?? [];
            var publish = new[] { (3, "insert"), (4, "update"), (5, "delete"), (6, "truncate") }.Where(p => row.GetBoolean(p.Item1)).Select(p => p.Item2);
            var publication = new PublicationObject
            {
                Name = row.GetString(1),
                AllTables = row.GetBoolean(2),
                Tables = [.. own.Select(m => m.Sql).Where(s => s.StartsWith("TABLE ", StringComparison.Ordinal)).Order(StringComparer.Ordinal)],
                Schemas = [.. own.Select(m => m.Sql).Where(s => s.StartsWith("TABLES ", StringComparison.Ordinal)).Order(StringComparer.Ordinal)],
                Publish = string.Join(", ", publish),
                ViaRoot = row.GetBoolean(7),
            };
            b.Add(publication, address);
            foreach (var (_, needs) in own)
                b.AddDependency(publication.Key, needs);
        }, cancellationToken).ConfigureAwait(false);

        void Member(uint publication, string sql, ObjectAddress needs)
        {
            if (!members.TryGetValue(publication, out var list))
                members[publication] = list = [];
            list.Add((sql, needs));
        }
    }
}
